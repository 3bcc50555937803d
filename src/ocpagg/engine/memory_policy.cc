#include "ocpagg/engine/memory_policy.h"

#include <sys/resource.h>

#include <algorithm>
#include <bit>
#include <cmath>

namespace ocpagg {
namespace {

constexpr int64_t kMiB = 1 << 20;
// Before any day is known: what a state might hold per input row, generously.
constexpr int64_t kGuessedStateBytesPerRow = 64;

}  // namespace

uint64_t OpenFilesLimit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur != RLIM_INFINITY) return r.rlim_cur;
  return 1024;
}

MemoryPolicy::MemoryPolicy(const MemoryShares& shares, int workers, bool spill, uint64_t open_files)
    : shares_(shares), workers_(std::max(workers, 1)), spill_(spill), open_files_(open_files) {}

int64_t MemoryPolicy::ResidentBytes(size_t approximate_bytes) {
  return static_cast<int64_t>(approximate_bytes) * 5 / 4;
}

int64_t MemoryPolicy::SliceRows() const {
  const int64_t batch = std::max<int64_t>(shares_.batch_rows, 1);
  const int64_t rows =
      shares_.state_bytes / (2 * static_cast<int64_t>(workers_) * kStateBytesPerRow);
  return std::max(batch, rows / batch * batch);
}

int64_t MemoryPolicy::RowsBetweenChecks(bool in_passes) const {
  if (in_passes) return SliceRows();
  return std::max<int64_t>(shares_.batch_rows, 1);
}

StateVerdict MemoryPolicy::CheckState(const MemoryUse& use, int64_t growth_bytes,
                                      int64_t state_bytes, int64_t day_bytes,
                                      bool has_groups) const {
  const bool states_over = use.states_bytes + growth_bytes > shares_.state_bytes;
  const bool process_near_limit = use.process_bytes > shares_.limit_bytes / 20 * 17;
  if (!states_over && !process_near_limit) return StateVerdict::kKeep;
  if (!spill_) {
    // Without spilling, other days in flight only slow intake; a day that alone outgrows the
    // states' share, or a process at its limit, must stop before the kernel stops it.
    if (day_bytes <= shares_.state_bytes && use.process_bytes <= shares_.limit_bytes) {
      return StateVerdict::kKeep;
    }
    return StateVerdict::kTooLarge;
  }
  // Let the large states go first; a small one spilling frees little and costs a run. When
  // only the process is near its limit (reading, writing, the allocator), not the states,
  // spilling small states would not bring it down: only a large share is worth it then.
  const int64_t worth_spilling =
      states_over ? std::max(std::min(kMiB / 4, shares_.state_bytes / 4),
                             shares_.state_bytes / (16 * static_cast<int64_t>(workers_)))
                  : shares_.state_bytes / (2 * static_cast<int64_t>(workers_));
  if (state_bytes < worth_spilling || !has_groups) return StateVerdict::kKeep;
  return StateVerdict::kSpill;
}

uint32_t MemoryPolicy::MaxSpillPartitions() const {
  // Stay well inside the limit, even with several days spilling at once.
  const uint64_t usable = open_files_ > 512 ? open_files_ - 256 : open_files_ / 2;
  const uint64_t per_partition = 2ull * static_cast<uint64_t>(workers_) * 4;
  const uint64_t p = std::bit_floor(std::max<uint64_t>(usable / per_partition, 1));
  return static_cast<uint32_t>(std::clamp<uint64_t>(p, kMinSpillPartitions, kMaxSpillPartitions));
}

uint32_t MemoryPolicy::SpillPartitions(int64_t rows_read, int64_t day_estimated_rows,
                                       int64_t day_bytes) const {
  const double rows_done =
      std::max<double>(1, static_cast<double>(rows_read) * static_cast<double>(workers_));
  // A state grows more slowly than the rows it has read (their groups repeat): the
  // extrapolation overestimates the day.
  const double growth = std::clamp(static_cast<double>(day_estimated_rows) / rows_done, 1.0, 4.0);
  const double whole_day_bytes = static_cast<double>(day_bytes) * growth;
  const double share =
      std::max<double>(static_cast<double>(shares_.state_bytes), static_cast<double>(kMiB));
  const auto wanted = static_cast<uint64_t>(std::ceil(2.0 * workers_ * whole_day_bytes / share));
  return std::clamp<uint32_t>(static_cast<uint32_t>(std::bit_ceil(std::max<uint64_t>(wanted, 1))),
                              kMinSpillPartitions, MaxSpillPartitions());
}

bool MemoryPolicy::SpillsAtCombine(const MemoryUse& use, size_t states,
                                   int64_t largest_state_bytes) const {
  return spill_ && states > 1 && use.states_bytes + largest_state_bytes > shares_.state_bytes;
}

int64_t MemoryPolicy::FinalizingBytes(int64_t state_bytes, bool spilled) {
  return spilled ? state_bytes : 2 * state_bytes;
}

int64_t MemoryPolicy::ExpectedDayBytes(int64_t state_bytes, bool spilled) const {
  return spilled ? shares_.state_bytes : FinalizingBytes(state_bytes, spilled);
}

int64_t MemoryPolicy::GuessedDayBytes(const RunPlan& plan) {
  int64_t guess = 0;
  for (const auto& d : plan.days)
    guess = std::max(guess, d.estimated_rows * kGuessedStateBytesPerRow);
  return guess;
}

bool MemoryPolicy::AdmitsDay(const MemoryUse& use, int in_flight, int max_in_flight,
                             int64_t expected_day_bytes) const {
  if (in_flight == 0) return true;
  return in_flight < max_in_flight && expected_day_bytes * (in_flight + 1) <= shares_.state_bytes &&
         use.states_bytes + expected_day_bytes <= shares_.state_bytes &&
         use.process_bytes <= shares_.limit_bytes / 4 * 3;
}

}  // namespace ocpagg
