#pragma once
// Calendar days as koku uses them: usage_start is the UTC date of interval_start.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ocpagg {

// Days since 1970-01-01 (UTC). Parquet/Arrow date32 uses the same count.
using Date = int32_t;

inline constexpr int64_t kMillisPerDay = 86'400'000;

// Floor division: the day a millisecond timestamp (naive UTC) falls on.
inline Date DateOfMillis(int64_t millis) {
  int64_t d = millis / kMillisPerDay;
  if (millis % kMillisPerDay < 0) --d;
  return static_cast<Date>(d);
}

inline Date MakeDate(int year, unsigned month, unsigned day) {
  auto ymd = std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day};
  return static_cast<Date>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

inline std::chrono::year_month_day ToYmd(Date d) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{d}}};
}

// Number of days in the month of `d` (koku's DIM for GiB-months, docs/semantics.md "Storage rows").
inline int DaysInMonth(Date d) {
  auto ymd = ToYmd(d);
  auto last =
      std::chrono::year_month_day_last{ymd.year(), std::chrono::month_day_last{ymd.month()}};
  return static_cast<int>(static_cast<unsigned>(last.day()));
}

// "YYYY-MM-DD".
std::string FormatDate(Date d);
// Parses "YYYY-MM-DD"; nullopt when malformed or not a real date.
std::optional<Date> ParseDate(std::string_view text);

}  // namespace ocpagg
