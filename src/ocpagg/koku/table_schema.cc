#include "ocpagg/koku/table_schema.h"

#include <arrow/type.h>

#include <algorithm>
#include <array>
#include <vector>

namespace ocpagg {
namespace {

using namespace std::string_view_literals;

constexpr auto kMax = DailyAggregation::kMax;
constexpr auto kSum = DailyAggregation::kSum;

// masu/util/ocp/common.py: POD_GROUP_BY / POD_AGG / CPU_MEM_USAGE_NEWV_COLUMNS_AND_TYPES.
constexpr std::array kPodGroupBy = {"namespace"sv, "node"sv, "pod"sv, "pod_labels"sv};
constexpr std::array kPodAgg = {
    AggregatedColumn{"report_period_start", kMax},
    AggregatedColumn{"report_period_end", kMax},
    AggregatedColumn{"resource_id", kMax},
    AggregatedColumn{"pod_usage_cpu_core_seconds", kSum},
    AggregatedColumn{"pod_request_cpu_core_seconds", kSum},
    AggregatedColumn{"pod_effective_usage_cpu_core_seconds", kSum},
    AggregatedColumn{"pod_limit_cpu_core_seconds", kSum},
    AggregatedColumn{"pod_usage_memory_byte_seconds", kSum},
    AggregatedColumn{"pod_request_memory_byte_seconds", kSum},
    AggregatedColumn{"pod_effective_usage_memory_byte_seconds", kSum},
    AggregatedColumn{"pod_limit_memory_byte_seconds", kSum},
    AggregatedColumn{"node_capacity_cpu_cores", kMax},
    AggregatedColumn{"node_capacity_cpu_core_seconds", kSum},
    AggregatedColumn{"node_capacity_memory_bytes", kMax},
    AggregatedColumn{"node_capacity_memory_byte_seconds", kSum},
    AggregatedColumn{"node_role", kMax},
};
constexpr std::array kPodNewerColumns = {"node_role"sv};
constexpr std::array kPodEffectiveUsage = {
    EffectiveUsage{"pod_usage_cpu_core_seconds", "pod_request_cpu_core_seconds",
                   "pod_effective_usage_cpu_core_seconds"},
    EffectiveUsage{"pod_usage_memory_byte_seconds", "pod_request_memory_byte_seconds",
                   "pod_effective_usage_memory_byte_seconds"},
};

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
    AggregatedColumn{"report_period_start", kMax},
    AggregatedColumn{"report_period_end", kMax},
    AggregatedColumn{"persistentvolumeclaim_capacity_bytes", kMax},
    AggregatedColumn{"persistentvolumeclaim_capacity_byte_seconds", kSum},
    AggregatedColumn{"volume_request_storage_byte_seconds", kSum},
    AggregatedColumn{"persistentvolumeclaim_usage_byte_seconds", kSum},
};
constexpr std::array kStorageNewerColumns = {"node"sv, "csi_driver"sv, "csi_volume_handle"sv};

// NODE_GROUP_BY / NODE_AGG and NAMESPACE_GROUP_BY / NAMESPACE_AGG.
constexpr std::array kNodeGroupBy = {"node"sv, "node_labels"sv};
constexpr std::array kNamespaceGroupBy = {"namespace"sv, "namespace_labels"sv};
constexpr std::array kLabelsAgg = {
    AggregatedColumn{"report_period_start", kMax},
    AggregatedColumn{"report_period_end", kMax},
};

bool IsOptional(ReportType type, std::string_view column) {
  auto newer = NewerColumns(type);
  if (std::find(newer.begin(), newer.end(), column) != newer.end()) return true;
  auto effective = EffectiveUsageColumns(type);
  return std::any_of(effective.begin(), effective.end(),
                     [&](const EffectiveUsage& e) { return e.effective == column; });
}

KokuColumn ColumnOf(ReportType type, std::string_view name) {
  return {name, ColumnTypeOf(name), IsOptional(type, name)};
}

std::vector<KokuColumn> HourlyColumns(ReportType type) {
  std::vector<KokuColumn> columns;
  for (std::string_view name : RequiredColumns(type)) columns.push_back(ColumnOf(type, name));
  for (std::string_view name : NewerColumns(type)) columns.push_back(ColumnOf(type, name));
  for (const EffectiveUsage& e : EffectiveUsageColumns(type)) {
    columns.push_back(ColumnOf(type, e.effective));
  }
  return columns;
}

std::vector<KokuColumn> DailyColumns(ReportType type) {
  std::vector<KokuColumn> columns;
  auto shape = DailyShapeOf(type);
  if (!shape) return columns;
  for (std::string_view key : shape->group_by) columns.push_back(ColumnOf(type, key));
  columns.push_back(ColumnOf(type, "interval_start"));
  for (const AggregatedColumn& a : shape->aggregates) columns.push_back(ColumnOf(type, a.column));
  return columns;
}

size_t TableIndex(KokuTable table) {
  return static_cast<size_t>(table.type) * 2 + (table.daily ? 1 : 0);
}

const std::array<std::vector<KokuColumn>, 2 * kReportTypeCount>& AllColumns() {
  static const auto kColumns = [] {
    std::array<std::vector<KokuColumn>, 2 * kReportTypeCount> columns;
    for (int t = 0; t < kReportTypeCount; ++t) {
      const auto type = static_cast<ReportType>(t);
      columns[TableIndex({type, false})] = HourlyColumns(type);
      columns[TableIndex({type, true})] = DailyColumns(type);
    }
    return columns;
  }();
  return kColumns;
}

}  // namespace

