#pragma once
// All of one day's summary state: docs/semantics.md "The summary SQL" for one usage_start. koku's
// SQL never mixes two days (docs/semantics.md "One day at a time"), so a day is the unit of work.
// DuckDB-style verbs: the Add* methods are the per-worker Sink (rows of this day only, any order,
// any mix of tables), Merge is Combine, and Finalize is DayFinalize (aggregate/day_finalize.h), of
// which FinishPiece is one partition's part.
//
// Memory grows with the distinct groups of the day (label sets, (hour, node) capacity cells,
// pod groups, distinct pod mounts, storage groups), never with the number of input rows.

#include <optional>
#include <string_view>
#include <vector>

#include "ocpagg/aggregate/cost_categories.h"
#include "ocpagg/aggregate/day_spill.h"
#include "ocpagg/aggregate/label_dimensions.h"
#include "ocpagg/aggregate/node_capacity.h"
#include "ocpagg/aggregate/node_roles.h"
#include "ocpagg/aggregate/pod_usage.h"
#include "ocpagg/aggregate/row_output.h"
#include "ocpagg/aggregate/storage_usage.h"
#include "ocpagg/aggregate/string_pool.h"
#include "ocpagg/aggregate/unallocated.h"
#include "ocpagg/common/status.h"
#include "ocpagg/koku/date.h"
#include "ocpagg/koku/input_rows.h"
#include "ocpagg/koku/label_set.h"
#include "ocpagg/koku/settings.h"
#include "ocpagg/koku/summary_row.h"

namespace ocpagg {

// The pods that the day's storage rows name, by namespace: only their pod rows can place a
// volume on a node (cte_volume_nodes joins on namespace and pod), so only theirs need to be kept
// as pod mounts. A pod row is checked in two steps, its namespace (once per dictionary code of a
// batch) and then its pod, so the rows of namespaces without claims cost no lookup of the pod.
class ClaimedPods {
 public:
  // NamespaceOf's answer for a namespace without claims (or NULL, which never joins).
  static constexpr uint32_t kNoClaims = 0xFFFFFFFE;

  void Add(std::optional<std::string_view> namespace_, std::optional<std::string_view> pod);
  // The rest is thread-safe (const) while nothing is added.
  uint32_t NamespaceOf(std::optional<std::string_view> namespace_) const;
  // `namespace_` from NamespaceOf.
  bool ContainsPod(uint32_t namespace_, std::optional<std::string_view> pod) const;
  void Merge(const ClaimedPods& other);

 private:
  StringKeyedMap<uint32_t> namespaces_;  // namespace -> index into pods_
  std::vector<StringSet> pods_;
};

class DaySummary {
 public:
  // `settings` must outlive this state.
  DaySummary(const SummarySettings& settings, Date usage_start);
  DaySummary(DaySummary&&) noexcept = default;
  DaySummary& operator=(DaySummary&&) noexcept = default;
  DaySummary(const DaySummary&) = delete;
  DaySummary& operator=(const DaySummary&) = delete;

  // A node-label daily row (docs/semantics.md "Node and namespace labels"). Fails when the label
  // text is not a JSON object.
  Status AddNodeLabels(const NodeLabelRow& row);
  // A namespace-label daily row (docs/semantics.md "Node and namespace labels"). Fails like
  // AddNodeLabels.
  Status AddNamespaceLabels(const NamespaceLabelRow& row);
  // An hourly pod row (docs/semantics.md "Capacity").
  void AddCapacity(const PodCapacityRow& row);
  // The same in two steps, for a batch whose node column is dictionary-encoded: the node's
  // capacity slot once per distinct node, then each row by slot, without string work. Slots
  // stay valid while no spill or merge intervenes.
  uint32_t CapacitySlot(std::optional<std::string_view> node) {
    return capacity_.Slot(strings_.Intern(node));
  }
  void AddCapacityAt(uint32_t slot, int64_t interval_start_millis,
                     std::optional<double> node_capacity_cpu_core_seconds,
                     std::optional<double> node_capacity_memory_byte_seconds) {
    ++rows_added_;
    capacity_.AddAt(slot, interval_start_millis, node_capacity_cpu_core_seconds,
                    node_capacity_memory_byte_seconds);
  }
  // Keeps pod mounts only for the pods in `claimed` (every pod row's when never called); it
  // must hold every pod the day's storage rows name, and outlive this state and the states
  // DimensionsOnly() makes from it.
  void RestrictMountsTo(const ClaimedPods* claimed) { claimed_ = claimed; }
  // What RestrictMountsTo set: nullptr while every pod row is kept as a mount.
  const ClaimedPods* mounts_restricted_to() const { return claimed_; }

