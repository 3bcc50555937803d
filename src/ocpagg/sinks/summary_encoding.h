#pragma once
// The summary row in each format ocpagg writes, all driven by kSummaryColumns
// (koku/summary_columns.h): CSV with PostgreSQL's CSV conventions, PostgreSQL's COPY text,
// and Arrow record batches (the rows a program consumes itself, run/summary_stream.h). Parquet
// files have the Arrow schema here, written from the rows by sinks/summary_parquet.h.

#include <arrow/record_batch.h>
#include <arrow/type.h>

#include <memory>
#include <span>
#include <string>

#include "ocpagg/common/status.h"
#include "ocpagg/common/uuid.h"
#include "ocpagg/koku/settings.h"
#include "ocpagg/koku/summary_columns.h"

namespace ocpagg {

// "uuid,report_period_id,...\n".
void AppendCsvHeader(std::string& out);
// One CSV line: NULL is an empty field, the empty string "" (PostgreSQL's CSV), numbers the
// shortest text that reads back as the same double.
void AppendCsvRow(const RowContext& row, std::string& out);

// "uuid, report_period_id, ..." for COPY's column list.
std::string SummaryColumnList();
// One line of COPY text: NULL is \N; numbers as koku's engine `compat` would store them
// (pg/numeric_text.h), failing on values koku's insert would refuse.
Status AppendCopyRow(const RowContext& row, Compat compat, std::string& out);

// The Arrow schema of the summary rows.
const std::shared_ptr<arrow::Schema>& SummaryArrowSchema();
// `rows` as one record batch of SummaryArrowSchema(), a new uuid per row from `uuids`.
Result<std::shared_ptr<arrow::RecordBatch>> SummaryRecordBatch(std::span<const SummaryRow> rows,
                                                               const RunIdentity& run,
                                                               UuidGenerator& uuids);

}  // namespace ocpagg
