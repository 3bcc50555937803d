#pragma once
// Loads koku line items from Parquet files (as `ocpagg ingest` writes them) into koku's on-prem
// PostgreSQL tables (docs/semantics.md "On-prem line-item tables"), the tables koku's
// self-hosted processor fills and `summarize --input postgresql://...` reads.
//
// One transaction: per table, the source's rows on the days the files hold are deleted, the
// month partitions created when the table is partitioned, and the files' rows copied in (COPY
// FROM STDIN), with the columns koku's processor adds: id, usage_start, source, year, month,
// manifestid. A rerun of the same files replaces their rows; a failed or killed load leaves the
// tables as they were. After the commit, when the hourly pod table has ocpagg's index
// (pg::HourlyCapacityIndexDdl), the month partitions of its new rows get VACUUM (ANALYZE), so
// that summarize reads them from that index alone.

#include <cstdint>
#include <string>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/tables.h"
#include "ocpagg/pg/connection.h"

namespace ocpagg {

struct LineItemFile {
  KokuTable table;
  std::string path;  // a local Parquet file
};

struct LineItemLoadOptions {
  std::string url;
  std::string schema;  // koku tenant schema holding the tables
  std::string source_uuid;
  int64_t manifest_id = 0;
  // Create the schema and those of koku's eight on-prem line-item tables that are missing
  // (pg::CreateLineItemTables), in the load's transaction.
  bool create_schema = false;
  pg::ConnectionOptions connection;
};

struct LineItemLoadReport {
  int64_t rows = 0;          // copied in
  int64_t rows_deleted = 0;  // an earlier load's rows of the same source and days
};

Result<LineItemLoadReport> LoadLineItems(const std::vector<LineItemFile>& files,
                                         const LineItemLoadOptions& options);

}  // namespace ocpagg
