#pragma once
// What the pod and storage branches share when a day is finished: the day's interned strings
// and label sets, its label dimensions (docs/semantics.md "Node and namespace labels"), its
// capacity (docs/semantics.md "Capacity") and the cost-category join (docs/semantics.md
// "Multiplicity traps" trap 2), evaluated once per namespace.

#include <absl/container/flat_hash_map.h>

#include "ocpagg/aggregate/cost_categories.h"
#include "ocpagg/aggregate/label_dimensions.h"
#include "ocpagg/aggregate/node_capacity.h"
#include "ocpagg/aggregate/string_pool.h"
#include "ocpagg/koku/date.h"
#include "ocpagg/koku/label_set.h"
#include "ocpagg/koku/settings.h"

namespace ocpagg {

class DayContext {
 public:
  DayContext(Date day, Compat compat, const StringPool& strings, LabelSetTable& labels,
             const LabelDimensions& dimensions, const DayCapacity& capacity,
             const CostCategoryMatcher& categories)
      : day(day),
        compat(compat),
        strings(strings),
        labels(labels),
        dimensions(dimensions),
        capacity(capacity),
        categories_(categories) {}

  // The cost-category join of a namespace id, cached.
  const CostCategoryJoin& CategoryJoin(StringId namespace_) {
    auto [it, inserted] = category_joins_.try_emplace(namespace_);
    if (inserted) it->second = categories_.Join(strings.Get(namespace_));
    return it->second;
  }

  // Node (namespace) label maps for the LEFT JOIN: the day's distinct maps, or a single {}
  // when there is none; NULL maps count as rows but merge as {} (the SQL's COALESCE).
  std::span<const LabelSetId> NodeLabelsOrEmpty(StringId node) const {
    auto sets = dimensions.NodeLabels(node);
    return sets.empty() ? std::span<const LabelSetId>(&kEmpty, 1) : sets;
  }
  std::span<const LabelSetId> NamespaceLabelsOrEmpty(StringId namespace_) const {
    auto sets = dimensions.NamespaceLabels(namespace_);
    return sets.empty() ? std::span<const LabelSetId>(&kEmpty, 1) : sets;
  }
  static LabelSetId CoalesceEmpty(LabelSetId id) {
    return id == kNullLabelSet ? kEmptyLabelSet : id;
  }

  const Date day;
  const Compat compat;
  const StringPool& strings;
  LabelSetTable& labels;
  const LabelDimensions& dimensions;
  const DayCapacity& capacity;

 private:
  static constexpr LabelSetId kEmpty = kEmptyLabelSet;
  const CostCategoryMatcher& categories_;
  absl::flat_hash_map<StringId, CostCategoryJoin> category_joins_;
};

}  // namespace ocpagg
