#pragma once
// cte_ocp_node_label_line_item_daily and cte_ocp_namespace_label_line_item_daily for one day
// (docs/semantics.md "Node and namespace labels"): the set of DISTINCT filtered label maps per node
// and per namespace. Usually one; when the enabled labels of a node or namespace changed during the
// day there are several, and every pod and storage row joining them is counted once per map
// (docs/semantics.md "Multiplicity traps" trap 1).

#include <absl/container/flat_hash_map.h>

#include <span>
#include <vector>

#include "ocpagg/aggregate/string_pool.h"
#include "ocpagg/koku/label_set.h"

namespace ocpagg {

class LabelDimensions {
 public:
  // One node-label (namespace-label) daily row, its labels already filtered. NULL nodes and
  // namespaces are dropped: they never satisfy the join's equality.
  void AddNode(StringId node, LabelSetId labels) { AddTo(nodes_, node, labels); }
  void AddNamespace(StringId namespace_, LabelSetId labels) {
    AddTo(namespaces_, namespace_, labels);
  }

  // The distinct label maps of a node (namespace); empty when it has no label row that day.
  // May hold kNullLabelSet (Trino, NULL label text): the joins coalesce it to {}, but it is
  // still a distinct row of the CTE.
  std::span<const LabelSetId> NodeLabels(StringId node) const { return Find(nodes_, node); }
  std::span<const LabelSetId> NamespaceLabels(StringId namespace_) const {
    return Find(namespaces_, namespace_);
  }

  // Folds in another partial state, translating its ids.
  void Merge(const LabelDimensions& other, const IdRemap& remap);
  // Appends the string and label-set ids this state refers to (with repeats).
  void CollectIds(std::vector<StringId>& strings, std::vector<LabelSetId>& labels) const;
  bool empty() const { return nodes_.empty() && namespaces_.empty(); }

  size_t ApproximateMemoryBytes() const;

 private:
  using Map = absl::flat_hash_map<StringId, std::vector<LabelSetId>>;
  void AddTo(Map& map, StringId key, LabelSetId labels);
  static std::span<const LabelSetId> Find(const Map& map, StringId key);

  Map nodes_;
  Map namespaces_;
  size_t label_ids_ = 0;  // ids held in the maps' vectors
};

}  // namespace ocpagg
