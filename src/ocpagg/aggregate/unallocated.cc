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

constexpr std::array<std::string_view, 4> kExcludedNamespaces = {
    "Platform unallocated", "Worker unallocated", "Network unattributed", "Storage unattributed"};

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

struct NodeGroup {
  std::string_view node;
  std::optional<std::string_view> max_resource_id;
  std::optional<std::string_view> max_role;
  std::optional<std::string_view> last_role_lookup;
  std::array<std::optional<double>, kMetricCount> sums{};
  std::array<std::optional<double>, kMetricCount> maxes{};
};

void FoldMaxView(std::optional<std::string_view>& acc, std::optional<std::string_view> v) {
  if (v && (!acc || *acc < *v)) acc = v;
}

bool IsExcluded(const std::optional<std::string>& namespace_) {
  if (!namespace_) return true;
  for (std::string_view excluded : kExcludedNamespaces) {
    if (*namespace_ == excluded) return true;
  }
  return false;
}

std::optional<std::string> NamespaceOfRole(std::optional<std::string_view> role) {
  if (role == "master" || role == "infra") return "Platform unallocated";
  if (role == "worker") return "Worker unallocated";
  return std::nullopt;
}

}  // namespace

std::vector<SummaryRow> UnallocatedRows(std::span<const SummaryRow> pod_rows,
                                        const NodeRoleTable& roles,
                                        const CostCategoryMatcher& categories, Date day) {
  absl::flat_hash_map<std::string_view, size_t, StringViewHash, StringViewEq> index;
  std::vector<NodeGroup> groups;
  for (const SummaryRow& r : pod_rows) {
    if (r.data_source != DataSource::kPod || !r.node || IsExcluded(r.namespace_)) continue;
    auto [it, inserted] = index.try_emplace(*r.node, groups.size());
    if (inserted) {
      groups.emplace_back();
      groups.back().node = *r.node;
    }
    NodeGroup& g = groups[it->second];
    std::optional<std::string_view> resource_id;
    if (r.resource_id) resource_id = *r.resource_id;
    FoldMaxView(g.max_resource_id, resource_id);
    // LEFT JOIN cte_node_role ON node AND resource_id: a NULL resource_id matches nothing. A
    // node's rows nearly always share one resource_id: look each one up once.
    if (resource_id && resource_id != g.last_role_lookup) {
      FoldMaxView(g.max_role, roles.MaxRole(*r.node, *resource_id));
      g.last_role_lookup = resource_id;
    }
    for (const auto& m : kUnallocatedMetrics) {
      FoldSum(g.sums[static_cast<size_t>(m.metric)], r.metric(m.metric));
    }
    for (Metric m : kMaxMetrics) FoldMax(g.maxes[static_cast<size_t>(m)], r.metric(m));
  }

  std::vector<SummaryRow> rows;
  for (const NodeGroup& g : groups) {
    SummaryRow row;
    row.data_source = DataSource::kPod;
    row.usage_start = day;
    row.namespace_ = NamespaceOfRole(g.max_role);
    row.node = std::string(g.node);
    if (g.max_resource_id) row.resource_id = std::string(*g.max_resource_id);
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
      rows.push_back(std::move(row));
      continue;
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      SummaryRow copy = (i + 1 == ids.size()) ? std::move(row) : row;
      copy.cost_category_id = ids[i];
      rows.push_back(std::move(copy));
    }
  }
  return rows;
}

}  // namespace ocpagg
