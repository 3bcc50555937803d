#pragma once
// The engine's memory decisions, apart from the code that carries them out (docs/engine.md "The
// memory limit", "Spilling", "Days in flight"): how often a worker's state is checked, when it
// spills and into how many partitions, when a day goes to disk at Combine, what finalizing a day
// holds, and when another day may start. Each decision is a function of the shares and of what
// it is shown (a MemoryUse snapshot, a state's size), never of a clock or a global: the tests
// ask with made-up figures (tests/unit/engine_memory_policy_test.cc).

#include <cstdint>

#include "ocpagg/engine/day_plan.h"
#include "ocpagg/engine/memory_budget.h"

namespace ocpagg {

// What a worker does with its partial state after a check.
enum class StateVerdict : uint8_t {
  kKeep,      // go on reading into it
  kSpill,     // write its groups to disk and go on with an empty state
  kTooLarge,  // the day does not fit and may not spill: the run stops (exit code 5)
};

// How many files this process may hold open (spill streams count against it).
uint64_t OpenFilesLimit();

class MemoryPolicy {
 public:
  // The spill partitions of a day: at least this many, and at most kMaxSpillPartitions (a
  // few dozen are plenty: each costs every spilling worker two open streams with their buffers,
  // and partitions are read back one per worker).
  static constexpr uint32_t kMinSpillPartitions = 4;
  static constexpr uint32_t kMaxSpillPartitions = 32;

  // `workers` partial states at once (one per worker), within `shares`; `spill`: whether a day
  // may go to disk; `open_files`: the process's limit on open files.
  MemoryPolicy(const MemoryShares& shares, int workers, bool spill,
               uint64_t open_files = OpenFilesLimit());

  const MemoryShares& shares() const { return shares_; }
  int workers() const { return workers_; }
  bool spills() const { return spill_; }

  // What a state holds in resident memory, from its own count of `approximate_bytes`: what the
  // allocator keeps around its many small blocks comes on top (measured: about a quarter).
  static int64_t ResidentBytes(size_t approximate_bytes);

  // --- Sink ---
  // Rows of a wide row group, read in column passes, between two checks of its worker's state:
  // what half the states' share, split between the workers, can take, in whole batches (at
  // least one).
  int64_t SliceRows() const;
  // Rows a worker reads into its state before checking it: a slice for a row group read in
  // column passes, else a batch.
  int64_t RowsBetweenChecks(bool in_passes) const;
  // What a worker does with its state of `state_bytes`, in a day whose states hold `day_bytes`,
  // when the states may grow by `growth_bytes` before the next check. A state that is not over
  // its share, or too small for spilling it to free much, or without groups to spill, is kept.
  StateVerdict CheckState(const MemoryUse& use, int64_t growth_bytes, int64_t state_bytes,
                          int64_t day_bytes, bool has_groups) const;
  // The partitions of a day that spills for the first time: enough that `workers` of them read
  // back at once and finished (which about doubles a state) fit the states' share. The day's
  // size is extrapolated from the `rows_read` by the spilling worker (every worker is assumed
  // to have read as many) to the plan's `day_estimated_rows`, from its states' `day_bytes`;
  // a power of two in [kMinSpillPartitions, the open-file limit's share].
  uint32_t SpillPartitions(int64_t rows_read, int64_t day_estimated_rows, int64_t day_bytes) const;
  // The most partitions the open-file limit allows: every spilling worker keeps two files per
  // partition open, and several days may spill at once.
  uint32_t MaxSpillPartitions() const;

  // --- Combine ---
  // Whether a day whose `states` partial states did not spill goes to disk at Combine: merging
  // grows the first state to about the largest, `largest_state_bytes`.
  bool SpillsAtCombine(const MemoryUse& use, size_t states, int64_t largest_state_bytes) const;

  // --- Finalize ---
  // What a day of `state_bytes` holds while it is finalized: an in-memory day builds its joined
  // groups beside its partial ones (about twice its state); a spilled day holds its dimensions,
  // and each partition is accounted as it is read back.
  static int64_t FinalizingBytes(int64_t state_bytes, bool spilled);

  // --- Days in flight ---
  // What a day is expected to need, after one of `state_bytes` that did or did not spill: a
  // day that spilled wanted the whole share; one in memory twice its state (finalizing).
  int64_t ExpectedDayBytes(int64_t state_bytes, bool spilled) const;
  // Before any day is known, a guess from the plan's largest day: generous (states hold far less
  // than this per input row), so that only days that surely fit start together.
  static int64_t GuessedDayBytes(const RunPlan& plan);
  // Whether another day may start while `in_flight` days run (at most `max_in_flight`), each of
  // which may come to need `expected_day_bytes`: the days in flight keep their share even where
  // their state is small right now. The first day always starts.
  bool AdmitsDay(const MemoryUse& use, int in_flight, int max_in_flight,
                 int64_t expected_day_bytes) const;

 private:
  const MemoryShares shares_;
  const int workers_;
  const bool spill_;
  const uint64_t open_files_;
};

}  // namespace ocpagg
