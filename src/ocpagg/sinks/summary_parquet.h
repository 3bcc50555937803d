#pragma once
// The summary rows as one Parquet file, of the schema of SummaryArrowSchema()
// (sinks/summary_encoding.h). The rows go straight from the SummaryRows into Parquet's column
// writers: no Arrow arrays in between, the strings read where the rows hold them.

#include <memory>
#include <span>
#include <string>

#include "ocpagg/common/status.h"
#include "ocpagg/common/uuid.h"
#include "ocpagg/koku/summary_row.h"

namespace arrow::io {
class OutputStream;
}  // namespace arrow::io

namespace ocpagg {

class SummaryParquetWriter {
 public:
  // Row groups of at most about this many rows (a row group closes after the chunk of rows that
  // reaches it): a row group is buffered, encoded, until it is written, and 8K rows of the
  // summary take about 3 MB (engine/memory_budget.h kWritingBytesPerDay).
  static constexpr int64_t kRowGroupRows = 8 * 1024;

  // A writer to `out`, which `path` names in error messages.
  static Result<std::unique_ptr<SummaryParquetWriter>> Open(
      std::shared_ptr<arrow::io::OutputStream> out, std::string path);
  ~SummaryParquetWriter();
  SummaryParquetWriter(const SummaryParquetWriter&) = delete;
  SummaryParquetWriter& operator=(const SummaryParquetWriter&) = delete;

  // Appends `rows`, a new uuid per row from `uuids`.
  Status Append(std::span<const SummaryRow> rows, const RunIdentity& run, UuidGenerator& uuids);
  // Writes the last row group and the footer, and closes the stream.
  Status Close();

 private:
  struct Impl;
  explicit SummaryParquetWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ocpagg
