#include "ocpagg/koku/date.h"

#include <fmt/format.h>

#include <charconv>

namespace ocpagg {

std::string FormatDate(Date d) {
  auto ymd = ToYmd(d);
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::optional<Date> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0;
  unsigned m = 0, d = 0;
  auto parse = [&](std::string_view s, auto& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  if (!parse(text.substr(0, 4), y) || !parse(text.substr(5, 2), m) ||
      !parse(text.substr(8, 2), d)) {
    return std::nullopt;
  }
  auto ymd = std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<Date>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

}  // namespace ocpagg
