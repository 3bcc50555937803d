#include "ocpagg/aggregate/node_capacity.h"

#include <algorithm>
#include <vector>

#include "ocpagg/aggregate/sql_fold.h"

namespace ocpagg {
namespace {

// SQL sum(): NULL inputs are skipped; all NULL gives NULL.
void FoldSum(std::optional<double>& acc, bool has, double v) {
  if (!has) return;
  acc = acc.value_or(0.0) + v;
}

}  // namespace

void NodeCapacity::Merge(const NodeCapacity& other, const IdRemap& remap) {
  last_ = nullptr;
  for (const auto& [key, theirs] : other.hours_) {
    HourMax& mine = hours_[HourKey{key.interval_start_millis, remap.String(key.node)}];
    if (theirs.has_cpu)
      HourMax::FoldOne(mine.cpu_core_seconds, mine.has_cpu, theirs.cpu_core_seconds);
    if (theirs.has_memory) {
      HourMax::FoldOne(mine.memory_byte_seconds, mine.has_memory, theirs.memory_byte_seconds);
    }
  }
}

DayCapacity NodeCapacity::Finish() const {
  DayCapacity out;
  if (hours_.empty()) return out;
  std::vector<std::pair<HourKey, HourMax>> hours(hours_.begin(), hours_.end());
  std::sort(hours.begin(), hours.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.node, a.first.interval_start_millis) <
           std::tie(b.first.node, b.first.interval_start_millis);
  });
  CapacityTotals cluster;
  size_t i = 0;
  while (i < hours.size()) {
    const StringId node = hours[i].first.node;
    CapacityTotals totals;
    for (; i < hours.size() && hours[i].first.node == node; ++i) {
      FoldSum(totals.cpu_core_seconds, hours[i].second.has_cpu, hours[i].second.cpu_core_seconds);
      FoldSum(totals.memory_byte_seconds, hours[i].second.has_memory,
              hours[i].second.memory_byte_seconds);
    }
    FoldSum(cluster.cpu_core_seconds, totals.cpu_core_seconds);
    FoldSum(cluster.memory_byte_seconds, totals.memory_byte_seconds);
    out.nodes.emplace(node, totals);
  }
  out.cluster = cluster;
  return out;
}

}  // namespace ocpagg
