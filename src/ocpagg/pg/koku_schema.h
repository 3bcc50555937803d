#pragma once
// The koku tables a summary run reads and writes, for a stand-alone install
// (`summarize --create-schema`): shapes as in koku's models (docs/semantics.md "koku's tables"),
// the summary table range-partitioned by month on usage_start with a default partition, and koku's
// default cost category ("Platform" with its four namespace patterns). Idempotent.

#include <string>
#include <string_view>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/date.h"
#include "ocpagg/pg/connection.h"

namespace ocpagg::pg {

// CREATE TABLE of the summary table, with "{s}" where the quoted schema goes: the columns of
// kSummaryColumns (koku/summary_columns.h) in their order, then those koku fills later.
std::string SummaryTableDdl();

// Creates `schema` and its tables when missing; never changes existing ones.
Status CreateKokuSchema(Connection& conn, const std::string& schema);

// When `table` (the summary table, a UI summary table, a line-item table) is range-partitioned on
// usage_start and has no partition for the month of `day`, creates `table`_YYYY_MM (koku's naming).
// A plain table, or a month already covered, is left alone.
Status EnsureMonthPartition(Connection& conn, const std::string& schema, std::string_view table,
                            Date day);

}  // namespace ocpagg::pg