  // A daily pod row, a partial aggregate (docs/semantics.md "Daily partial aggregates", "Pod
  // rows"). Rows on a NULL or '' node make no pod row but still place their pod's volumes
  // (docs/semantics.md "Volume nodes"). Fails on invalid pod label text.
  Status AddPodUsage(const PodUsageRow& row);
  // The same in steps, for a wide row group read a few columns at a time: AddPodKeys reads the
  // row's keys and gives its group, or kNoPodGroup when the row makes no pod row (a NULL or ''
  // node: it still places its pod's volumes); then AddPodCpu, AddPodMemory and AddPodCapacity
  // add the row's numbers to that group. Groups stay valid while no spill or merge intervenes.
  static constexpr uint32_t kNoPodGroup = 0xFFFFFFFF;
  Result<uint32_t> AddPodKeys(const PodUsageRow& row);
  // AddPodKeys with the row's strings already interned and its pod labels already filtered,
  // for a batch whose key columns are dictionary-encoded: InternString and FilterPodLabels once
  // per dictionary code, then each row by ids. `row` gives the namespace, node and pod; `ids`
  // the rest (labels only when MakesPodRow). Ids stay valid while no spill or merge intervenes.
  struct PodKeyIds {
    StringId namespace_ = kNullString, node = kNullString, resource_id = kNullString;
    LabelSetId labels = kEmptyLabelSet;
    // ClaimedPods::NamespaceOf the row's namespace when known; looked up by name otherwise.
    std::optional<uint32_t> claims;
  };
  uint32_t AddPodKeyIds(const PodUsageRow& row, const PodKeyIds& ids);
  StringId InternString(std::optional<std::string_view> s) { return strings_.Intern(s); }
  // The enabled labels of `pod_labels`, a pod label text of `row`; fails naming the row's pod on
  // invalid text.
  Result<LabelSetId> FilterPodLabels(std::optional<std::string_view> pod_labels,
                                     const PodUsageRow& row);
  // `li.node != ''` (docs/semantics.md "Pod rows"), which is not true for NULL either: only such
  // rows make pod rows, and only theirs labels are looked at.
  static bool MakesPodRow(const PodUsageRow& row) { return row.node && !row.node->empty(); }
  void AddPodCpu(uint32_t group, const PodUsageRow& row) { pods_.AddCpu(group, row); }
  void AddPodMemory(uint32_t group, const PodUsageRow& row) { pods_.AddMemory(group, row); }
  void AddPodCapacity(uint32_t group, const PodUsageRow& row) { pods_.AddCapacity(group, row); }
  // A daily storage row (docs/semantics.md "Storage rows"). Fails on invalid volume or claim label
  // text.
  Status AddStorageUsage(const StorageUsageRow& row);

  // Folds another partial state of the same day into this one. The result does not depend on
  // which worker saw which row, only (through float summation order) on the merge order.
  void Merge(DaySummary&& other);

  // The day's rows, handed to `write` in bounded chunks: Pod rows, then Storage rows, then the
  // unallocated rows computed from the Pod rows (docs/semantics.md "Pod rows", "Storage rows",
  // "Unallocated rows"). `roles` is reporting_ocp_nodes after this run's upsert. This is
  // DayFinalize (aggregate/day_finalize.h) of a day in one partition, this state.
  Status Finish(const NodeRoleTable& roles, WriteRowChunk write) &&;
  // The same rows, collected into one vector (tests and small inputs).
  Result<std::vector<SummaryRow>> Finish(const NodeRoleTable& roles) &&;
  // The Pod and Storage rows of this state, one partition of its day (DayFinalize's step 2),
  // added to `out`; the Pod rows are also folded into `unallocated`. `counts` is the day's
  // volume node count over every partition, or null when this state is the whole day.
  Status FinishPiece(const CostCategoryMatcher& categories, const VolumeNodeCounts* counts,
                     UnallocatedCapacity& unallocated, RowChunker& out) &&;

  // --- A day too large for memory, summarized in pieces (aggregate/day_spill.h) ---
  //
  // Writes this state's groups (pod groups, storage groups, pod mounts) as one run into `out`,
  // each to the partition of its namespace. The state is unchanged: the caller replaces it by
  // DimensionsOnly() to free the groups.
  Status SpillGroups(DaySpillWriter& out) const;
  // A new state of the same day with this state's dimensions (labels of nodes and namespaces,
  // node capacity) and no group.
  DaySummary DimensionsOnly() const;
  // Folds in the groups of one spill stream file, interning its ids into this state.
  Status LoadSpilled(const std::string& stream_path);
  // This state's part of the day's volume node count (cte_shared_volume_node_count).
  void CollectVolumeNodes(VolumeNodes& out) const;
  // True when the state holds any pod group, storage group or pod mount.
  bool has_groups() const;

  Date usage_start() const { return day_; }
  // Rows added (and groups loaded) so far.
  int64_t rows_added() const { return rows_added_; }
  // Bytes held by this state, for the engine's memory budget.
  size_t ApproximateMemoryBytes() const;

 private:
  StringId InternCapacityNode(std::optional<std::string_view> node);

  const SummarySettings* settings_;
  Date day_;
  int64_t rows_added_ = 0;
  StringPool strings_;
  LabelSetTable labels_;
  LabelDimensions dimensions_;
  NodeCapacity capacity_;
  PodUsageAggregator pods_;
  StorageAggregator storage_;
  const ClaimedPods* claimed_ = nullptr;
  // The hourly table repeats a node for every pod of every hour: remember the last one.
  std::string_view last_capacity_node_;
  StringId last_capacity_node_id_ = kNullString;
};

}  // namespace ocpagg
