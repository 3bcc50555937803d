#include "ocpagg/koku/operator_labels.h"

#include <algorithm>
#include <cstdint>

namespace ocpagg {
namespace {

constexpr std::string_view kLabelPrefix = "label_";

// Python's str.replace("label_", ""): one left-to-right pass over non-overlapping matches.
std::string RemoveLabelPrefixes(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  size_t pos = 0;
  while (pos < key.size()) {
    size_t hit = key.find(kLabelPrefix, pos);
    if (hit == std::string_view::npos) {
      out.append(key.substr(pos));
      break;
    }
    out.append(key.substr(pos, hit - pos));
    pos = hit + kLabelPrefix.size();
  }
  return out;
}

// Decodes one UTF-8 sequence at s[*i]; returns U+FFFD and advances one byte when malformed.
uint32_t DecodeUtf8(std::string_view s, size_t* i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t b0 = byte(*i);
  int len = 0;
  uint32_t cp = 0;
  uint32_t min = 0;
  if (b0 < 0x80) {
    ++*i;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++*i;
    return 0xFFFD;
  }
  if (*i + len > s.size()) {
    ++*i;
    return 0xFFFD;
  }
  for (int k = 1; k < len; ++k) {
    uint8_t b = byte(*i + k);
    if ((b & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++*i;
    return 0xFFFD;
  }
  *i += len;
  return cp;
}

void AppendUnicodeEscape(uint32_t unit, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[6] = {'\\',
                 'u',
                 kHex[(unit >> 12) & 0xF],
                 kHex[(unit >> 8) & 0xF],
                 kHex[(unit >> 4) & 0xF],
                 kHex[unit & 0xF]};
  out->append(buf, 6);
}

}  // namespace

std::vector<OperatorLabel> ParseOperatorLabels(std::string_view operator_labels) {
  std::vector<OperatorLabel> labels;
  if (operator_labels.empty()) return labels;
  size_t start = 0;
  while (start <= operator_labels.size()) {
    size_t bar = operator_labels.find('|', start);
    if (bar == std::string_view::npos) bar = operator_labels.size();
    std::string_view part = operator_labels.substr(start, bar - start);
    start = bar + 1;
    size_t colon = part.find(':');
    // koku: `key, value = part.split(":")` raises on a second ':' and the part is skipped.
    if (colon == std::string_view::npos || part.find(':', colon + 1) != std::string_view::npos) {
      continue;
    }
    std::string key = RemoveLabelPrefixes(part.substr(0, colon));
    std::string_view value = part.substr(colon + 1);
    auto existing = std::find_if(labels.begin(), labels.end(),
                                 [&](const OperatorLabel& l) { return l.first == key; });
    if (existing != labels.end()) {
      existing->second.assign(value);
    } else {
      labels.emplace_back(std::move(key), std::string(value));
    }
  }
  return labels;
}

void AppendPythonJsonString(std::string_view utf8, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < utf8.size()) {
    char c = utf8[i];
    // Printable ASCII other than '"' and '\\' passes through (json's ESCAPE_ASCII).
    if (c >= ' ' && c <= '~' && c != '"' && c != '\\') {
      out->push_back(c);
      ++i;
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        ++i;
        continue;
      case '\\':
        out->append("\\\\");
        ++i;
        continue;
      case '\n':
        out->append("\\n");
        ++i;
        continue;
      case '\r':
        out->append("\\r");
        ++i;
        continue;
      case '\t':
        out->append("\\t");
        ++i;
        continue;
      case '\b':
        out->append("\\b");
        ++i;
        continue;
      case '\f':
        out->append("\\f");
        ++i;
        continue;
      default:
        break;
    }
    uint32_t cp = DecodeUtf8(utf8, &i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      AppendUnicodeEscape(0xD800 | (cp >> 10), out);
      AppendUnicodeEscape(0xDC00 | (cp & 0x3FF), out);
    } else {
      AppendUnicodeEscape(cp, out);
    }
  }
  out->push_back('"');
}

void AppendOperatorLabelsJson(std::string_view operator_labels, std::string* out) {
  auto labels = ParseOperatorLabels(operator_labels);
  out->push_back('{');
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out->append(", ");
    first = false;
    AppendPythonJsonString(key, out);
    out->append(": ");
    AppendPythonJsonString(value, out);
  }
  out->push_back('}');
}

std::string OperatorLabelsToJson(std::string_view operator_labels) {
  std::string out;
  AppendOperatorLabelsJson(operator_labels, &out);
  return out;
}

}  // namespace ocpagg
