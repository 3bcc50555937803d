#pragma once
// Real process memory, sampled: resident set size from /proc (what the kernel and an OOM killer
// see), not allocator counters. The engine uses it to slow intake before the memory limit and
// the run report uses its peak and average.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <thread>

#include "ocpagg/common/status.h"

namespace ocpagg {

// Resident set size of this process, in bytes (0 if /proc is unavailable).
int64_t CurrentRssBytes();
// The memory this process may use: the cgroup limit (v2 memory.max, or v1) if any, else the
// machine's physical memory.
int64_t AvailableMemoryBytes();
// The default --memory-limit: a quarter of AvailableMemoryBytes(), at least 256 MiB.
int64_t DefaultMemoryLimitBytes();
// Parses "256MB", "1GiB", "512M", "1073741824" (decimal and binary suffixes both mean powers of
// 1024, as users of memory limits expect). Usage error naming `flag` when malformed.
Result<int64_t> ParseByteSize(std::string_view text, std::string_view flag);

// Samples RSS every `period` on a background thread while alive.
class MemoryMonitor {
 public:
  explicit MemoryMonitor(std::chrono::milliseconds period = std::chrono::milliseconds(10));
  ~MemoryMonitor();
  MemoryMonitor(const MemoryMonitor&) = delete;
  MemoryMonitor& operator=(const MemoryMonitor&) = delete;

  int64_t current_bytes() const { return current_.load(std::memory_order_relaxed); }
  int64_t peak_bytes() const { return peak_.load(std::memory_order_relaxed); }
  int64_t average_bytes() const;

 private:
  void Sample();

  std::atomic<int64_t> current_{0}, peak_{0}, sum_{0}, samples_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::chrono::milliseconds period_;
};

}  // namespace ocpagg
