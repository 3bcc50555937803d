#pragma once
// One day of the summary (docs/engine.md "A day"), in DuckDB's three verbs:
//   Sink      the day's row groups go to whichever workers are free, costliest first (storage
//             first: ClaimedPods); each worker that takes part reads into a local state of its
//             own, spilling it as the memory policy decides (engine/day_sink.h);
//   Combine   the local states are merged in the order their workers joined, in memory, or, for
//             a day that spilled or whose merge would overrun the budget, on disk: every group
//             spilled by namespace partition, the dimensions merged in memory (AggregatedDay);
//   Finalize  the day's rows stream to the target, partition by partition: a day in memory is a
//             day of one partition, a spilled one is read back one partition at a time
//             (aggregate/day_finalize.h).
// Every memory decision (when to check, spill, merge on disk, admit another day) is
// MemoryPolicy's (engine/memory_policy.h); this class carries them out.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ocpagg/aggregate/day_summary.h"
#include "ocpagg/aggregate/node_roles.h"
#include "ocpagg/common/status.h"
#include "ocpagg/engine/allocator_hooks.h"
#include "ocpagg/engine/day_counters.h"
#include "ocpagg/engine/day_plan.h"
#include "ocpagg/engine/day_sink.h"
#include "ocpagg/engine/memory_budget.h"
#include "ocpagg/engine/memory_policy.h"
#include "ocpagg/engine/row_sink.h"
#include "ocpagg/engine/spill_area.h"
#include "ocpagg/engine/unit_scan.h"

namespace ocpagg {

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

// The node roles the unallocated rows need (docs/semantics.md "Node roles"), called before each day
// is written: the first call may run koku's nodes query while other days are still being
// aggregated, and every caller waits for it (collaborating on its work).
using RolesProvider = std::function<Result<const NodeRoleTable*>()>;

class DayEngine {
 public:
  // Every reference must outlive the engine. `spill` null: spilling is disabled.
  DayEngine(const UnitSource& source, const SummarySettings& settings, MemoryBudget& budget,
            SpillArea* spill, int lanes, RolesProvider roles, RowSink& target,
            AllocatorHooks allocator = {});

  // Sink + Combine. Thread-safe: several days may be aggregated at once. With `share_workers`,
  // idle workers join in (a local state each, merged at the end); without, the day stays on
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
  Result<std::unique_ptr<AggregatedDay>> Combine(DayGlobalState& day,
                                                 std::vector<DayLocalState> locals);
  Status Finalize(AggregatedDay& day, const NodeRoleTable& roles, WriteRowChunk write);
  // One partition of a day: in memory, the day's state (taken); spilled, the day's dimensions
  // and what every worker spilled there (`with_pods` false: the storage groups and pod mounts
  // alone, which the volume node count needs).
  Result<DaySummary> LoadPartition(AggregatedDay& day, uint32_t p, bool with_pods) const;
  void RaiseExpectedDayBytes(int64_t bytes);
  void ReleaseFreeMemory() const;

  const SummarySettings& settings_;
  MemoryBudget& budget_;
  SpillArea* spill_;
  const int lanes_;
  RolesProvider roles_;
  RowSink& target_;
  const AllocatorHooks allocator_;
  const MemoryPolicy policy_;
  DayEngineCounters counters_;
  DaySink sink_;
  std::atomic<int64_t> expected_day_bytes_{-1};
};

}  // namespace ocpagg
