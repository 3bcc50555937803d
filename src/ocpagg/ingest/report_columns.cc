#include "ocpagg/ingest/report_columns.h"

#include <arrow/type.h>

#include <cctype>
#include <optional>
#include <string_view>

namespace ocpagg {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// koku picks converters by the lower-cased column name (get_column_converters).
CellKind KindOf(std::string_view name) {
  const std::string lower = Lower(name);
  switch (ColumnTypeOf(lower)) {
    case ColumnType::kTimestamp:
      return CellKind::kTimestamp;
    case ColumnType::kNumber:
      return CellKind::kNumeric;
    case ColumnType::kString:
      break;
  }
  return IsLabelColumn(lower) ? CellKind::kLabels : CellKind::kString;
}

// The type a converted cell has in koku's files (label JSON is text).
ColumnType TypeOf(CellKind kind) {
  switch (kind) {
    case CellKind::kTimestamp:
      return ColumnType::kTimestamp;
    case CellKind::kNumeric:
      return ColumnType::kNumber;
    case CellKind::kLabels:
    case CellKind::kString:
      break;
  }
  return ColumnType::kString;
}

int FindValue(const std::vector<ValueColumn>& values, std::string_view name) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

Result<ReportColumns> ReportColumns::Make(ReportType type, const std::vector<std::string>& header) {
  const std::optional<DailyShape> shape = DailyShapeOf(type);
  if (!shape) {
    return InternalError("no koku Parquet plan for report type {}", ReportTypeName(type));
  }
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

  // koku assigns the effective columns in place: a CSV that already has one keeps its position,
  // otherwise they are appended (cpu first, then memory).
  for (const EffectiveUsage& e : EffectiveUsageColumns(type)) {
    int at = FindValue(plan.values, e.effective);
    if (at < 0) {
      ValueColumn v;
      v.name = std::string(e.effective);
      v.kind = CellKind::kNumeric;
      plan.values.push_back(std::move(v));
      at = static_cast<int>(plan.values.size()) - 1;
    } else {
      plan.values[at].kind = CellKind::kNumeric;
      plan.values[at].csv_index = -1;  // recomputed, whatever the CSV says
    }
    plan.effective_usage.push_back(
        {FindValue(plan.values, e.usage), FindValue(plan.values, e.request), at});
  }

  arrow::FieldVector hourly;
  for (const auto& v : plan.values) {
    hourly.push_back(arrow::field(v.name, ArrowTypeOf(TypeOf(v.kind))));
  }
  plan.hourly_schema = arrow::schema(std::move(hourly));

  arrow::FieldVector daily;
  for (std::string_view key : shape->group_by) {
    int at = FindValue(plan.values, key);
    if (at < 0) continue;
    plan.group_keys.push_back(at);
    // Group keys are never NULL: koku's str and label converters give '' and "{}".
    daily.push_back(arrow::field(std::string(key), ArrowTypeOf(TypeOf(plan.values[at].kind))));
  }
  daily.push_back(arrow::field("interval_start", ArrowTypeOf(ColumnType::kTimestamp)));
  for (const AggregatedColumn& agg : shape->aggregates) {
    int at = FindValue(plan.values, agg.column);
    if (at < 0) continue;
    plan.aggregates.push_back({at, agg.how});
    daily.push_back(
        arrow::field(std::string(agg.column), ArrowTypeOf(TypeOf(plan.values[at].kind))));
  }
  for (std::string_view added : NewerColumns(type)) {
    if (FindValue(plan.values, added) >= 0) continue;
    plan.added_null_columns.emplace_back(added);
    daily.push_back(arrow::field(std::string(added), ArrowTypeOf(ColumnType::kString)));
  }
  plan.daily_schema = arrow::schema(std::move(daily));
  return plan;
}

}  // namespace ocpagg
