#include "ocpagg/ingest/report_columns.h"

#include <arrow/type.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace ocpagg {
namespace {

using namespace std::string_view_literals;

struct AggSpec {
  std::string_view column;
  DailyAggregation how;
};

constexpr auto kMax = DailyAggregation::kMax;
constexpr auto kSum = DailyAggregation::kSum;

// masu/util/ocp/common.py: POD_GROUP_BY / POD_AGG / CPU_MEM_USAGE_NEWV_COLUMNS_AND_TYPES.
constexpr std::array kPodGroupBy = {"namespace"sv, "node"sv, "pod"sv, "pod_labels"sv};
constexpr std::array kPodAgg = {
    AggSpec{"report_period_start", kMax},
    AggSpec{"report_period_end", kMax},
    AggSpec{"resource_id", kMax},
    AggSpec{"pod_usage_cpu_core_seconds", kSum},
    AggSpec{"pod_request_cpu_core_seconds", kSum},
    AggSpec{"pod_effective_usage_cpu_core_seconds", kSum},
    AggSpec{"pod_limit_cpu_core_seconds", kSum},
    AggSpec{"pod_usage_memory_byte_seconds", kSum},
    AggSpec{"pod_request_memory_byte_seconds", kSum},
    AggSpec{"pod_effective_usage_memory_byte_seconds", kSum},
    AggSpec{"pod_limit_memory_byte_seconds", kSum},
    AggSpec{"node_capacity_cpu_cores", kMax},
    AggSpec{"node_capacity_cpu_core_seconds", kSum},
    AggSpec{"node_capacity_memory_bytes", kMax},
    AggSpec{"node_capacity_memory_byte_seconds", kSum},
    AggSpec{"node_role", kMax},
};
constexpr std::array kPodNewColumns = {"node_role"sv};

// STORAGE_GROUP_BY / STORAGE_AGG / STORAGE_NEWV_COLUMNS_AND_TYPES.
constexpr std::array kStorageGroupBy = {
    "namespace"sv,
    "node"sv,
    "pod"sv,
    "persistentvolumeclaim"sv,
    "persistentvolume"sv,
    "storageclass"sv,
    "csi_driver"sv,
    "csi_volume_handle"sv,
    "persistentvolume_labels"sv,
    "persistentvolumeclaim_labels"sv,
};
constexpr std::array kStorageAgg = {
    AggSpec{"report_period_start", kMax},
    AggSpec{"report_period_end", kMax},
    AggSpec{"persistentvolumeclaim_capacity_bytes", kMax},
    AggSpec{"persistentvolumeclaim_capacity_byte_seconds", kSum},
    AggSpec{"volume_request_storage_byte_seconds", kSum},
    AggSpec{"persistentvolumeclaim_usage_byte_seconds", kSum},
};
constexpr std::array kStorageNewColumns = {"node"sv, "csi_driver"sv, "csi_volume_handle"sv};

// NODE_GROUP_BY / NODE_AGG and NAMESPACE_GROUP_BY / NAMESPACE_AGG.
constexpr std::array kNodeGroupBy = {"node"sv, "node_labels"sv};
constexpr std::array kNamespaceGroupBy = {"namespace"sv, "namespace_labels"sv};
constexpr std::array kLabelsAgg = {
    AggSpec{"report_period_start", kMax},
    AggSpec{"report_period_end", kMax},
};

struct DailyShape {
  std::span<const std::string_view> group_by;
  std::span<const AggSpec> agg;
  std::span<const std::string_view> new_columns;
};

Result<DailyShape> ShapeOf(ReportType type) {
  switch (type) {
    case ReportType::kPodUsage:
      return DailyShape{kPodGroupBy, kPodAgg, kPodNewColumns};
    case ReportType::kStorageUsage:
      return DailyShape{kStorageGroupBy, kStorageAgg, kStorageNewColumns};
    case ReportType::kNodeLabels:
      return DailyShape{kNodeGroupBy, kLabelsAgg, {}};
    case ReportType::kNamespaceLabels:
      return DailyShape{kNamespaceGroupBy, kLabelsAgg, {}};
    case ReportType::kVmUsage:
    case ReportType::kGpuUsage:
      break;
  }
  return MakeError(ErrorKind::kInternal,
                   fmt::format("no koku Parquet plan for report type {}", ReportTypeName(type)));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// koku picks converters by the lower-cased column name (get_column_converters).
CellKind KindOf(std::string_view name) {
  std::string lower = Lower(name);
  if (IsTimestampColumn(lower)) return CellKind::kTimestamp;
  if (IsNumericColumn(lower)) return CellKind::kNumeric;
  if (IsLabelColumn(lower)) return CellKind::kLabels;
  return CellKind::kString;
}

std::shared_ptr<arrow::DataType> ArrowTypeOf(CellKind kind) {
  switch (kind) {
    case CellKind::kTimestamp:
      return arrow::timestamp(arrow::TimeUnit::MILLI);
    case CellKind::kNumeric:
      return arrow::float64();
    case CellKind::kLabels:
    case CellKind::kString:
      return arrow::utf8();
  }
  return arrow::utf8();
}

int FindValue(const std::vector<ValueColumn>& values, std::string_view name) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

Result<ReportColumns> ReportColumns::Make(ReportType type, const std::vector<std::string>& header) {
  ARROW_ASSIGN_OR_RAISE(DailyShape shape, ShapeOf(type));
  ReportColumns plan;
  plan.type = type;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string& name = header[i];
    if (FindValue(plan.values, name) >= 0) {
      return BadInput("line 1: column '{}' appears twice in the header", name);
    }
    ValueColumn v;
    v.name = name;
    v.kind = KindOf(name);
    v.sanitized = v.kind == CellKind::kString && IsSanitizedColumn(name);
    v.anomaly_checked = IsAnomalyCheckedColumn(name);
    v.csv_index = static_cast<int>(i);
    plan.values.push_back(std::move(v));
  }
  plan.interval_start = FindValue(plan.values, "interval_start");
  if (plan.interval_start < 0) {
    return BadInput("line 1: the header has no interval_start column");
  }

  if (type == ReportType::kPodUsage) {
    // koku assigns the effective columns in place: a CSV that already has one keeps its
    // position, otherwise they are appended (cpu first, then memory).
    constexpr std::array<std::array<std::string_view, 3>, 2> kEffective = {{
        {"pod_usage_cpu_core_seconds", "pod_request_cpu_core_seconds",
         "pod_effective_usage_cpu_core_seconds"},
        {"pod_usage_memory_byte_seconds", "pod_request_memory_byte_seconds",
         "pod_effective_usage_memory_byte_seconds"},
    }};
    for (const auto& [usage, request, effective] : kEffective) {
      int at = FindValue(plan.values, effective);
      if (at < 0) {
        ValueColumn v;
        v.name = std::string(effective);
        v.kind = CellKind::kNumeric;
        plan.values.push_back(std::move(v));
        at = static_cast<int>(plan.values.size()) - 1;
      } else {
        plan.values[at].kind = CellKind::kNumeric;
        plan.values[at].csv_index = -1;  // recomputed, whatever the CSV says
      }
      plan.effective_usage.push_back(
          {FindValue(plan.values, usage), FindValue(plan.values, request), at});
    }
  }

  arrow::FieldVector hourly;
  for (const auto& v : plan.values) hourly.push_back(arrow::field(v.name, ArrowTypeOf(v.kind)));
  plan.hourly_schema = arrow::schema(std::move(hourly));

  arrow::FieldVector daily;
  for (std::string_view key : shape.group_by) {
    int at = FindValue(plan.values, key);
    if (at < 0) continue;
    plan.group_keys.push_back(at);
    // Group keys are never NULL: koku's str and label converters give '' and "{}".
    daily.push_back(arrow::field(std::string(key), ArrowTypeOf(plan.values[at].kind)));
  }
  daily.push_back(arrow::field("interval_start", arrow::timestamp(arrow::TimeUnit::MILLI)));
  for (const AggSpec& agg : shape.agg) {
    int at = FindValue(plan.values, agg.column);
    if (at < 0) continue;
    plan.aggregates.push_back({at, agg.how});
    daily.push_back(arrow::field(std::string(agg.column), ArrowTypeOf(plan.values[at].kind)));
  }
  for (std::string_view added : shape.new_columns) {
    if (FindValue(plan.values, added) >= 0) continue;
    plan.added_null_columns.emplace_back(added);
    daily.push_back(arrow::field(std::string(added), arrow::utf8()));
  }
  plan.daily_schema = arrow::schema(std::move(daily));
  return plan;
}

}  // namespace ocpagg
