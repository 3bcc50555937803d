#include "ocpagg/aggregate/label_dimensions.h"

#include <algorithm>

namespace ocpagg {

void LabelDimensions::AddTo(Map& map, StringId key, LabelSetId labels) {
  if (key == kNullString) return;
  std::vector<LabelSetId>& sets = map[key];
  if (std::find(sets.begin(), sets.end(), labels) != sets.end()) return;
  sets.push_back(labels);
  ++label_ids_;
}

std::span<const LabelSetId> LabelDimensions::Find(const Map& map, StringId key) {
  auto it = map.find(key);
  if (it == map.end()) return {};
  return it->second;
}

void LabelDimensions::Merge(const LabelDimensions& other, const IdRemap& remap) {
  for (const auto& [node, sets] : other.nodes_) {
    for (LabelSetId id : sets) AddTo(nodes_, remap.String(node), remap.Labels(id));
  }
  for (const auto& [ns, sets] : other.namespaces_) {
    for (LabelSetId id : sets) AddTo(namespaces_, remap.String(ns), remap.Labels(id));
  }
}

void LabelDimensions::CollectIds(std::vector<StringId>& strings,
                                 std::vector<LabelSetId>& labels) const {
  for (const Map* map : {&nodes_, &namespaces_}) {
    for (const auto& [key, sets] : *map) {
      strings.push_back(key);
      labels.insert(labels.end(), sets.begin(), sets.end());
    }
  }
}

size_t LabelDimensions::ApproximateMemoryBytes() const {
  // Each vector holds one id in the usual case; count a small heap block per entry.
  return (nodes_.capacity() + namespaces_.capacity()) * (sizeof(Map::value_type) + 1) +
         (nodes_.size() + namespaces_.size()) * 16 + label_ids_ * sizeof(LabelSetId);
}

}  // namespace ocpagg
