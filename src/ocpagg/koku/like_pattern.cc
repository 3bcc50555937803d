#include "ocpagg/koku/like_pattern.h"

namespace ocpagg {
namespace {

// Length in bytes of the UTF-8 sequence starting at text[i] (1 for a stray byte), so that `_`
// consumes one character as both databases count them.
size_t CodePointLength(std::string_view text, size_t i) {
  size_t j = i + 1;
  while (j < text.size() && (static_cast<unsigned char>(text[j]) & 0xC0) == 0x80) ++j;
  return j - i;
}

}  // namespace

Result<LikePattern> LikePattern::Compile(std::string_view pattern, Compat compat) {
  LikePattern out;
  out.pattern_ = std::string(pattern);
  const bool backslash_escapes = compat == Compat::kPostgres;
  auto append_literal = [&out](std::string_view s) {
    if (out.tokens_.empty() || out.tokens_.back().kind != TokenKind::kLiteral) {
      out.tokens_.push_back({TokenKind::kLiteral, {}});
    }
    out.tokens_.back().literal.append(s);
  };
  for (size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if (backslash_escapes && c == '\\') {
      if (i + 1 == pattern.size()) {
        return UsageError(
            "cost-category namespace pattern '{}' ends with the escape character '\\', which "
            "PostgreSQL's LIKE rejects; double it to match a backslash",
            pattern);
      }
      const size_t n = CodePointLength(pattern, i + 1);
      append_literal(pattern.substr(i + 1, n));
      i += 1 + n;
    } else if (c == '%') {
      // Consecutive % behave as one.
      if (out.tokens_.empty() || out.tokens_.back().kind != TokenKind::kAnyString) {
        out.tokens_.push_back({TokenKind::kAnyString, {}});
      }
      ++i;
    } else if (c == '_') {
      out.tokens_.push_back({TokenKind::kAnyCharacter, {}});
      ++i;
    } else {
      const size_t n = CodePointLength(pattern, i);
      append_literal(pattern.substr(i, n));
      i += n;
    }
  }
  return out;
}

bool LikePattern::Matches(std::string_view text) const {
  // Greedy matching with backtracking to the last `%` only: a later `%` can absorb anything an
  // earlier one could, so revisiting older ones never finds a match the last one cannot.
  constexpr size_t kNone = static_cast<size_t>(-1);
  size_t t = 0;
  size_t p = 0;
  size_t star_token = kNone;
  size_t star_text = 0;
  while (true) {
    bool advanced = false;
    if (t == tokens_.size()) {
      if (p == text.size()) return true;
    } else {
      const Token& token = tokens_[t];
      switch (token.kind) {
        case TokenKind::kAnyString:
          if (t + 1 == tokens_.size()) return true;
          star_token = ++t;
          star_text = p;
          continue;
        case TokenKind::kAnyCharacter:
          if (p < text.size()) {
            p += CodePointLength(text, p);
            ++t;
            advanced = true;
          }
          break;
        case TokenKind::kLiteral:
          if (text.substr(p).starts_with(token.literal)) {
            p += token.literal.size();
            ++t;
            advanced = true;
          }
          break;
      }
    }
    if (advanced) continue;
    if (star_token == kNone || star_text >= text.size()) return false;
    star_text += CodePointLength(text, star_text);
    p = star_text;
    t = star_token;
  }
}

}  // namespace ocpagg
