#pragma once
// The columns of koku's OCP Parquet tables: their names, types and order (docs/semantics.md "Cell
// conversions", "Daily partial aggregates", "Parquet layout"; masu/util/ocp/common.py:
// OCP_REPORT_TYPES and the GROUP_BY / AGG lists). ingest writes them, the summary's readers find
// them by name, generate fills them.

#include <arrow/type_fwd.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "ocpagg/koku/report_type.h"
#include "ocpagg/koku/tables.h"

namespace ocpagg {

// What a column holds, as koku's converters make it and its Parquet files store it.
enum class ColumnType : uint8_t {
  kString,     // str, or label JSON: utf8
  kNumber,     // safe_float: float64
  kTimestamp,  // process_openshift_datetime: timestamp[ms], naive UTC
};

// koku's type of a column, from its lower-case name (get_column_converters): the timestamp
// columns, the numeric ones, and text for any other name.
ColumnType ColumnTypeOf(std::string_view column);
// The Arrow type koku's files give a column of this type.
std::shared_ptr<arrow::DataType> ArrowTypeOf(ColumnType type);

// The columns newer operators add to a report (koku's new_required_columns): a daily file made
// from an older report gets them, all NULL.
std::span<const std::string_view> NewerColumns(ReportType type);

// koku's pod_effective_usage_* columns: the larger of usage and request, per hourly row.
struct EffectiveUsage {
  std::string_view usage, request, effective;
};
// CPU, then memory, for pod usage; empty for the other types.
std::span<const EffectiveUsage> EffectiveUsageColumns(ReportType type);

// koku's hourly -> daily step (OCPPostProcessor._generate_daily_data): rows grouped by the keys
// and the day of interval_start, each aggregated column summed or maxed.
enum class DailyAggregation : uint8_t { kMax, kSum };
struct AggregatedColumn {
  std::string_view column;
  DailyAggregation how;
};
struct DailyShape {
  std::span<const std::string_view> group_by;
  std::span<const AggregatedColumn> aggregates;
};
// nullopt for the types without a daily table (vm and gpu usage).
std::optional<DailyShape> DailyShapeOf(ReportType type);

// One column of a koku table.
struct KokuColumn {
  std::string_view name;
  ColumnType type;
  bool optional;  // files made from older reports lack it (a newer column, effective usage)
};

// Every column of a table, in the order koku writes them. Hourly: the report's required
// columns, its newer ones, then the computed ones (a file holds its CSV's columns in the CSV's
// order). Daily: the group keys, interval_start, then the aggregated columns. Empty for a table
// koku does not write.
std::span<const KokuColumn> KokuColumns(KokuTable table);
// The column `name` of the table; nullptr when the table has none of that name.
const KokuColumn* FindKokuColumn(KokuTable table, std::string_view name);
// KokuColumns as an Arrow schema.
std::shared_ptr<arrow::Schema> KokuSchema(KokuTable table);

}  // namespace ocpagg
