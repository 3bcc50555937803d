#include "ocpagg/koku/report_type.h"

#include <algorithm>
#include <array>
#include <string>

namespace ocpagg {
namespace {

using namespace std::string_view_literals;

// koku's OCP_REPORT_TYPES "columns" sets (masu/util/ocp/common.py), docs/semantics.md "Operator
// reports".
constexpr std::array kPodUsageColumns = {
    "report_period_start"sv,
    "report_period_end"sv,
    "pod"sv,
    "namespace"sv,
    "node"sv,
    "resource_id"sv,
    "interval_start"sv,
    "interval_end"sv,
    "pod_usage_cpu_core_seconds"sv,
    "pod_request_cpu_core_seconds"sv,
    "pod_limit_cpu_core_seconds"sv,
    "pod_usage_memory_byte_seconds"sv,
    "pod_request_memory_byte_seconds"sv,
    "pod_limit_memory_byte_seconds"sv,
    "node_capacity_cpu_cores"sv,
    "node_capacity_cpu_core_seconds"sv,
    "node_capacity_memory_bytes"sv,
    "node_capacity_memory_byte_seconds"sv,
    "pod_labels"sv,
};

constexpr std::array kStorageUsageColumns = {
    "report_period_start"sv,
    "report_period_end"sv,
    "interval_start"sv,
    "interval_end"sv,
    "namespace"sv,
    "pod"sv,
    "persistentvolumeclaim"sv,
    "persistentvolume"sv,
    "storageclass"sv,
    "persistentvolumeclaim_capacity_bytes"sv,
    "persistentvolumeclaim_capacity_byte_seconds"sv,
    "volume_request_storage_byte_seconds"sv,
    "persistentvolumeclaim_usage_byte_seconds"sv,
    "persistentvolume_labels"sv,
    "persistentvolumeclaim_labels"sv,
};

constexpr std::array kNodeLabelColumns = {
    "report_period_start"sv, "report_period_end"sv, "node"sv,
    "interval_start"sv,      "interval_end"sv,      "node_labels"sv,
};

constexpr std::array kNamespaceLabelColumns = {
    "report_period_start"sv, "report_period_end"sv, "interval_start"sv,
    "interval_end"sv,        "namespace"sv,         "namespace_labels"sv,
};

constexpr std::array kVmUsageColumns = {
    "report_period_start"sv,
    "report_period_end"sv,
    "interval_start"sv,
    "interval_end"sv,
    "node"sv,
    "namespace"sv,
    "vm_name"sv,
    "resource_id"sv,
    "vm_instance_type"sv,
    "vm_os"sv,
    "vm_guest_os_arch"sv,
    "vm_guest_os_name"sv,
    "vm_guest_os_version"sv,
    "vm_uptime_total_seconds"sv,
    "vm_cpu_limit_cores"sv,
    "vm_cpu_limit_core_seconds"sv,
    "vm_cpu_request_cores"sv,
    "vm_cpu_request_core_seconds"sv,
    "vm_cpu_request_sockets"sv,
    "vm_cpu_request_socket_seconds"sv,
    "vm_cpu_request_threads"sv,
    "vm_cpu_request_thread_seconds"sv,
    "vm_cpu_usage_total_seconds"sv,
    "vm_memory_limit_bytes"sv,
    "vm_memory_limit_byte_seconds"sv,
    "vm_memory_request_bytes"sv,
    "vm_memory_request_byte_seconds"sv,
    "vm_memory_usage_byte_seconds"sv,
    "vm_device"sv,
    "vm_volume_mode"sv,
    "vm_persistentvolumeclaim_name"sv,
    "vm_disk_allocated_size_byte_seconds"sv,
    "vm_labels"sv,
};

constexpr std::array kGpuUsageColumns = {
    "report_period_start"sv,
    "report_period_end"sv,
    "interval_start"sv,
    "interval_end"sv,
    "node"sv,
    "namespace"sv,
    "pod"sv,
    "gpu_uuid"sv,
    "gpu_model_name"sv,
    "gpu_vendor_name"sv,
    "gpu_memory_capacity_mib"sv,
    "gpu_pod_uptime"sv,
};

// koku's detect_type walks OCP_REPORT_TYPES in dict order, which puts storage first.
constexpr std::array kDetectionOrder = {
    ReportType::kStorageUsage,    ReportType::kPodUsage, ReportType::kNodeLabels,
    ReportType::kNamespaceLabels, ReportType::kVmUsage,  ReportType::kGpuUsage,
};

// The columns OCPPostProcessor.get_column_converters maps to safe_float.
constexpr std::array kNumericColumns = {
    "pod_usage_cpu_core_seconds"sv,
    "pod_request_cpu_core_seconds"sv,
    "pod_limit_cpu_core_seconds"sv,
    "pod_usage_memory_byte_seconds"sv,
    "pod_request_memory_byte_seconds"sv,
    "pod_limit_memory_byte_seconds"sv,
    "node_capacity_cpu_cores"sv,
    "node_capacity_cpu_core_seconds"sv,
    "node_capacity_memory_bytes"sv,
    "node_capacity_memory_byte_seconds"sv,
    "persistentvolumeclaim_capacity_bytes"sv,
    "persistentvolumeclaim_capacity_byte_seconds"sv,
    "volume_request_storage_byte_seconds"sv,
    "persistentvolumeclaim_usage_byte_seconds"sv,
    "vm_uptime_total_seconds"sv,
    "vm_cpu_limit_cores"sv,
    "vm_cpu_limit_core_seconds"sv,
    "vm_cpu_request_cores"sv,
    "vm_cpu_request_core_seconds"sv,
    "vm_cpu_request_sockets"sv,
    "vm_cpu_request_socket_seconds"sv,
    "vm_cpu_request_threads"sv,
    "vm_cpu_request_thread_seconds"sv,
    "vm_cpu_usage_total_seconds"sv,
    "vm_memory_limit_bytes"sv,
    "vm_memory_limit_byte_seconds"sv,
    "vm_memory_request_bytes"sv,
    "vm_memory_request_byte_seconds"sv,
    "vm_memory_usage_byte_seconds"sv,
    "vm_disk_allocated_size_byte_seconds"sv,
    "gpu_memory_capacity_mib"sv,
    "gpu_pod_uptime"sv,
    // koku adds these to the pod frame (max of usage and request, docs/semantics.md "Cell
    // conversions").
    "pod_effective_usage_cpu_core_seconds"sv,
    "pod_effective_usage_memory_byte_seconds"sv,
};

constexpr std::array kTimestampColumns = {
    "report_period_start"sv,
    "report_period_end"sv,
    "interval_start"sv,
    "interval_end"sv,
};

constexpr std::array kLabelColumns = {
    "pod_labels"sv,  "persistentvolume_labels"sv, "persistentvolumeclaim_labels"sv,
    "node_labels"sv, "namespace_labels"sv,        "vm_labels"sv,
};

// OCPDataFrameAccessor.FIELDS_TO_VALIDATE (masu/util/ocp/ocp_data_validator.py).
constexpr std::array kSanitizedColumns = {
    "namespace"sv,
    "pod"sv,
    "node"sv,
    "persistentvolumeclaim"sv,
    "persistentvolume"sv,
    "storageclass"sv,
    "resource_id"sv,
    "vm_name"sv,
    "gpu_uuid"sv,
    "gpu_model_name"sv,
    "gpu_vendor_name"sv,
    "csi_driver"sv,
    "csi_volume_handle"sv,
    "node_role"sv,
    "vm_instance_type"sv,
    "vm_os"sv,
    "vm_device"sv,
};

// THRESHOLD_MAP of masu/util/ocp/common.py.
constexpr std::array kAnomalyCheckedColumns = {
    "pod_usage_cpu_core_seconds"sv,
    "pod_request_cpu_core_seconds"sv,
    "pod_limit_cpu_core_seconds"sv,
    "node_capacity_cpu_core_seconds"sv,
    "pod_usage_memory_byte_seconds"sv,
    "pod_request_memory_byte_seconds"sv,
    "pod_limit_memory_byte_seconds"sv,
    "node_capacity_memory_byte_seconds"sv,
    "node_capacity_memory_bytes"sv,
    "persistentvolumeclaim_capacity_bytes"sv,
    "persistentvolumeclaim_capacity_byte_seconds"sv,
    "volume_request_storage_byte_seconds"sv,
    "persistentvolumeclaim_usage_byte_seconds"sv,
};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& set, std::string_view column) {
  return std::find(set.begin(), set.end(), column) != set.end();
}

}  // namespace

