#include "ocpagg/aggregate/pod_usage.h"

#include <algorithm>
#include <deque>
#include <string>
#include <tuple>

#include "ocpagg/aggregate/sql_fold.h"
#include "ocpagg/aggregate/units.h"

namespace ocpagg {

size_t PodUsageAggregator::Slot(const PodGroupKey& key) {
  auto [it, inserted] = index_.try_emplace(key, static_cast<uint32_t>(keys_.size()));
  if (inserted) {
    keys_.push_back(key);
    sums_.emplace_back();
    nodes_.insert(key.node);
  }
  return it->second;
}

void PodGroupSums::Fold(const PodGroupSums& other, int times, StringId other_max_resource_id,
                        const StringPool& strings) {
  const double k = times;
  usage_cpu_core_seconds += other.usage_cpu_core_seconds * k;
  request_cpu_core_seconds += other.request_cpu_core_seconds * k;
  effective_usage_cpu_core_seconds += other.effective_usage_cpu_core_seconds * k;
  limit_cpu_core_seconds += other.limit_cpu_core_seconds * k;
  usage_memory_byte_seconds += other.usage_memory_byte_seconds * k;
  request_memory_byte_seconds += other.request_memory_byte_seconds * k;
  effective_usage_memory_byte_seconds += other.effective_usage_memory_byte_seconds * k;
  limit_memory_byte_seconds += other.limit_memory_byte_seconds * k;
  max_resource_id = MaxString(strings, max_resource_id, other_max_resource_id);
  FoldMax(max_node_capacity_cpu_cores, other.max_node_capacity_cpu_cores);
  FoldMax(max_node_capacity_memory_bytes, other.max_node_capacity_memory_bytes);
}

uint32_t PodUsageAggregator::AddKeys(StringId namespace_, StringId node, LabelSetId pod_labels,
                                     StringId resource_id, const StringPool& strings) {
  const auto group = static_cast<uint32_t>(Slot(PodGroupKey{namespace_, node, pod_labels}));
  PodGroupSums& s = sums_[group];
  s.max_resource_id = MaxString(strings, s.max_resource_id, resource_id);
  return group;
}

// coalesce(effective, greatest(usage, request)) per daily row (docs/semantics.md "Pod rows"): only
// daily files older than the effective-usage columns take the fallback, and there it is the max of
// the daily sums, not a sum of hourly maxima.
void PodUsageAggregator::AddCpu(uint32_t group, const PodUsageRow& row) {
  PodGroupSums& s = sums_[group];
  s.usage_cpu_core_seconds += row.pod_usage_cpu_core_seconds;
  s.request_cpu_core_seconds += row.pod_request_cpu_core_seconds;
  s.limit_cpu_core_seconds += row.pod_limit_cpu_core_seconds;
  s.effective_usage_cpu_core_seconds += row.pod_effective_usage_cpu_core_seconds.value_or(
      Greatest(row.pod_usage_cpu_core_seconds, row.pod_request_cpu_core_seconds));
}

void PodUsageAggregator::AddMemory(uint32_t group, const PodUsageRow& row) {
  PodGroupSums& s = sums_[group];
  s.usage_memory_byte_seconds += row.pod_usage_memory_byte_seconds;
  s.request_memory_byte_seconds += row.pod_request_memory_byte_seconds;
  s.limit_memory_byte_seconds += row.pod_limit_memory_byte_seconds;
  s.effective_usage_memory_byte_seconds += row.pod_effective_usage_memory_byte_seconds.value_or(
      Greatest(row.pod_usage_memory_byte_seconds, row.pod_request_memory_byte_seconds));
}

void PodUsageAggregator::AddCapacity(uint32_t group, const PodUsageRow& row) {
  PodGroupSums& s = sums_[group];
  FoldMax(s.max_node_capacity_cpu_cores, row.node_capacity_cpu_cores);
  FoldMax(s.max_node_capacity_memory_bytes, row.node_capacity_memory_bytes);
}

void PodUsageAggregator::Merge(const PodUsageAggregator& other, const IdRemap& remap,
                               const StringPool& strings) {
  for (size_t i = 0; i < other.keys_.size(); ++i) {
    const PodGroupKey& k = other.keys_[i];
    const PodGroupKey mine{remap.String(k.namespace_), remap.String(k.node),
                           remap.Labels(k.labels)};
    const size_t slot = Slot(mine);
    sums_[slot].Fold(other.sums_[i], 1, remap.String(other.sums_[i].max_resource_id), strings);
  }
}

void PodUsageAggregator::AddGroup(const PodGroupKey& key, const PodGroupSums& sums,
                                  const StringPool& strings) {
  sums_[Slot(key)].Fold(sums, 1, sums.max_resource_id, strings);
}

Status PodUsageAggregator::Finish(DayContext& ctx, EmitRow emit) const {
  const bool postgres = ctx.compat == Compat::kPostgres;
  // PostgreSQL: COALESCE(max(capacity), 0); Trino: NULL when no capacity row joins
  // (docs/semantics.md "PostgreSQL and Trino differences": no capacity row).
  auto capacity = [postgres](const std::optional<double>& v) -> std::optional<double> {
    if (v) return v;
    return postgres ? std::optional<double>(0.0) : std::nullopt;
  };
  std::optional<double> cluster_cpu;
  std::optional<double> cluster_memory;
  if (ctx.capacity.cluster) {
    cluster_cpu = ctx.capacity.cluster->cpu_core_seconds;
    cluster_memory = ctx.capacity.cluster->memory_byte_seconds;
  }
  cluster_cpu = capacity(cluster_cpu);
  cluster_memory = capacity(cluster_memory);

  auto row_of = [&](StringId namespace_, StringId node, std::optional<std::string>&& labels,
                    const PodGroupSums& s) {
    SummaryRow row;
    row.data_source = DataSource::kPod;
    row.usage_start = ctx.day;
    row.namespace_ = ctx.strings.Copy(namespace_);
    row.node = ctx.strings.Copy(node);
    row.resource_id = ctx.strings.Copy(s.max_resource_id);
    if (labels) {
      row.all_labels = *labels;
      row.pod_labels = std::move(labels);
    }
    row.cost_category_id = ctx.CategoryJoin(namespace_).max_category_id;
    row.metric(Metric::kPodUsageCpuCoreHours) = Hours(s.usage_cpu_core_seconds);
    row.metric(Metric::kPodRequestCpuCoreHours) = Hours(s.request_cpu_core_seconds);
    row.metric(Metric::kPodEffectiveUsageCpuCoreHours) = Hours(s.effective_usage_cpu_core_seconds);
    row.metric(Metric::kPodLimitCpuCoreHours) = Hours(s.limit_cpu_core_seconds);
    row.metric(Metric::kPodUsageMemoryGigabyteHours) = GibHours(s.usage_memory_byte_seconds);
    row.metric(Metric::kPodRequestMemoryGigabyteHours) = GibHours(s.request_memory_byte_seconds);
    row.metric(Metric::kPodEffectiveUsageMemoryGigabyteHours) =
        GibHours(s.effective_usage_memory_byte_seconds);
    row.metric(Metric::kPodLimitMemoryGigabyteHours) = GibHours(s.limit_memory_byte_seconds);
    row.metric(Metric::kNodeCapacityCpuCores) = s.max_node_capacity_cpu_cores;
    if (s.max_node_capacity_memory_bytes) {
      row.metric(Metric::kNodeCapacityMemoryGigabytes) = Gib(*s.max_node_capacity_memory_bytes);
    }
    std::optional<double> node_cpu;
    std::optional<double> node_memory;
    if (auto it = ctx.capacity.nodes.find(node); it != ctx.capacity.nodes.end()) {
      node_cpu = it->second.cpu_core_seconds;
      node_memory = it->second.memory_byte_seconds;
    }
    if (auto v = capacity(node_cpu)) row.metric(Metric::kNodeCapacityCpuCoreHours) = Hours(*v);
    if (auto v = capacity(node_memory)) {
      row.metric(Metric::kNodeCapacityMemoryGigabyteHours) = GibHours(*v);
    }
    if (cluster_cpu) row.metric(Metric::kClusterCapacityCpuCoreHours) = Hours(*cluster_cpu);
    if (cluster_memory) {
      row.metric(Metric::kClusterCapacityMemoryGigabyteHours) = GibHours(*cluster_memory);
    }
    row.has_infrastructure_usage_cost = true;
    return row;
  };

  // The joins of docs/semantics.md "Pod rows": each (node labels, namespace labels) pair of a group
  // makes one merged label map, and the cost-category matches multiply the sums (docs/semantics.md
  // "Multiplicity traps"). Merged maps of different groups can coincide, but only within one
  // (namespace, node): the groups are joined one (namespace, node) at a time. A merged map is only
  // written out, so it is kept as its JSON text, not interned in the day's label sets (which would
  // hold every group's map until the day is done).
  std::vector<uint32_t> order(keys_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return std::tie(keys_[a].namespace_, keys_[a].node) <
           std::tie(keys_[b].namespace_, keys_[b].node);
  });
  // The joined groups of one (namespace, node), in first-seen order: their merged labels (nullopt:
  // NULL) and sums, and the slot of each merged map's text. A deque keeps the texts in place for
  // the views that key them.
  std::deque<std::optional<std::string>> joined_labels;
  std::vector<PodGroupSums> joined_sums;
  absl::flat_hash_map<std::string_view, uint32_t, StringViewHash, StringViewEq> slot_of_json;
  constexpr uint32_t kNoSlot = UINT32_MAX;
  uint32_t null_slot = kNoSlot;  // of the NULL merged map
  std::string json;
  std::vector<LabelSetId> node_and_namespace;
  for (size_t begin = 0; begin < order.size();) {
    const PodGroupKey& first = keys_[order[begin]];
    size_t end = begin;
    joined_labels.clear();
    joined_sums.clear();
    slot_of_json.clear();
    null_slot = kNoSlot;
    const int category_rows = ctx.CategoryJoin(first.namespace_).joined_rows;
    // Each (node labels, namespace labels) pair of the join, merged: the same for every group of
    // this (namespace, node).
    node_and_namespace.clear();
    for (LabelSetId node_labels : ctx.NodeLabelsOrEmpty(first.node)) {
      for (LabelSetId namespace_labels : ctx.NamespaceLabelsOrEmpty(first.namespace_)) {
        node_and_namespace.push_back(ctx.labels.Merge(DayContext::CoalesceEmpty(node_labels),
                                                      DayContext::CoalesceEmpty(namespace_labels)));
      }
    }
    for (; end < order.size() && keys_[order[end]].namespace_ == first.namespace_ &&
           keys_[order[end]].node == first.node;
         ++end) {
      const uint32_t i = order[end];
      const PodGroupKey& k = keys_[i];
      for (LabelSetId left : node_and_namespace) {
        json.clear();
        const bool not_null = ctx.labels.AppendMergedJson(left, k.labels, json);
        uint32_t slot;
        if (!not_null) {
          if (null_slot == kNoSlot) {
            null_slot = static_cast<uint32_t>(joined_sums.size());
            joined_labels.emplace_back();
            joined_sums.emplace_back();
          }
          slot = null_slot;
        } else if (auto it = slot_of_json.find(json); it != slot_of_json.end()) {
          slot = it->second;
        } else {
          slot = static_cast<uint32_t>(joined_sums.size());
          slot_of_json.emplace(*joined_labels.emplace_back(json), slot);
          joined_sums.emplace_back();
        }
        joined_sums[slot].Fold(sums_[i], category_rows, sums_[i].max_resource_id, ctx.strings);
      }
    }
    slot_of_json.clear();  // before the texts move out to the rows
    for (size_t g = 0; g < joined_sums.size(); ++g) {
      ARROW_RETURN_NOT_OK(
          emit(row_of(first.namespace_, first.node, std::move(joined_labels[g]), joined_sums[g])));
    }
    begin = end;
  }
  return Status::OK();
}

size_t PodUsageAggregator::ApproximateMemoryBytes() const {
  return index_.capacity() * (sizeof(std::pair<PodGroupKey, uint32_t>) + 1) +
         keys_.capacity() * sizeof(PodGroupKey) + sums_.capacity() * sizeof(PodGroupSums) +
         nodes_.capacity() * (sizeof(StringId) + 1);
}

}  // namespace ocpagg
