#include "ocpagg/aggregate/unallocated.h"

#include <absl/container/flat_hash_map.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "ocpagg/aggregate/sql_fold.h"
#include "ocpagg/koku/label_set.h"

namespace ocpagg {
namespace {

// The six pod metrics that become "capacity minus usage", each with its capacity column.
struct UnallocatedMetric {
  Metric metric;
  Metric capacity;
};
constexpr std::array<UnallocatedMetric, 6> kUnallocatedMetrics = {{
    {Metric::kPodUsageCpuCoreHours, Metric::kNodeCapacityCpuCoreHours},
    {Metric::kPodRequestCpuCoreHours, Metric::kNodeCapacityCpuCoreHours},
    {Metric::kPodEffectiveUsageCpuCoreHours, Metric::kNodeCapacityCpuCoreHours},
    {Metric::kPodUsageMemoryGigabyteHours, Metric::kNodeCapacityMemoryGigabyteHours},
    {Metric::kPodRequestMemoryGigabyteHours, Metric::kNodeCapacityMemoryGigabyteHours},
    {Metric::kPodEffectiveUsageMemoryGigabyteHours, Metric::kNodeCapacityMemoryGigabyteHours},
}};

// Columns taken as max() over the node's pod rows.
constexpr std::array<Metric, 6> kMaxMetrics = {
    Metric::kNodeCapacityCpuCores,        Metric::kNodeCapacityCpuCoreHours,
    Metric::kNodeCapacityMemoryGigabytes, Metric::kNodeCapacityMemoryGigabyteHours,
    Metric::kClusterCapacityCpuCoreHours, Metric::kClusterCapacityMemoryGigabyteHours,
};

void FoldMaxView(std::optional<std::string_view>& acc, std::optional<std::string_view> v) {
  if (v && (!acc || *acc < *v)) acc = v;
}

void FoldMaxString(std::optional<std::string>& acc, const std::optional<std::string>& v) {
  if (v && (!acc || *acc < *v)) acc = v;
}

bool IsExcluded(const std::optional<std::string>& namespace_) {
  return !namespace_ || IsUnallocatedNamespace(*namespace_);
}

std::optional<std::string> NamespaceOfRole(std::optional<std::string_view> role) {
  if (role == "master" || role == "infra") return "Platform unallocated";
  if (role == "worker") return "Worker unallocated";
  return std::nullopt;
}

}  // namespace

UnallocatedCapacity::NodeGroup& UnallocatedCapacity::Group(std::string_view node) {
  auto [it, inserted] = index_.try_emplace(node, groups_.size());
  if (inserted) {
    groups_.emplace_back();
    groups_.back().node = std::string(node);
  }
  return groups_[it->second];
}

void UnallocatedCapacity::AddPodRow(const SummaryRow& r) {
  if (r.data_source != DataSource::kPod || !r.node || IsExcluded(r.namespace_)) return;
  NodeGroup& g = Group(*r.node);
  FoldMaxString(g.max_resource_id, r.resource_id);
  // LEFT JOIN cte_node_role ON node AND resource_id: a NULL resource_id matches nothing. A
  // node's rows nearly always share one resource_id: look each one up once.
  if (r.resource_id && r.resource_id != g.last_role_lookup) {
    FoldMaxView(g.max_role, roles_->MaxRole(*r.node, *r.resource_id));
    g.last_role_lookup = r.resource_id;
  }
  for (const auto& m : kUnallocatedMetrics) {
    FoldSum(g.sums[static_cast<size_t>(m.metric)], r.metric(m.metric));
  }
  for (Metric m : kMaxMetrics) FoldMax(g.maxes[static_cast<size_t>(m)], r.metric(m));
}

void UnallocatedCapacity::Merge(const UnallocatedCapacity& other) {
  for (const NodeGroup& o : other.groups_) {
    NodeGroup& g = Group(o.node);
    FoldMaxString(g.max_resource_id, o.max_resource_id);
    FoldMaxView(g.max_role, o.max_role);
    for (const auto& m : kUnallocatedMetrics) {
      const auto i = static_cast<size_t>(m.metric);
      FoldSum(g.sums[i], o.sums[i]);
    }
    for (Metric m : kMaxMetrics) {
      FoldMax(g.maxes[static_cast<size_t>(m)], o.maxes[static_cast<size_t>(m)]);
    }
  }
}

Status UnallocatedCapacity::Emit(const CostCategoryMatcher& categories, Date day,
                                 absl::FunctionRef<Status(SummaryRow&&)> emit) const {
  for (const NodeGroup& g : groups_) {
    SummaryRow row;
    row.data_source = DataSource::kPod;
    row.usage_start = day;
    row.namespace_ = NamespaceOfRole(g.max_role);
    row.node = g.node;
    row.resource_id = g.max_resource_id;
    for (Metric m : kMaxMetrics) row.metric(m) = g.maxes[static_cast<size_t>(m)];
    for (const auto& m : kUnallocatedMetrics) {
      const auto& capacity = g.maxes[static_cast<size_t>(m.capacity)];
      const auto& used = g.sums[static_cast<size_t>(m.metric)];
      if (capacity && used) row.metric(m.metric) = *capacity - *used;
    }
    // all_labels stays {}, pod_labels / volume_labels NULL, infrastructure_usage_cost NULL.
    std::vector<int32_t> ids;
    if (row.namespace_) ids = categories.MatchingIds(*row.namespace_);
    if (ids.empty()) {
      ARROW_RETURN_NOT_OK(emit(std::move(row)));
      continue;
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      SummaryRow copy = (i + 1 == ids.size()) ? std::move(row) : row;
      copy.cost_category_id = ids[i];
      ARROW_RETURN_NOT_OK(emit(std::move(copy)));
    }
  }
  return Status::OK();
}

}  // namespace ocpagg
