#pragma once
// The column plan of one operator CSV: how koku converts each column (docs/semantics.md "Cell
// conversions"), which columns koku adds (effective usage), and the shape of the hourly and daily
// Parquet files (docs/semantics.md "Daily partial aggregates", "Parquet layout": koku's
// OCP_REPORT_TYPES group_by, agg and new_required_columns).

#include <arrow/type_fwd.h>

#include <memory>
#include <string>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/report_type.h"
#include "ocpagg/koku/table_schema.h"

namespace ocpagg {

// What koku's converter turns a cell into.
enum class CellKind : uint8_t {
  kTimestamp,  // process_openshift_datetime -> TIMESTAMP(MILLIS), naive UTC
  kNumeric,    // safe_float -> DOUBLE
  kLabels,     // process_openshift_labels_to_json -> JSON text
  kString,     // str -> text, '' for an empty cell
};

// One column of the converted rows, in hourly-file order: the CSV columns in header order, then
// the columns koku computes that the CSV lacks.
struct ValueColumn {
  std::string name;
  CellKind kind = CellKind::kString;
  bool sanitized = false;  // NUL stripped and html.escape'd (docs/semantics.md "Operator reports")
  bool anomaly_checked = false;  // a value > 1e18 drops the row (koku's _remove_anomalies)
  int csv_index = -1;            // position in the CSV header; -1 for a computed column
};

// koku's pod_effective_usage_*: max(usage, request) per hourly row, NaN skipped like pandas.
struct EffectiveUsageColumn {
  int usage = -1, request = -1, effective = -1;  // indices into ReportColumns::values
};

struct DailyAggregate {
  int value_column = -1;
  DailyAggregation how = DailyAggregation::kSum;
};

// The plan for one CSV file of a known report type (pod, storage, node or namespace labels).
struct ReportColumns {
  ReportType type = ReportType::kPodUsage;
  std::vector<ValueColumn> values;
  int interval_start = -1;                            // the value column the day comes from
  std::vector<EffectiveUsageColumn> effective_usage;  // pod_usage only: cpu, then memory

  // Daily partial aggregate: group keys (koku's GROUP_BY order, only those present), then the
  // day of interval_start, then the aggregates (koku's AGG order, only those present), then the
  // new_required_columns the CSV lacks, as all-null strings.
  std::vector<int> group_keys;
  std::vector<DailyAggregate> aggregates;
  std::vector<std::string> added_null_columns;

  std::shared_ptr<arrow::Schema> hourly_schema;
  std::shared_ptr<arrow::Schema> daily_schema;

  // Builds the plan from a CSV header. `type` must be one of the four summary report types.
  // Fails (bad input) on duplicate column names.
  static Result<ReportColumns> Make(ReportType type, const std::vector<std::string>& header);
};

}  // namespace ocpagg
