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
// with a default partition, koku's indexes. As CreateKokuSchema, in the caller's transaction.
Status CreateLineItemTables(Connection& conn, const std::string& schema);

// When `table` (the summary table, a UI summary table, a line-item table) is range-partitioned on
// usage_start and has no partition for the month of `day`, creates `table`_YYYY_MM (koku's naming).
// A plain table, or a month already covered, is left alone.
Status EnsureMonthPartition(Connection& conn, const std::string& schema, std::string_view table,
                            Date day);

}  // namespace ocpagg::pg
