#pragma once
// Sink, the first of DuckDB's three verbs (docs/engine.md "A day"): the row groups of a day are
// read by whichever workers are free, each worker into a local state of its own
// (DayLocalState), checked against the memory budget as it grows; as MemoryPolicy decides, a
// state is kept, spilled to disk by namespace partition (aggregate/day_spill.h) to go on empty,
// or found too large (exit code 5). What the workers of one day share is its DayGlobalState,
// which Combine (engine/day_engine.h) then merges the local states into.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "ocpagg/aggregate/day_spill.h"
#include "ocpagg/aggregate/day_summary.h"
#include "ocpagg/common/status.h"
#include "ocpagg/engine/allocator_hooks.h"
#include "ocpagg/engine/day_counters.h"
#include "ocpagg/engine/day_plan.h"
#include "ocpagg/engine/first_error.h"
#include "ocpagg/engine/memory_budget.h"
#include "ocpagg/engine/memory_policy.h"
#include "ocpagg/engine/spill_area.h"
#include "ocpagg/engine/unit_scan.h"

namespace ocpagg {

// What every worker of one day shares while the day is read.
struct DayGlobalState {
  explicit DayGlobalState(const DayPlan& plan) : plan(plan) {}

  const DayPlan& plan;
  FirstError error;
  std::atomic<int64_t> state_bytes{0};  // the accounts of every local state of the day
  std::atomic<size_t> workers_joined{0};
  // The pods the day's storage rows name (they are read first): once known, a local state
  // keeps only their pod mounts.
  ClaimedPods claimed;
  bool claims_known = false;
  // Where the day spills, decided by its first spill (under `spill_mu`).
  std::mutex spill_mu;
  uint32_t spill_partitions = 0;
  std::string spill_dir;
};

// One worker's part of one day.
struct DayLocalState {
  // An empty state for the worker that joins `day` as its `index`-th.
  DayLocalState(const SummarySettings& settings, DayGlobalState& day, size_t index);

  size_t index;                           // the order its worker joined in: the merge order
  DaySummary state;                       // the partial aggregation
  ClaimedPods claimed;                    // the pods its storage rows name
  std::unique_ptr<DaySpillWriter> spill;  // open from its first spill on
  int64_t accounted_bytes = 0;            // what `state` holds against the budget
  int64_t spilled_rows = 0;               // rows read into earlier, spilled, states
};

// The prefix of the spill files one worker writes for a day (aggregate/day_spill.h).
std::string SpillPrefixOf(const DayLocalState& local);

class DaySink {
 public:
  // Every reference must outlive the sink. `spill` null: spilling is disabled.
  DaySink(const UnitSource& source, MemoryBudget& budget, const MemoryPolicy& policy,
          SpillArea* spill, const AllocatorHooks& allocator, DayEngineCounters& counters);

  // Reads the rows of `day` in one row group into `local`, checking the state against the budget
  // before (room for what the unit may add before its first check) and as it grows. Thread-safe
  // for distinct local states.
  Status Sink(DayGlobalState& day, DayLocalState& local, const WorkUnit& unit);
  // Writes `local`'s groups to the day's spill files (creating them on the day's first spill)
  // and goes on with its dimensions only.
  Status Spill(DayGlobalState& day, DayLocalState& local);

 private:
  // Whether a unit is read in column passes (SinkPodUnitInPasses).
  bool ReadsInPasses(const WorkUnit& unit) const;
  Status SinkUnit(DayGlobalState& day, DayLocalState& local, const WorkUnit& unit);
  Status SinkCapacityUnit(DayGlobalState& day, DayLocalState& local, const WorkUnit& unit,
                          int64_t* rows);
  Status SinkPodUnitInPasses(DayGlobalState& day, DayLocalState& local, const WorkUnit& unit,
                             int64_t* rows);
  // Accounts `local`'s state; then keeps, spills or refuses it, as the policy says of the
  // states grown by `growth_bytes`.
  Status Check(DayGlobalState& day, DayLocalState& local, int64_t growth_bytes = 0);
  void Account(DayGlobalState& day, DayLocalState& local);

  const UnitSource& source_;
  MemoryBudget& budget_;
  const MemoryPolicy& policy_;
  SpillArea* spill_;
  const AllocatorHooks& allocator_;
  DayEngineCounters& counters_;
  std::once_flag first_spill_;  // AllocatorHooks::on_first_spill runs once
};

}  // namespace ocpagg
