#pragma once
// cte_ocp_node_capacity and cte_ocp_cluster_capacity for one day (docs/semantics.md "Capacity"),
// from the HOURLY pod table: per (interval_start, node) the max capacity over that hour's pod rows,
// then per node the sum over the hours present (missing hours lower it), then the cluster as the
// sum over nodes. No `node != ''` filter here: a '' or NULL node's capacity counts in the cluster's
// even though its pods make no pod rows (golden 08_effective_usage).

#include <absl/container/flat_hash_map.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "ocpagg/aggregate/string_pool.h"

namespace ocpagg {

// Capacity of a node or of the cluster over the day; NULL when every input value was NULL.
struct CapacityTotals {
  std::optional<double> cpu_core_seconds;
  std::optional<double> memory_byte_seconds;
};

struct DayCapacity {
  absl::flat_hash_map<StringId, CapacityTotals> nodes;
  // The cluster row exists when any hourly row of the day exists.
  std::optional<CapacityTotals> cluster;
};

class NodeCapacity {
 public:
  NodeCapacity() = default;
  // Moves drop the last-slot cache: a slot pointer need not survive a table move.
  NodeCapacity(NodeCapacity&& other) noexcept : hours_(std::move(other.hours_)) {}
  NodeCapacity& operator=(NodeCapacity&& other) noexcept {
    hours_ = std::move(other.hours_);
    last_ = nullptr;
    return *this;
  }
  NodeCapacity(const NodeCapacity&) = delete;
  NodeCapacity& operator=(const NodeCapacity&) = delete;

  // One hourly pod row: a hash update keyed by (interval_start, node).
  void Add(int64_t interval_start_millis, StringId node,
           std::optional<double> node_capacity_cpu_core_seconds,
           std::optional<double> node_capacity_memory_byte_seconds) {
    const HourKey key{interval_start_millis, node};
    if (last_ == nullptr || !(last_key_ == key)) {
      auto [it, inserted] = hours_.try_emplace(key);
      last_ = &it->second;  // stable until the next insertion, which resets it
      last_key_ = key;
    }
    last_->Fold(node_capacity_cpu_core_seconds, node_capacity_memory_byte_seconds);
  }

  // Folds in another partial state, translating its node ids.
  void Merge(const NodeCapacity& other, const IdRemap& remap);
  // Appends the node ids this state refers to (with repeats).
  void CollectNodeIds(std::vector<StringId>& nodes) const {
    for (const auto& [key, hour] : hours_) nodes.push_back(key.node);
  }
  bool empty() const { return hours_.empty(); }

  // The node and cluster totals. Hours are summed in time order, so the result does not depend
  // on hash-table order.
  DayCapacity Finish() const;

  size_t ApproximateMemoryBytes() const {
    return hours_.capacity() * (sizeof(std::pair<HourKey, HourMax>) + 1);
  }

 private:
  struct HourKey {
    int64_t interval_start_millis;
    StringId node;
    bool operator==(const HourKey&) const = default;
    template <typename H>
    friend H AbslHashValue(H h, const HourKey& k) {
      return H::combine(std::move(h), k.interval_start_millis, k.node);
    }
  };
  // max(node_capacity_*) of one (hour, node); a has_* flag is false while every value seen
  // was NULL.
  struct HourMax {
    double cpu_core_seconds = 0;
    double memory_byte_seconds = 0;
    bool has_cpu = false;
    bool has_memory = false;
    void Fold(std::optional<double> cpu, std::optional<double> memory) {
      FoldOne(cpu_core_seconds, has_cpu, cpu);
      FoldOne(memory_byte_seconds, has_memory, memory);
    }
    // SQL max(): NULL loses; NaN wins, as PostgreSQL orders it.
    static void FoldOne(double& acc, bool& has, std::optional<double> v) {
      if (!v) return;
      if (!has || std::isnan(*v) || (!std::isnan(acc) && *v > acc)) acc = *v;
      has = true;
    }
  };

  absl::flat_hash_map<HourKey, HourMax> hours_;
  HourMax* last_ = nullptr;
  HourKey last_key_{0, kNullString};
};

}  // namespace ocpagg
