#include "ocpagg/koku/summary_row.h"

namespace ocpagg {

std::string_view DataSourceName(DataSource s) { return s == DataSource::kPod ? "Pod" : "Storage"; }

bool IsUnallocatedNamespace(std::string_view namespace_) {
  static constexpr std::array<std::string_view, 4> kNames = {
      "Platform unallocated", "Worker unallocated", "Network unattributed", "Storage unattributed"};
  for (std::string_view name : kNames) {
    if (namespace_ == name) return true;
  }
  return false;
}

std::string_view MetricColumnName(Metric m) {
  static constexpr std::array<std::string_view, kMetricCount> kNames = {
      "pod_usage_cpu_core_hours",
      "pod_request_cpu_core_hours",
      "pod_effective_usage_cpu_core_hours",
      "pod_limit_cpu_core_hours",
      "pod_usage_memory_gigabyte_hours",
      "pod_request_memory_gigabyte_hours",
      "pod_effective_usage_memory_gigabyte_hours",
      "pod_limit_memory_gigabyte_hours",
      "node_capacity_cpu_cores",
      "node_capacity_cpu_core_hours",
      "node_capacity_memory_gigabytes",
      "node_capacity_memory_gigabyte_hours",
      "cluster_capacity_cpu_core_hours",
      "cluster_capacity_memory_gigabyte_hours",
      "persistentvolumeclaim_capacity_gigabyte",
      "persistentvolumeclaim_capacity_gigabyte_months",
      "volume_request_storage_gigabyte_months",
      "persistentvolumeclaim_usage_gigabyte_months",
  };
  return kNames[static_cast<size_t>(m)];
}

}  // namespace ocpagg
