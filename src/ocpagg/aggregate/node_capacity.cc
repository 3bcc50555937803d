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
  for (size_t slot = 0; slot < other.slot_nodes_.size(); ++slot) {
    const HourMax* theirs = &other.day_hours_[slot * kHoursPerDay];
    if (std::none_of(theirs, theirs + kHoursPerDay, [](const HourMax& h) { return h.seen; })) {
      continue;
    }
    HourMax* mine = &day_hours_[static_cast<size_t>(Slot(remap.String(other.slot_nodes_[slot]))) *
                                kHoursPerDay];
    for (size_t h = 0; h < kHoursPerDay; ++h) mine[h].Fold(theirs[h]);
  }
  for (const auto& [key, theirs] : other.other_hours_) {
    other_hours_[HourKey{key.interval_start_millis, remap.String(key.node)}].Fold(theirs);
  }
  any_ = any_ || other.any_;
}

DayCapacity NodeCapacity::Finish() const {
  DayCapacity out;
  if (!any_) return out;
  std::vector<std::pair<HourKey, HourMax>> hours(other_hours_.begin(), other_hours_.end());
  for (size_t slot = 0; slot < slot_nodes_.size(); ++slot) {
    for (size_t h = 0; h < kHoursPerDay; ++h) {
      const HourMax& hour = day_hours_[slot * kHoursPerDay + h];
      if (!hour.seen) continue;
      hours.push_back(
          {HourKey{day_start_millis_ + static_cast<int64_t>(h) * kMillisPerHour, slot_nodes_[slot]},
           hour});
    }
  }
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
