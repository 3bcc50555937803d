#pragma once
// The operator's report types and koku's column vocabulary for them (docs/semantics.md "Inputs").

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ocpagg {

enum class ReportType : uint8_t {
  kPodUsage,
  kStorageUsage,
  kNodeLabels,
  kNamespaceLabels,
  kVmUsage,   // recognised so it can be skipped; not used by the summary
  kGpuUsage,  // likewise
};
inline constexpr int kReportTypeCount = 6;

// koku's report_type path segment: "pod_usage", "storage_usage", "node_labels", ...
std::string_view ReportTypeName(ReportType t);
std::optional<ReportType> ReportTypeFromName(std::string_view name);

// Columns that must all be in a CSV header for it to be of this type (koku's OCP_REPORT_TYPES).
std::span<const std::string_view> RequiredColumns(ReportType t);

// koku's detect_type: the first type, in OCP_REPORT_TYPES order, whose required columns are a
// subset of the header. nullopt when none matches.
std::optional<ReportType> DetectReportType(const std::vector<std::string>& header);

// Columns koku parses as float64 with safe_float (every *_seconds, *_bytes, and
// node_capacity_cpu_cores, plus the vm_/gpu_ numeric columns).
bool IsNumericColumn(std::string_view column);
// report_period_start/end, interval_start/end.
bool IsTimestampColumn(std::string_view column);
// pod_labels, persistentvolume_labels, persistentvolumeclaim_labels, node_labels, namespace_labels
// (and vm_labels): operator "label_a:x|label_b:y" strings turned into JSON.
bool IsLabelColumn(std::string_view column);
// Columns whose text koku sanitizes (NUL bytes stripped, html.escape with quote=True).
bool IsSanitizedColumn(std::string_view column);
// Columns checked by koku's _remove_anomalies (a row with a value > 1e18 is dropped).
bool IsAnomalyCheckedColumn(std::string_view column);

}  // namespace ocpagg
