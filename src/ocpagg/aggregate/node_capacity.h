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
#include "ocpagg/koku/date.h"

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
  // The capacity of day `day`'s hours. Rows on the day's whole hours (koku's hourly
  // interval_start) go to a table of 24 hours per node, without hashing; any other timestamp to
  // a hash table of its own. Both give the same sums.
  explicit NodeCapacity(Date day = 0)
      : day_start_millis_(static_cast<int64_t>(day) * kMillisPerDay) {}
  NodeCapacity(NodeCapacity&&) noexcept = default;
  NodeCapacity& operator=(NodeCapacity&&) noexcept = default;
  NodeCapacity(const NodeCapacity&) = delete;
  NodeCapacity& operator=(const NodeCapacity&) = delete;

  // The slot of a node: its place in the table of hours, made on first use.
  uint32_t Slot(StringId node) {
    auto [it, inserted] = slots_.try_emplace(node, static_cast<uint32_t>(slot_nodes_.size()));
    if (inserted) {
      slot_nodes_.push_back(node);
      day_hours_.resize(day_hours_.size() + kHoursPerDay);
    }
    return it->second;
  }
  // One hourly pod row on the node of slot `slot`: the max of its hour.
  void AddAt(uint32_t slot, int64_t interval_start_millis,
             std::optional<double> node_capacity_cpu_core_seconds,
             std::optional<double> node_capacity_memory_byte_seconds) {
    const int64_t offset = interval_start_millis - day_start_millis_;
    HourMax* hour;
    if (offset >= 0 && offset < kMillisPerDay && offset % kMillisPerHour == 0) {
      hour = &day_hours_[static_cast<size_t>(slot) * kHoursPerDay +
                         static_cast<size_t>(offset / kMillisPerHour)];
    } else {
      hour = &other_hours_[HourKey{interval_start_millis, slot_nodes_[slot]}];
    }
    hour->seen = true;
    hour->Fold(node_capacity_cpu_core_seconds, node_capacity_memory_byte_seconds);
    any_ = true;
  }
  // The same by node id.
  void Add(int64_t interval_start_millis, StringId node,
           std::optional<double> node_capacity_cpu_core_seconds,
           std::optional<double> node_capacity_memory_byte_seconds) {
    AddAt(Slot(node), interval_start_millis, node_capacity_cpu_core_seconds,
          node_capacity_memory_byte_seconds);
  }

  // Folds in another partial state of the same day, translating its node ids.
  void Merge(const NodeCapacity& other, const IdRemap& remap);
  // Appends the node ids this state refers to (with repeats).
  void CollectNodeIds(std::vector<StringId>& nodes) const {
    nodes.insert(nodes.end(), slot_nodes_.begin(), slot_nodes_.end());
    for (const auto& [key, hour] : other_hours_) nodes.push_back(key.node);
  }
  bool empty() const { return !any_; }

  // The node and cluster totals. Hours are summed in time order, so the result does not depend
  // on hash-table order.
  DayCapacity Finish() const;

  size_t ApproximateMemoryBytes() const {
    return day_hours_.capacity() * sizeof(HourMax) + slot_nodes_.capacity() * sizeof(StringId) +
           slots_.capacity() * (sizeof(std::pair<StringId, uint32_t>) + 1) +
           other_hours_.capacity() * (sizeof(std::pair<HourKey, HourMax>) + 1);
  }

 private:
  static constexpr int64_t kMillisPerHour = 3'600'000;
  static constexpr size_t kHoursPerDay = 24;

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
  // was NULL; `seen`: some row of the hour was.
  struct HourMax {
    double cpu_core_seconds = 0;
    double memory_byte_seconds = 0;
    bool has_cpu = false;
    bool has_memory = false;
    bool seen = false;
    void Fold(std::optional<double> cpu, std::optional<double> memory) {
      FoldOne(cpu_core_seconds, has_cpu, cpu);
      FoldOne(memory_byte_seconds, has_memory, memory);
    }
    void Fold(const HourMax& other) {
      if (other.has_cpu) FoldOne(cpu_core_seconds, has_cpu, other.cpu_core_seconds);
      if (other.has_memory) FoldOne(memory_byte_seconds, has_memory, other.memory_byte_seconds);
      seen = seen || other.seen;
    }
    // SQL max(): NULL loses; NaN wins, as PostgreSQL orders it.
    static void FoldOne(double& acc, bool& has, std::optional<double> v) {
      if (!v) return;
      if (!has || std::isnan(*v) || (!std::isnan(acc) && *v > acc)) acc = *v;
      has = true;
    }
  };

  int64_t day_start_millis_;
  absl::flat_hash_map<StringId, uint32_t> slots_;
  std::vector<StringId> slot_nodes_;
  std::vector<HourMax> day_hours_;  // kHoursPerDay per slot
  absl::flat_hash_map<HourKey, HourMax> other_hours_;
  bool any_ = false;
};

}  // namespace ocpagg
