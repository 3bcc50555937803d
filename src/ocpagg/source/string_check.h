#pragma once
// Checks that the strings of a column are text PostgreSQL can store: valid UTF-8 without NUL
// bytes. Arrow's Parquet reader does not validate string columns, so without this check a bad
// value reaches the output: the CSV/Parquet files hold it, and PostgreSQL's COPY refuses it only
// when the run ends, without saying which input row held it.
//
// The check works on whole buffers, so that good data (nearly all data) costs a pass or two over
// its bytes rather than work per row: the value bytes of a plain batch at once, and each entry of
// a dictionary once, when it first appears. Rows are looked at one by one only to find the one
// that is wrong.

#include <arrow/array.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ocpagg {

enum class StringFault : uint8_t { kInvalidUtf8, kNulByte };

struct BadString {
  int64_t row = 0;  // in the array checked
  StringFault fault = StringFault::kInvalidUtf8;
  std::string_view value;  // the offending bytes; valid while the array lives
};

// What is wrong with `value`, if anything (a NUL byte is reported before invalid UTF-8).
std::optional<StringFault> StringFaultOf(std::string_view value);

// "invalid UTF-8" or "NUL byte", and the value escaped (\xNN) so that the message itself is
// printable text.
std::string DescribeBadString(const BadString& bad);

// Checks the consecutive batches of one string column of one row group.
class StringColumnCheck {
 public:
  // The first non-null row of `array` whose value is not valid UTF-8 or holds a NUL byte;
  // nullopt when there is none. `array` is utf8, binary (large or view) or a dictionary of
  // those; other types have no strings to check.
  std::optional<BadString> Check(const arrow::Array& array);

 private:
  std::optional<BadString> CheckDictionary(const arrow::DictionaryArray& array);

  // Dictionary entries [0, dictionary_checked_) have been checked; they held
  // dictionary_checked_bytes_ value bytes. bad_entries_ lists the faulty ones, by index.
  int64_t dictionary_checked_ = 0;
  int64_t dictionary_checked_bytes_ = 0;
  std::vector<std::pair<int64_t, StringFault>> bad_entries_;
};

}  // namespace ocpagg
