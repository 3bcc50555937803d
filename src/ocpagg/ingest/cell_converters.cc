#include "ocpagg/ingest/cell_converters.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "ocpagg/koku/date.h"

namespace ocpagg {
namespace {

using namespace std::string_view_literals;

// pandas._libs.parsers.STR_NA_VALUES (pandas 2.3, the version koku pins).
constexpr std::array kPandasNaTokens = {
    ""sv,     "#N/A"sv,   "#N/A N/A"sv, "#NA"sv,  "-1.#IND"sv, "-1.#QNAN"sv, "-NaN"sv,
    "-nan"sv, "1.#IND"sv, "1.#QNAN"sv,  "<NA>"sv, "N/A"sv,     "NA"sv,       "NULL"sv,
    "NaN"sv,  "None"sv,   "n/a"sv,      "nan"sv,  "null"sv,
};

bool IsAsciiSpace(char c) {
  // Python's str.strip() whitespace within ASCII.
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// Digits with Python's underscore rule: '_' only between two digits. Advances *i; returns the
// number of digits read.
int ScanDigits(std::string_view s, size_t* i, bool* has_underscore) {
  int digits = 0;
  while (*i < s.size()) {
    char c = s[*i];
    if (IsDigit(c)) {
      ++digits;
      ++*i;
    } else if (c == '_' && digits > 0 && *i + 1 < s.size() && IsDigit(s[*i + 1])) {
      *has_underscore = true;
      ++*i;
    } else {
      break;
    }
  }
  return digits;
}

std::optional<double> ParsePythonFloat(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  bool negative = false;
  if (s.front() == '+' || s.front() == '-') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (EqualsIgnoreCase(s, "inf") || EqualsIgnoreCase(s, "infinity")) {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (EqualsIgnoreCase(s, "nan")) {
    return negative ? -std::numeric_limits<double>::quiet_NaN()
                    : std::numeric_limits<double>::quiet_NaN();
  }
  // Python's floatnumber grammar: digitpart ['.' [digitpart]] | '.' digitpart, then an optional
  // exponent with a digitpart.
  size_t i = 0;
  bool underscore = false;
  int mantissa_digits = ScanDigits(s, &i, &underscore);
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i < s.size() && s[i] == '_') return std::nullopt;
    mantissa_digits += ScanDigits(s, &i, &underscore);
  }
  if (mantissa_digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (ScanDigits(s, &i, &underscore) == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;

  std::string without_underscores;
  if (underscore) {
    without_underscores.reserve(s.size());
    for (char c : s) {
      if (c != '_') without_underscores.push_back(c);
    }
    s = without_underscores;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc::result_out_of_range) {
    // Overflow is +-inf and underflow is 0 (or a subnormal) in Python; strtod agrees.
    std::string copy(s);
    value = std::strtod(copy.c_str(), nullptr);
  } else if (ec != std::errc() || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

// Reads exactly n digits at s[*i].
bool ReadFixedDigits(std::string_view s, size_t* i, int n, int* out) {
  if (*i + n > s.size()) return false;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    char c = s[*i + k];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *i += n;
  *out = v;
  return true;
}

// The fixed layout the operator and nise write, "YYYY-MM-DD HH:MM:SS" after the suffix is gone.
bool IsPlainOperatorLayout(std::string_view s) {
  if (s.size() != 19) return false;
  for (size_t k = 0; k < 19; ++k) {
    char c = s[k];
    bool ok = (k == 4 || k == 7)     ? c == '-'
              : (k == 10)            ? c == ' '
              : (k == 13 || k == 16) ? c == ':'
                                     : IsDigit(c);
    if (!ok) return false;
  }
  return true;
}

// ISO 8601 week date: day `weekday` (1 = Monday) of week `week` of ISO year `year`.
std::optional<Date> IsoWeekDate(int year, int week, int weekday) {
  if (week < 1 || week > 53 || weekday < 1 || weekday > 7) return std::nullopt;
  Date jan4 = MakeDate(year, 1, 4);
  int jan4_weekday = static_cast<int>(((jan4 % 7) + 7 + 3) % 7) + 1;  // 1970-01-01 was a Thursday
  Date week1_monday = jan4 - (jan4_weekday - 1);
  Date date = week1_monday + (week - 1) * 7 + (weekday - 1);
  // Week 53 exists only in years whose 53rd week ends in the next ISO year's week 1.
  if (week == 53 && IsoWeekDate(year + 1, 1, 1) && date >= *IsoWeekDate(year + 1, 1, 1)) {
    return std::nullopt;
  }
  return date;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// The date part: YYYY-MM-DD, YYYYMMDD, YYYY-MM, YYYY-DDD, YYYYDDD (ordinal) and YYYY-Www[-D],
// YYYYWww[D] (week dates), as ciso8601 reads them. Sets *extended for the time part.
std::optional<Date> ParseIsoDate(std::string_view s, size_t* i, bool* extended) {
  int year = 0;
  if (!ReadFixedDigits(s, i, 4, &year)) return std::nullopt;
  *extended = *i < s.size() && s[*i] == '-';
  if (*extended) ++*i;
  auto digits_ahead = [&](size_t n) {
    if (*i + n > s.size()) return false;
    for (size_t k = 0; k < n; ++k) {
      if (!IsDigit(s[*i + k])) return false;
    }
    return true;
  };
  if (*i < s.size() && s[*i] == 'W') {
    ++*i;
    int week = 0, weekday = 1;
    if (!ReadFixedDigits(s, i, 2, &week)) return std::nullopt;
    if (*extended && *i < s.size() && s[*i] == '-') {
      ++*i;
      if (!ReadFixedDigits(s, i, 1, &weekday)) return std::nullopt;
    } else if (!*extended && digits_ahead(1)) {
      ReadFixedDigits(s, i, 1, &weekday);
    }
    return IsoWeekDate(year, week, weekday);
  }
  // Ordinal dates have three digits where a month has two.
  const bool ordinal = *extended ? digits_ahead(3) : (digits_ahead(3) && !digits_ahead(4));
  if (ordinal) {
    int day_of_year = 0;
    ReadFixedDigits(s, i, 3, &day_of_year);
    if (day_of_year < 1 || day_of_year > (IsLeapYear(year) ? 366 : 365)) return std::nullopt;
    return MakeDate(year, 1, 1) + day_of_year - 1;
  }
  int month = 0, day = 1;
  if (*extended) {
    if (!ReadFixedDigits(s, i, 2, &month)) return std::nullopt;
    if (*i < s.size() && s[*i] == '-') {
      ++*i;
      if (!ReadFixedDigits(s, i, 2, &day)) return std::nullopt;
    }
  } else if (!ReadFixedDigits(s, i, 2, &month) || !ReadFixedDigits(s, i, 2, &day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1) return std::nullopt;
  Date first = MakeDate(year, static_cast<unsigned>(month), 1);
  if (day > DaysInMonth(first)) return std::nullopt;
  return first + day - 1;
}

std::optional<int64_t> ParseIsoMicros(std::string_view s) {
  size_t i = 0;
  bool extended = false;
  std::optional<Date> parsed_date = ParseIsoDate(s, &i, &extended);
  if (!parsed_date) return std::nullopt;
  const Date date = *parsed_date;

  int hour = 0, minute = 0, second = 0;
  int64_t micros = 0;
  int64_t offset_minutes = 0;
  if (i < s.size()) {
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return std::nullopt;
    ++i;
    if (!ReadFixedDigits(s, &i, 2, &hour)) return std::nullopt;
    auto separator = [&]() {
      if (!extended) return true;
      if (i < s.size() && s[i] == ':') {
        ++i;
        return true;
      }
      return false;
    };
    auto at_digit = [&]() { return i < s.size() && (IsDigit(s[i]) || (extended && s[i] == ':')); };
    if (at_digit()) {
      if (!separator() || !ReadFixedDigits(s, &i, 2, &minute)) return std::nullopt;
      if (at_digit()) {
        if (!separator() || !ReadFixedDigits(s, &i, 2, &second)) return std::nullopt;
        if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
          ++i;
          int digits = 0;
          while (i < s.size() && IsDigit(s[i])) {
            if (digits < 6) micros = micros * 10 + (s[i] - '0');
            ++digits;
            ++i;
          }
          if (digits == 0) return std::nullopt;
          for (int k = digits; k < 6; ++k) micros *= 10;
        }
      }
    }
    // ciso8601 accepts 24:00:00 as the midnight that ends the day.
    const bool end_of_day = hour == 24 && minute == 0 && second == 0 && micros == 0;
    if ((hour > 23 && !end_of_day) || minute > 59 || second > 59) return std::nullopt;
    if (i < s.size()) {
      char c = s[i];
      if (c == 'Z' || c == 'z') {
        ++i;
      } else if (c == '+' || c == '-') {
        ++i;
        int oh = 0, om = 0;
        if (!ReadFixedDigits(s, &i, 2, &oh)) return std::nullopt;
        if (i < s.size() && s[i] == ':') ++i;
        if (i < s.size() && !ReadFixedDigits(s, &i, 2, &om)) return std::nullopt;
        if (oh > 23 || om > 59) return std::nullopt;
        offset_minutes = (c == '-' ? -1 : 1) * (oh * 60 + om);
      } else {
        return std::nullopt;
      }
    }
    if (i != s.size()) return std::nullopt;
  }
  int64_t seconds =
      static_cast<int64_t>(date) * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1'000'000 + micros;
}

}  // namespace

bool IsPandasNaToken(std::string_view cell) {
  // No token ends in a digit or '.', which every number does: the common case stops here.
  if (cell.size() > 8 || (!cell.empty() && (IsDigit(cell.back()) || cell.back() == '.'))) {
    return false;
  }
  for (std::string_view token : kPandasNaTokens) {
    if (cell == token) return true;
  }
  return false;
}

double SafeFloat(std::string_view cell) {
  // Fast path for what the operator writes ("3600", "1800.0", "536870912000.0"): at most 15
  // digits and one '.'. The digits are an integer below 2^53 and 10^fraction_digits a double
  // exactly, so one IEEE division gives the correctly rounded value, as Python's float() does
  // (Clinger's fast path).
  if (!cell.empty() && cell.size() <= 16) {
    static constexpr double kPowersOfTen[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                              1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    uint64_t mantissa = 0;
    int digits = 0, fraction_digits = 0;
    bool dot = false, plain = true;
    for (char c : cell) {
      if (IsDigit(c)) {
        mantissa = mantissa * 10 + static_cast<uint64_t>(c - '0');
        ++digits;
        fraction_digits += dot;
      } else if (c == '.' && !dot) {
        dot = true;
      } else {
        plain = false;
        break;
      }
    }
    if (plain && digits > 0 && digits <= 15) {
      return static_cast<double>(mantissa) / kPowersOfTen[fraction_digits];
    }
  }
  // Longer digit runs: from_chars rounds them exactly as Python does.
  if (!cell.empty() && cell.size() < 32 &&
      std::all_of(cell.begin(), cell.end(), [](char c) { return IsDigit(c) || c == '.'; })) {
    double value = 0;
    auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
    if (ec == std::errc() && end == cell.data() + cell.size()) return value;
  }
  return ParsePythonFloat(cell).value_or(0.0);
}

std::optional<int64_t> ParseOperatorTimestampMillis(std::string_view cell) {
  constexpr std::string_view kSuffix = " +0000 UTC";
  std::string stripped;
  std::string_view text = cell;
  if (cell.find(kSuffix) != std::string_view::npos) {
    // str.replace removes every occurrence, not only a trailing one.
    stripped.reserve(cell.size());
    size_t pos = 0;
    while (true) {
      size_t hit = cell.find(kSuffix, pos);
      stripped.append(cell.substr(pos, hit == std::string_view::npos ? hit : hit - pos));
      if (hit == std::string_view::npos) break;
      pos = hit + kSuffix.size();
    }
    text = stripped;
  }
  if (IsPlainOperatorLayout(text)) {
    auto d = [&](size_t at, int n) {
      int v = 0;
      for (int k = 0; k < n; ++k) v = v * 10 + (text[at + k] - '0');
      return v;
    };
    int year = d(0, 4), month = d(5, 2), day = d(8, 2);
    int hour = d(11, 2), minute = d(14, 2), second = d(17, 2);
    if (month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second <= 59) {
      Date first = MakeDate(year, static_cast<unsigned>(month), 1);
      if (day <= DaysInMonth(first)) {
        int64_t s =
            static_cast<int64_t>(first + day - 1) * 86400 + hour * 3600 + minute * 60 + second;
        return s * 1000;
      }
    }
    // Out-of-range fields: the general parser decides (it knows 24:00:00).
  }
  auto micros = ParseIsoMicros(text);
  if (!micros) return std::nullopt;
  // pyarrow's unsafe ns -> ms cast truncates toward zero.
  return *micros / 1000;
}

bool NeedsKokuSanitizing(std::string_view cell) {
  static constexpr auto kSanitized = [] {
    std::array<bool, 256> table{};
    for (unsigned char c : {'\0', '&', '<', '>', '"', '\''}) table[c] = true;
    return table;
  }();
  // A table lookup per byte and no branch: cells are short and rarely need it.
  bool found = false;
  for (char c : cell) found |= kSanitized[static_cast<unsigned char>(c)];
  return found;
}

void AppendKokuSanitized(std::string_view cell, std::string* out) {
  for (char c : cell) {
    switch (c) {
      case '\0':
        break;
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\'':
        out->append("&#x27;");
        break;
      default:
        out->push_back(c);
    }
  }
}

}  // namespace ocpagg
