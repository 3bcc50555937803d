#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "ocpagg/source/koku_tables.h"

namespace ocpagg {

// What the day engine did, summed over days (thread-safe counters).
struct DayEngineCounters {
  std::array<std::atomic<int64_t>, kInputTableCount> rows_read{};
  std::atomic<int64_t> scan_nanos{0};    // reading and adding rows (Sink), summed over workers
  std::atomic<int64_t> finish_nanos{0};  // joins and row building (Finalize)
  std::atomic<int64_t> write_nanos{0};   // inside the target
  std::atomic<int64_t> pod_rows{0}, storage_rows{0}, unallocated_rows{0};
  std::atomic<int> days_with_rows{0}, days_spilled{0};
  std::atomic<int64_t> spill_bytes{0};
};

}  // namespace ocpagg
