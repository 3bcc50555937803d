#pragma once
// Finalize, the last of DuckDB's three verbs: a day's rows from its combined state. Every day is
// finalized as a day whose groups are split in partitions by namespace (aggregate/day_spill.h):
// a day held in memory is one partition, its whole state; a spilled day has several on disk,
// each read back alone. For any number of partitions the steps are:
//   1. the volume node count (cte_shared_volume_node_count, docs/semantics.md "Storage rows")
//      over every partition, the one join of the day that crosses namespaces; a day of one
//      partition counts it as it finishes;
//   2. each partition's Pod and Storage rows ("Pod rows", "Storage rows"), its Pod rows folded
//      for statement (iii) as they go;
//   3. statement (iii), the unallocated rows ("Unallocated rows"), over the whole day, after the
//      rows of every partition, by whoever finishes the last one.
// Who loads the partitions, how many at once, and with what memory is the engine's business
// (engine/day_engine.h); what is computed from them is this class's.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "ocpagg/aggregate/cost_categories.h"
#include "ocpagg/aggregate/day_summary.h"
#include "ocpagg/aggregate/node_roles.h"
#include "ocpagg/aggregate/row_output.h"
#include "ocpagg/aggregate/storage_usage.h"
#include "ocpagg/aggregate/unallocated.h"
#include "ocpagg/common/status.h"
#include "ocpagg/koku/date.h"
#include "ocpagg/koku/settings.h"

namespace ocpagg {

class DayFinalize {
 public:
  // The rows of `day`, in `partitions` partitions. With `in_order`, the partitions are finished
  // one at a time in increasing order and fold straight into the day's unallocated fold;
  // otherwise each folds apart, and the folds merge in partition order (so that the sums do not
  // depend on which partition finished first). `roles` must outlive this.
  static Result<std::unique_ptr<DayFinalize>> Make(const SummarySettings& settings, Date day,
                                                   const NodeRoleTable& roles, uint32_t partitions,
                                                   bool in_order);
  DayFinalize(const DayFinalize&) = delete;
  DayFinalize& operator=(const DayFinalize&) = delete;

  uint32_t partitions() const { return partitions_; }

  // Step 1, for a day of several partitions: one partition's volume nodes, from a state of the
  // day holding that partition's storage groups and pod mounts. Thread-safe; every partition's
  // must be added before the first FinishPartition.
  void AddVolumeNodes(const DaySummary& storage);

  // Steps 2 and 3: partition `p`'s Pod and Storage rows, from `piece` (the day's dimensions and
  // the partition's groups, which it takes and frees), written through `out`; when `p` is the
  // last partition to finish, the day's unallocated rows follow in `out`. `out` is flushed on
  // return. Thread-safe for distinct partitions (in increasing order with `in_order`). After an
  // error the day is not finished.
  Status FinishPartition(uint32_t p, DaySummary&& piece, RowChunker& out);

 private:
  DayFinalize(CostCategoryMatcher categories, Date day, const NodeRoleTable& roles,
              uint32_t partitions, bool in_order);
  const VolumeNodeCounts* Counts();

  const CostCategoryMatcher categories_;
  const Date day_;
  const NodeRoleTable& roles_;
  const uint32_t partitions_;
  const bool in_order_;

  std::mutex volume_mu_;
  VolumeNodes volume_nodes_;
  std::once_flag counted_;
  VolumeNodeCounts counts_;

  std::mutex fold_mu_;
  UnallocatedCapacity day_fold_;
  std::map<uint32_t, UnallocatedCapacity> pending_folds_;  // finished out of order
  uint32_t next_fold_ = 0;
  uint32_t finished_ = 0;
};

}  // namespace ocpagg
