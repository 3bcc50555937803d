#pragma once
// The tables koku's summary step fills besides the daily summary (docs/semantics.md "Tables
// beside the summary"), each described once: its columns in the order of koku's model, their
// types and, for the UI summary tables, what each column holds. The PostgreSQL and file
// writers, the readers of the rows an earlier run left, and the --create-schema DDL all follow
// these descriptions, as kSummaryColumns (summary_columns.h) does for the summary row.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/summary_row.h"

namespace ocpagg {

// How a value is typed:   C++ alternative of Cell   PostgreSQL           text form
//   kUuid, kText, kJson   std::string               uuid, text, jsonb    as is
//   kInteger              int64_t                   integer              decimal
//   kDate                 int64_t (a Date)          date                 YYYY-MM-DD
//   kNumeric              double                    numeric(33,15)       as the summary's numbers
//   kTextArray            TextArray                 text[]               {a,"b c",NULL}
enum class CellType : uint8_t { kUuid, kText, kInteger, kDate, kNumeric, kJson, kTextArray };

using TextArray = std::vector<std::optional<std::string>>;  // nullopt: a NULL element
// One value of a row; std::monostate is NULL.
using Cell = std::variant<std::monostate, std::string, int64_t, double, TextArray>;
// One cell per column of the table's TableSpec, in its order.
using TableRow = std::vector<Cell>;

// The alternative of Cell (its index) a value of `type` is held in.
size_t CellIndexOf(CellType type);

// A text cell from an optional string, and back (nullopt for NULL or a cell of another type).
inline Cell TextCell(const std::optional<std::string>& s) { return s ? Cell(*s) : Cell(); }
inline std::optional<std::string> CellText(const Cell& c) {
  if (const auto* s = std::get_if<std::string>(&c)) return *s;
  return std::nullopt;
}

// Text order with NULL last, as PostgreSQL sorts text under the C collation (array_agg(DISTINCT
// ...) and ORDER BY).
bool LessNullsLast(const std::optional<std::string>& a, const std::optional<std::string>& b);
void SortNullsLast(TextArray& values);

// What a column of a UI summary table holds, computed over the summary rows of its group
// (koku's ui_summary/*.sql).
enum class UiValue : uint8_t {
  kNull,  // left NULL by the summary step (costs, cost model, currency: filled later by koku)
  kClusterId,
  kClusterAlias,
  kSourceUuid,
  kUsageStart,  // the group's day
  kUsageEnd,    // = usage_start
  kNamespace,   // group columns
  kNode,
  kPersistentVolumeClaim,
  kStorageClass,
  kResourceIds,     // array_agg(DISTINCT resource_id): sorted, a NULL kept (last)
  kResourceCount,   // count(DISTINCT resource_id): NULL not counted
  kDataSource,      // max(data_source)
  kCostCategoryId,  // max(cost_category_id)
  kSum,             // sum(metric), NULL when every value is NULL
  kMax,             // max(metric)
};

struct TableColumn {
  std::string_view name;
  CellType type;
  std::string_view sql_type;  // PostgreSQL type in koku's table ("{s}" is the quoted schema)
  bool nullable = true;
  UiValue ui = UiValue::kNull;                    // UI summary tables
  Metric metric = Metric::kPodUsageCpuCoreHours;  // with UiValue::kSum and kMax
};

// The summary rows a UI summary table is computed from (the WHERE of its SQL file).
enum class UiRows : uint8_t {
  kAll,            // cost summaries: every row, unallocated ones included
  kPodUsage,       // data_source 'Pod', namespace none of the unallocated/unattributed ones
  kStorageClaims,  // data_source 'Storage' with a non-NULL persistentvolumeclaim
  // Network summaries: only rows of namespace 'Network unattributed' with network data
  // qualify, and ocpagg writes none (docs/semantics.md "UI summary tables").
  kNone,
};

// The group of a UI summary row besides its day (the GROUP BY of its SQL file). The cluster and
// cost_model_rate_type are constant in a run.
enum UiGroup : uint8_t {
  kGroupByDay = 0,
  kGroupByNamespace = 1,
  kGroupByNode = 2,
  kGroupByClaim = 4,  // persistentvolumeclaim and storageclass
};

struct TableSpec {
  std::string_view name;
  std::span<const TableColumn> columns;  // columns[0] is the row's random uuid key
  std::string_view constraints;          // DDL after the columns ("UNIQUE (...)"), may be empty
  UiRows ui_rows = UiRows::kNone;        // UI summary tables: which rows and which groups
  uint8_t ui_group = kGroupByDay;

  // The index of the column called `name`; -1 when there is none.
  int ColumnIndex(std::string_view name) const;
};

// Every table ocpagg writes besides the daily summary and reporting_ocp_nodes (whose rows come
// from koku's state: state/postgres_state.h, state/files_state.h).
enum class ReportingTable : uint8_t {
  kClusters,
  kPvcs,
  kProjects,
  kCostSummary,
  kCostSummaryByNode,
  kCostSummaryByProject,
  kPodSummary,
  kPodSummaryByNode,
  kPodSummaryByProject,
  kVolumeSummary,
  kVolumeSummaryByProject,
  kNetworkSummary,
  kNetworkSummaryByNode,
  kNetworkSummaryByProject,
  kPodLabelSummary,
  kVolumeLabelSummary,
  kTagsValues,
};
inline constexpr size_t kReportingTableCount = 17;

const TableSpec& SpecOf(ReportingTable table);
// The UI summary tables, in koku's order (UI_SUMMARY_TABLES), GPU and VM summaries aside.
std::span<const ReportingTable> UiSummaryTables();
// Fails unless `row` has one cell per column of `table`.
Status CheckRowShape(const TableRow& row, ReportingTable table);
// Every table, in the order koku fills them (cluster tables, UI summaries, label summaries).
std::span<const ReportingTable> AllReportingTables();

}  // namespace ocpagg
