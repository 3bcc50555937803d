#pragma once
// How one --memory-limit is shared out (docs/engine.md "The memory limit"). All figures are
// resident bytes:
//   baseline  the process before the first day: code, libraries, plan, node roles (measured)
//   reading   per worker: one decoded batch and the Parquet reader's column buffers
//   writing   per day being written: a chunk of rows and one Parquet row group
//   state     the rest: the aggregation states (DaySummary) of the days in flight
// The engine accounts the states it holds (their own O(1) estimates) against the state share,
// and a watchdog samples the real resident size of the process. What is done when either is
// high (intake waits, a state spills, or the run stops with exit code 5 rather than being
// killed) is decided by MemoryPolicy (engine/memory_policy.h).

#include <atomic>
#include <cstdint>

#include "ocpagg/engine/memory_monitor.h"

namespace ocpagg {

struct MemoryShares {
  int64_t limit_bytes = 0;
  int64_t baseline_bytes = 0;
  int workers = 1;                // workers reading at once
  int64_t batch_rows = 0;         // rows per decoded Parquet batch
  int64_t read_buffer_bytes = 0;  // per column stream of an open row group
  int64_t reading_bytes = 0;
  int64_t writing_bytes = 0;
  int64_t state_bytes = 0;  // what remains for aggregation states
};

// What the costliest row group of the input holds while it is read (WorkUnit::page_bytes and
// columns of the plan's worst unit).
struct ReadCost {
  int64_t page_bytes = 0;
  int columns = 0;
};

// What a day being written holds in the target (a chunk of rows, the writer's buffers).
inline constexpr int64_t kWritingBytesPerDay = 4 << 20;
// The least the aggregation states can work in, spilling included.
inline constexpr int64_t kMinStateBytes = 4 << 20;

// Splits `limit_bytes` for a process of `baseline_bytes`, up to `workers` reading threads that
// each read at most `costliest`, and up to `writers` days written at once. Under small limits
// the batches and read buffers shrink first (down to 4,096 rows and 32 KiB), then fewer
// workers read at once, so that the states keep at least kMinStateBytes where that is possible
// at all. A preferred batch size (0: choose) is kept as given.
MemoryShares ShareMemory(int64_t limit_bytes, int64_t baseline_bytes, int workers, int writers,
                         int64_t preferred_batch_rows, ReadCost costliest);

// Memory in use at one moment: what the memory decisions (engine/memory_policy.h) look at.
struct MemoryUse {
  int64_t states_bytes = 0;   // the aggregation states, as accounted
  int64_t process_bytes = 0;  // the process's resident size, as last sampled
};

// The accounts of the aggregation states against their share, and the process's resident size.
// What to do about them is MemoryPolicy's to decide.
class MemoryBudget {
 public:
  MemoryBudget(const MemoryShares& shares, const MemoryMonitor& monitor)
      : shares_(shares), monitor_(monitor) {}

  const MemoryShares& shares() const { return shares_; }
  const MemoryMonitor& monitor() const { return monitor_; }

  // Moves an account (one worker's state) from `accounted` to `now` bytes; `accounted` is
  // updated. Thread-safe.
  void Update(int64_t& accounted, int64_t now) {
    state_in_use_.fetch_add(now - accounted, std::memory_order_relaxed);
    accounted = now;
  }
  // Closes an account: its bytes are no longer held.
  void Release(int64_t& accounted) { Update(accounted, 0); }
  int64_t state_in_use() const { return state_in_use_.load(std::memory_order_relaxed); }

  MemoryUse use() const { return {state_in_use(), monitor_.current_bytes()}; }

 private:
  const MemoryShares shares_;
  const MemoryMonitor& monitor_;
  std::atomic<int64_t> state_in_use_{0};
};

}  // namespace ocpagg
