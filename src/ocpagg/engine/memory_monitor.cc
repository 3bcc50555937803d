#include "ocpagg/engine/memory_monitor.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <string>

namespace ocpagg {
namespace {

std::optional<int64_t> ReadLimitFile(const char* path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || v <= 0 || v >= (int64_t{1} << 60)) return std::nullopt;
  return v;
}

}  // namespace

int64_t CurrentRssBytes() {
  std::ifstream in("/proc/self/statm");
  int64_t size = 0, resident = 0;
  if (!(in >> size >> resident)) return 0;
  return resident * static_cast<int64_t>(sysconf(_SC_PAGESIZE));
}

int64_t AvailableMemoryBytes() {
  int64_t physical = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  int64_t limit = physical;
  for (const char* path :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    if (auto v = ReadLimitFile(path)) limit = std::min(limit, *v);
  }
  return limit;
}

int64_t DefaultMemoryLimitBytes() {
  return std::max<int64_t>(AvailableMemoryBytes() / 4, int64_t{256} << 20);
}

Result<int64_t> ParseByteSize(std::string_view text, std::string_view flag) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  double value = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || value < 0) {
    return UsageError("{} expects a size such as 256MB or 1GiB, got '{}'", flag, text);
  }
  std::string unit(p, s.data() + s.size());
  std::transform(unit.begin(), unit.end(), unit.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  double scale = 0;
  if (unit.empty() || unit == "b") {
    scale = 1;
  } else if (unit == "k" || unit == "kb" || unit == "kib") {
    scale = 1024.0;
  } else if (unit == "m" || unit == "mb" || unit == "mib") {
    scale = 1024.0 * 1024;
  } else if (unit == "g" || unit == "gb" || unit == "gib") {
    scale = 1024.0 * 1024 * 1024;
  } else {
    return UsageError("{}: unknown unit '{}' in '{}' (use B, KB, MB or GB)", flag, unit, text);
  }
  // Zero is not "the default" but a mistake; the upper bound keeps the byte count an int64.
  const double bytes = value * scale;
  if (bytes < 1024 || bytes > 1024.0 * 1024 * 1024 * 1024 * 1024) {
    return UsageError("{} must be between 1KB and 1PB, got '{}'", flag, text);
  }
  return static_cast<int64_t>(bytes);
}

MemoryMonitor::MemoryMonitor(std::chrono::milliseconds period) : period_(period) {
  Sample();
  thread_ = std::thread([this] {
    while (!stop_.load(std::memory_order_relaxed)) {
      std::this_thread::sleep_for(period_);
      Sample();
    }
  });
}

MemoryMonitor::~MemoryMonitor() {
  stop_ = true;
  thread_.join();
}

void MemoryMonitor::Sample() {
  int64_t rss = CurrentRssBytes();
  current_.store(rss, std::memory_order_relaxed);
  int64_t peak = peak_.load(std::memory_order_relaxed);
  while (rss > peak && !peak_.compare_exchange_weak(peak, rss)) {
  }
  sum_.fetch_add(rss, std::memory_order_relaxed);
  samples_.fetch_add(1, std::memory_order_relaxed);
}

int64_t MemoryMonitor::average_bytes() const {
  int64_t n = samples_.load();
  return n ? sum_.load() / n : 0;
}

}  // namespace ocpagg
