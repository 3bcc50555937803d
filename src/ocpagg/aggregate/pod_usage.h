#pragma once
// The Pod branch of koku's statement (ii) (docs/semantics.md "Pod rows"): daily pod rows grouped by
// (day, namespace, node, merged labels), with the node and cluster capacity of docs/semantics.md
// "Capacity".
//
// The join fan-outs (several label maps of a node or namespace, several matching cost-category
// patterns: docs/semantics.md "Multiplicity traps") depend on rows that may arrive after the pod
// rows, so the sink keeps partial sums per (namespace, node, filtered pod labels), and Finish
// applies the joins: every daily row of one such group meets the same label maps and patterns, so
// fanning out the group's sums equals fanning out each row.

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <optional>
#include <vector>

#include "ocpagg/aggregate/chunked_vector.h"
#include "ocpagg/aggregate/day_context.h"
#include "ocpagg/aggregate/row_output.h"
#include "ocpagg/aggregate/string_pool.h"
#include "ocpagg/koku/input_rows.h"
#include "ocpagg/koku/label_set.h"
#include "ocpagg/koku/summary_row.h"

namespace ocpagg {

// The group of a daily pod row before the label joins: (namespace, node, filtered pod labels).
struct PodGroupKey {
  StringId namespace_;
  StringId node;
  LabelSetId labels;
  bool operator==(const PodGroupKey&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const PodGroupKey& k) {
    return H::combine(std::move(h), k.namespace_, k.node, k.labels);
  }
};

// The aggregates of one group, in koku's input units (seconds, bytes).
struct PodGroupSums {
  double usage_cpu_core_seconds = 0;
  double request_cpu_core_seconds = 0;
  double effective_usage_cpu_core_seconds = 0;
  double limit_cpu_core_seconds = 0;
  double usage_memory_byte_seconds = 0;
  double request_memory_byte_seconds = 0;
  double effective_usage_memory_byte_seconds = 0;
  double limit_memory_byte_seconds = 0;
  StringId max_resource_id = kNullString;
  std::optional<double> max_node_capacity_cpu_cores;
  std::optional<double> max_node_capacity_memory_bytes;

  // Adds `other` counted `times` times (a join fan-out); other_max_resource_id must already be
  // in the pool `strings` of this group.
  void Fold(const PodGroupSums& other, int times, StringId other_max_resource_id,
            const StringPool& strings);
};

class PodUsageAggregator {
 public:
  // One daily pod row whose node is neither NULL nor '' (the caller applies `li.node != ''`),
  // its strings interned and its pod labels filtered, in steps (rows may be read a few columns
  // at a time): AddKeys gives the row's group (created when new; its index stays valid until
  // the aggregator is merged or moved), then AddCpu, AddMemory and AddCapacity add its numbers.
  uint32_t AddKeys(StringId namespace_, StringId node, LabelSetId pod_labels, StringId resource_id,
                   const StringPool& strings);
  void AddCpu(uint32_t group, const PodUsageRow& row);       // the four CPU columns
  void AddMemory(uint32_t group, const PodUsageRow& row);    // the four memory columns
  void AddCapacity(uint32_t group, const PodUsageRow& row);  // max node capacity

  // Folds in another partial state; `strings` is this state's pool (for max(resource_id)).
  void Merge(const PodUsageAggregator& other, const IdRemap& remap, const StringPool& strings);
  // Folds in one partial group whose ids are already of `strings` (a spilled group read back).
  void AddGroup(const PodGroupKey& key, const PodGroupSums& sums, const StringPool& strings);

  // The partial groups, in first-seen order.
  size_t partial_group_count() const { return keys_.size(); }
  const PodGroupKey& key(size_t i) const { return keys_[i]; }
  const PodGroupSums& sums(size_t i) const { return sums_[i]; }

  // Emits the day's Pod rows, (namespace, node) by (namespace, node).
  Status Finish(DayContext& ctx, EmitRow emit) const;

  // Distinct nodes of the groups: an upper bound for the day's unallocated rows per pattern.
  size_t node_count() const { return nodes_.size(); }
  size_t ApproximateMemoryBytes() const;

 private:
  size_t Slot(const PodGroupKey& key);

  absl::flat_hash_map<PodGroupKey, uint32_t> index_;
  ChunkedVector<PodGroupKey> keys_;  // groups in first-seen order: the summation order
  ChunkedVector<PodGroupSums> sums_;
  absl::flat_hash_set<StringId> nodes_;
};

}  // namespace ocpagg