ColumnType ColumnTypeOf(std::string_view column) {
  if (IsTimestampColumn(column)) return ColumnType::kTimestamp;
  if (IsNumericColumn(column)) return ColumnType::kNumber;
  return ColumnType::kString;
}

std::shared_ptr<arrow::DataType> ArrowTypeOf(ColumnType type) {
  switch (type) {
    case ColumnType::kTimestamp:
      return arrow::timestamp(arrow::TimeUnit::MILLI);
    case ColumnType::kNumber:
      return arrow::float64();
    case ColumnType::kString:
      break;
  }
  return arrow::utf8();
}

std::span<const std::string_view> NewerColumns(ReportType type) {
  if (type == ReportType::kPodUsage) return kPodNewerColumns;
  if (type == ReportType::kStorageUsage) return kStorageNewerColumns;
  return {};
}

std::span<const EffectiveUsage> EffectiveUsageColumns(ReportType type) {
  if (type == ReportType::kPodUsage) return kPodEffectiveUsage;
  return {};
}

std::optional<DailyShape> DailyShapeOf(ReportType type) {
  switch (type) {
    case ReportType::kPodUsage:
      return DailyShape{kPodGroupBy, kPodAgg};
    case ReportType::kStorageUsage:
      return DailyShape{kStorageGroupBy, kStorageAgg};
    case ReportType::kNodeLabels:
      return DailyShape{kNodeGroupBy, kLabelsAgg};
    case ReportType::kNamespaceLabels:
      return DailyShape{kNamespaceGroupBy, kLabelsAgg};
    case ReportType::kVmUsage:
    case ReportType::kGpuUsage:
      break;
  }
  return std::nullopt;
}

std::span<const KokuColumn> KokuColumns(KokuTable table) { return AllColumns()[TableIndex(table)]; }

const KokuColumn* FindKokuColumn(KokuTable table, std::string_view name) {
  for (const KokuColumn& c : KokuColumns(table)) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::shared_ptr<arrow::Schema> KokuSchema(KokuTable table) {
  arrow::FieldVector fields;
  for (const KokuColumn& c : KokuColumns(table)) {
    fields.push_back(arrow::field(std::string(c.name), ArrowTypeOf(c.type)));
  }
  return arrow::schema(std::move(fields));
}

}  // namespace ocpagg