std::string_view ReportTypeName(ReportType t) {
  switch (t) {
    case ReportType::kPodUsage:
      return "pod_usage";
    case ReportType::kStorageUsage:
      return "storage_usage";
    case ReportType::kNodeLabels:
      return "node_labels";
    case ReportType::kNamespaceLabels:
      return "namespace_labels";
    case ReportType::kVmUsage:
      return "vm_usage";
    case ReportType::kGpuUsage:
      return "gpu_usage";
  }
  return "unknown";
}

std::optional<ReportType> ReportTypeFromName(std::string_view name) {
  for (ReportType t : kDetectionOrder) {
    if (ReportTypeName(t) == name) return t;
  }
  return std::nullopt;
}

std::span<const std::string_view> RequiredColumns(ReportType t) {
  switch (t) {
    case ReportType::kPodUsage:
      return kPodUsageColumns;
    case ReportType::kStorageUsage:
      return kStorageUsageColumns;
    case ReportType::kNodeLabels:
      return kNodeLabelColumns;
    case ReportType::kNamespaceLabels:
      return kNamespaceLabelColumns;
    case ReportType::kVmUsage:
      return kVmUsageColumns;
    case ReportType::kGpuUsage:
      return kGpuUsageColumns;
  }
  return {};
}

std::optional<ReportType> DetectReportType(const std::vector<std::string>& header) {
  for (ReportType t : kDetectionOrder) {
    auto required = RequiredColumns(t);
    bool all_present = std::all_of(required.begin(), required.end(), [&](std::string_view c) {
      return std::find(header.begin(), header.end(), c) != header.end();
    });
    if (all_present) return t;
  }
  return std::nullopt;
}

bool IsNumericColumn(std::string_view column) { return Contains(kNumericColumns, column); }
bool IsTimestampColumn(std::string_view column) { return Contains(kTimestampColumns, column); }
bool IsLabelColumn(std::string_view column) { return Contains(kLabelColumns, column); }
bool IsSanitizedColumn(std::string_view column) { return Contains(kSanitizedColumns, column); }
bool IsAnomalyCheckedColumn(std::string_view column) {
  return Contains(kAnomalyCheckedColumns, column);
}

}  // namespace ocpagg
