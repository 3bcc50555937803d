#pragma once
// The koku tables a summary run reads and writes, for a stand-alone install
// (`summarize --create-schema`): shapes as in koku's models (docs/semantics.md "koku's tables"),
// the summary table range-partitioned by month on usage_start with a default partition, and koku's
// default cost category ("Platform" with its four namespace patterns); and koku's on-prem
// line-item tables (`ingest --postgres --create-schema`). Idempotent.

#include <string>
#include <string_view>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/date.h"
#include "ocpagg/pg/connection.h"

namespace ocpagg::pg {

// CREATE TABLE of the summary table, with "{s}" where the quoted schema goes: the columns of
// kSummaryColumns (koku/summary_columns.h) in their order, then those koku fills later.
std::string SummaryTableDdl();

// Creates `schema` and its tables when missing; never changes existing ones. In the caller's
// transaction; runs creating the same schema at once take turns.
Status CreateKokuSchema(Connection& conn, const std::string& schema);

// koku's on-prem line-item tables (docs/semantics.md "On-prem line-item tables"), hourly and
// daily of the pod, storage, node-label and namespace-label reports, in their order.
std::vector<std::string> LineItemTableNames();

// Creates `schema` and those of the eight tables that are missing (`ingest --postgres
// --create-schema`), as koku's models have them: range-partitioned by month on usage_start
// with a default partition, koku's indexes; and, with the hourly pod table, ocpagg's index on
// it (HourlyCapacityIndexDdl). As CreateKokuSchema, in the caller's transaction.
Status CreateLineItemTables(Connection& conn, const std::string& schema);

// ocpagg's own index on koku's hourly pod table (koku has no such index; docs/semantics.md
// "On-prem line-item tables"): keyed by what the hourly read filters on (source, year, month,
// usage_start) and holding the columns it reads (PgLineItems::ReadDay: interval_start, node and
// the two capacity columns), so that PostgreSQL answers it from the index alone, an index-only
// scan, instead of reading every row of the table up to its capacity columns. The CREATE INDEX
// statement for `quoted_schema` (a quoted identifier); on a partitioned table it indexes every
// partition, present and future.
std::string HourlyCapacityIndexDdl(std::string_view quoted_schema);
inline constexpr char kHourlyCapacityIndexName[] = "ocpagg_hourly_capacity_idx";

// Whether `schema` holds a relation (table, partition, index) named `name`, as spelled.
Result<bool> RelationExists(Connection& conn, const std::string& schema, std::string_view name);

// koku's name of the partition of `table` for the month of `day`: `table`_YYYY_MM.
std::string MonthPartitionName(std::string_view table, Date day);

// When `table` (the summary table, a UI summary table, a line-item table) is range-partitioned on
// usage_start and has no partition for the month of `day`, creates it (MonthPartitionName).
// A plain table, or a month already covered, is left alone.
Status EnsureMonthPartition(Connection& conn, const std::string& schema, std::string_view table,
                            Date day);

}  // namespace ocpagg::pg
