#pragma once
// One day of the summary (DESIGN.md "Per day"), in DuckDB's three verbs:
//   Sink      the day's row groups go to whichever workers are free, costliest first (storage
//             first: ClaimedPods); each worker that takes part reads into a partial DaySummary
//             of its own (a lane);
//   Combine   the lanes are merged in the order they opened;
//   Finalize  the day's rows stream to the target, partition by partition: a day in memory is a
//             day of one partition, a spilled one is read back one partition at a time
//             (aggregate/day_finalize.h).
// Memory: every partial state is accounted against the MemoryBudget after each batch (after
// each slice of rows of a wide row group, which is read in column passes). A worker
// whose state would overrun it writes its groups to disk by namespace partition and goes on
// with an empty state (aggregate/day_spill.h); a spilled day is finalized partition by
// partition, each read back alone. With spilling disabled, overrunning the budget is an error
// (exit code 5).

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ocpagg/aggregate/day_summary.h"
#include "ocpagg/aggregate/node_roles.h"
#include "ocpagg/common/status.h"
#include "ocpagg/engine/allocator_hooks.h"
#include "ocpagg/engine/day_plan.h"
#include "ocpagg/engine/memory_budget.h"
#include "ocpagg/engine/memory_policy.h"
#include "ocpagg/engine/spill_area.h"
#include "ocpagg/engine/summary_target.h"
#include "ocpagg/engine/unit_scan.h"

namespace ocpagg {

// What the engine did, summed over days (thread-safe counters).
struct DayEngineCounters {
  std::array<std::atomic<int64_t>, kInputTableCount> rows_read{};
  std::atomic<int64_t> scan_nanos{0};    // reading and adding rows, summed over workers
  std::atomic<int64_t> finish_nanos{0};  // joins and row building (Finalize)
  std::atomic<int64_t> write_nanos{0};   // inside the target
  std::atomic<int64_t> pod_rows{0}, storage_rows{0}, unallocated_rows{0};
  std::atomic<int> days_with_rows{0}, days_spilled{0};
  std::atomic<int64_t> spill_bytes{0};
};

// A day between Combine and Finalize: its dimensions and its groups, the groups in one
// partition held in memory or in several on disk.
struct AggregatedDay {
  AggregatedDay(Date day, DaySummary state) : day(day), state(std::move(state)) {}

  Date day;
  // In memory: the whole day's state. Spilled: the day's dimensions (labels and capacity).
  DaySummary state;
  bool spilled = false;
  // Spilled: the day's stream files, one prefix per worker that spilled, in `spill_partitions`
  // partitions.
  std::string spill_dir;
  std::vector<std::string> spill_prefixes;
  uint32_t spill_partitions = 0;
  int64_t accounted_bytes = 0;  // what the day holds against the budget

  uint32_t partitions() const { return spilled ? spill_partitions : 1; }
};

// The node roles the unallocated rows need (koku.md §3.3), called before each day is written:
// the first call may run koku's nodes query while other days are still being aggregated, and
// every caller waits for it (collaborating on its work).
using RolesProvider = std::function<Result<const NodeRoleTable*>()>;

class DayEngine {
 public:
  // Every reference must outlive the engine. `spill` null: spilling is disabled.
  DayEngine(const UnitSource& source, const SummarySettings& settings, MemoryBudget& budget,
            SpillArea* spill, int lanes, RolesProvider roles, SummaryTarget& target,
            AllocatorHooks allocator = {});

  // Sink + Combine. Thread-safe: several days may be aggregated at once. With `share_workers`,
  // idle workers join in (a partial state each, merged at the end); without, the day stays on
  // the worker that began it, which is cheaper when other days keep the others busy.
  Result<std::unique_ptr<AggregatedDay>> Aggregate(const DayPlan& day, bool share_workers = true);
  // Finalize: the day's rows to the target (WriteRows..., EndDay), then its memory and spill
  // files are released. Days must come one at a time unless the target has IndependentDays().
  Status Write(std::unique_ptr<AggregatedDay> day);

  // The state a day needed at most so far (what admitting another day will cost); nullopt
  // before the first day is aggregated.
  std::optional<int64_t> expected_day_bytes() const;

  const MemoryPolicy& policy() const { return policy_; }
  const DayEngineCounters& counters() const { return counters_; }

 private:
  struct Lane;
  Status AddUnit(const WorkUnit& unit, Date day, Lane& lane);
  Status AddPodUnitInPasses(const WorkUnit& unit, Date day, Lane& lane, int64_t* rows);
  // True for a wide unit read in column passes (AddPodUnitInPasses).
  bool ReadsInPasses(const WorkUnit& unit) const;
  // Accounts the lane's state; then keeps, spills or refuses it, as the policy says of the
  // states grown by `growth_bytes`.
  Status CheckLane(Lane& lane, int64_t growth_bytes = 0);
  Status SpillLane(Lane& lane);
  Status Finalize(AggregatedDay& day, const NodeRoleTable& roles, WriteRowChunk write);
  // One partition of a day: in memory, the day's state (taken); spilled, the day's dimensions
  // and what every worker spilled there (`with_pods` false: the storage groups and pod mounts
  // alone, which the volume node count needs).
  Result<DaySummary> LoadPartition(AggregatedDay& day, uint32_t p, bool with_pods) const;
  void RaiseExpectedDayBytes(int64_t bytes);
  void Release(int64_t& accounted) { budget_.Release(accounted); }
  void ReleaseFreeMemory() const;

  const UnitSource& source_;
  const SummarySettings& settings_;
  MemoryBudget& budget_;
  SpillArea* spill_;
  const int lanes_;
  RolesProvider roles_;
  SummaryTarget& target_;
  const AllocatorHooks allocator_;
  const MemoryPolicy policy_;
  DayEngineCounters counters_;
  std::once_flag tight_memory_;  // AllocatorHooks::on_first_spill runs once
  std::atomic<int64_t> expected_day_bytes_{-1};
};

}  // namespace ocpagg
