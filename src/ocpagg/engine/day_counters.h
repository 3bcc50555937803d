#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "ocpagg/source/koku_tables.h"

namespace ocpagg {

// The wall time during which at least one thread was in a phase of the run. Several workers are
// in one phase at once, and phases overlap (days are read while others are written), so a sum
// over threads would exceed the run's wall time; this never does. Thread-safe.
class PhaseClock {
 public:
  // In the phase from construction to destruction.
  class Scope {
   public:
    explicit Scope(PhaseClock& clock) : clock_(clock) { clock_.Enter(); }
    ~Scope() { clock_.Leave(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    PhaseClock& clock_;
  };

  void Enter() {
    std::lock_guard<std::mutex> lock(mu_);
    if (active_++ == 0) since_ = Clock::now();
  }
  void Leave() {
    std::lock_guard<std::mutex> lock(mu_);
    if (--active_ == 0) nanos_ += std::chrono::nanoseconds(Clock::now() - since_).count();
  }
  double seconds() const {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<double>(nanos_) / 1e9;
  }

 private:
  using Clock = std::chrono::steady_clock;
  mutable std::mutex mu_;
  int active_ = 0;
  Clock::time_point since_;
  int64_t nanos_ = 0;
};

// What the day engine did, summed over days (thread-safe counters).
struct DayEngineCounters {
  std::array<std::atomic<int64_t>, kInputTableCount> rows_read{};
  PhaseClock scan;       // reading and adding rows (Sink)
  PhaseClock aggregate;  // merging partial states, joins and row building (Combine, Finalize)
  PhaseClock write;      // inside the target
  std::atomic<int64_t> pod_rows{0}, storage_rows{0}, unallocated_rows{0};
  std::atomic<int> days_with_rows{0}, days_spilled{0};
  std::atomic<int64_t> spill_bytes{0};
};

}  // namespace ocpagg
