#pragma once
// SQL LIKE as koku's cost-category join uses it (`namespace LIKE cat_ns.namespace`,
// docs/semantics.md "Multiplicity traps"): `%` matches any run of characters, `_` exactly one
// character (a UTF-8 code point), everything else itself, case-sensitively. PostgreSQL's LIKE
// treats `\` as the escape character by default; Trino's has none (docs/semantics.md "PostgreSQL
// and Trino differences": LIKE escape).

#include <string>
#include <string_view>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/settings.h"

namespace ocpagg {

class LikePattern {
 public:
  // Compiles `pattern` with the escape rules of `compat`. Fails, as PostgreSQL does, when a
  // kPostgres pattern ends with a lone escape character.
  static Result<LikePattern> Compile(std::string_view pattern, Compat compat);

  // True when the whole of `text` matches the pattern.
  bool Matches(std::string_view text) const;

  // The pattern text as given to Compile.
  const std::string& pattern() const { return pattern_; }

 private:
  enum class TokenKind : uint8_t { kLiteral, kAnyCharacter, kAnyString };
  struct Token {
    TokenKind kind;
    std::string literal;  // kLiteral only
  };

  std::string pattern_;
  std::vector<Token> tokens_;
};

}  // namespace ocpagg
