#pragma once
// One koku file unit (a whole CSV, or one day of it when koku splits per day) written the way
// koku's ParquetReportProcessor writes it (docs/semantics.md "Daily partial aggregates", "Parquet
// layout"): the unit's rows are cut into chunks of 200,000 CSV rows; each chunk gives one hourly
// file {csv_base}_{i}.parquet and one daily partial-aggregate file {csv_base}_daily_{i}.parquet in
// the unit's year/month partition.

#include <arrow/array/builder_base.h>
#include <parquet/arrow/writer.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/ingest/batch_converter.h"
#include "ocpagg/ingest/daily_aggregator.h"
#include "ocpagg/ingest/output_staging.h"
#include "ocpagg/ingest/report_columns.h"
#include "ocpagg/ingest/write_queue.h"
#include "ocpagg/koku/date.h"

namespace ocpagg {

// koku's name and date for a unit: csv_base is the CSV file name without ".csv" (cumulative
// payloads) or "{report_type}.{YYYY-MM-DD}.{manifest_id}.{n}" (per-day split).
struct FileUnitName {
  std::string csv_base;
  Date report_date = 0;  // ReportDateStart: its year and month are the partition
};

struct FileUnitOptions {
  std::string account;
  std::string source_uuid;
  int64_t rows_per_chunk = 200'000;  // koku's PARQUET_PROCESSING_BATCH_SIZE
  int64_t row_group_rows = 65'536;   // Parquet row group size within a file
};

struct WrittenFile {
  std::string relative_path;  // under the output directory
  std::string csv_base;       // the unit's name: the file name starts with it
  ReportType type = ReportType::kPodUsage;
  bool daily = false;
  int64_t rows = 0;
};

class FileUnitWriter {
 public:
  // `columns`, `staging`, `written` and `writes` must outlive the writer. Parquet encoding and
  // file writes run on `writes`; a file is listed in *written when its last write is queued,
  // and is complete once `writes` drained without error.
  FileUnitWriter(const ReportColumns& columns, FileUnitName name, const FileUnitOptions& options,
                 OutputStaging* staging, std::vector<WrittenFile>* written, WriteQueue* writes);
  FileUnitWriter(const FileUnitWriter&) = delete;
  FileUnitWriter& operator=(const FileUnitWriter&) = delete;

  // Adds CSV rows of `batch` in CSV order. Anomalous rows count toward the chunk size (koku
  // removes them after chunking) but are written nowhere.
  Status Append(const ConvertedBatch& batch, std::span<const int32_t> rows);

  // Writes the last, partial chunk.
  Status Finish();

  int64_t csv_rows() const { return csv_rows_; }
  int64_t anomalous_rows() const { return anomalous_rows_; }
  const FileUnitName& name() const { return name_; }

 private:
  Status OpenChunk();
  Status CloseChunk();
  Status AppendHourly(const ConvertedBatch& batch, std::span<const int32_t> rows);
  // The hourly rows first..first+n-1 of `batch` as one record batch; nullptr when a column
  // needs the builders (a NaN number).
  Result<std::shared_ptr<arrow::RecordBatch>> HourlyBatchOf(const ConvertedBatch& batch,
                                                            int32_t first, int64_t n) const;
  Status SubmitHourly(std::shared_ptr<arrow::RecordBatch> batch);
  Status FlushHourlyRows();

  const ReportColumns& columns_;
  FileUnitName name_;
  FileUnitOptions options_;
  OutputStaging* staging_;
  std::vector<WrittenFile>* written_;
  WriteQueue* writes_;
  std::string hourly_dir_, daily_dir_;  // relative to the output directory

  int64_t chunk_index_ = 0;
  int64_t rows_in_chunk_ = 0;  // CSV rows, anomalies included
  int64_t csv_rows_ = 0;
  int64_t anomalous_rows_ = 0;

  std::shared_ptr<parquet::arrow::FileWriter> hourly_writer_;
  std::string hourly_relative_;
  int64_t hourly_rows_ = 0;
  std::vector<std::unique_ptr<arrow::ArrayBuilder>> builders_;
  int64_t buffered_rows_ = 0;
  DailyAggregator daily_;
  int64_t flush_rows_;
  std::vector<int32_t> kept_;
};

// Opens a Parquet file written like koku's pandas.to_parquet (snappy, dictionary pages,
// statistics, TIMESTAMP(MILLIS) not adjusted to UTC).
Result<std::unique_ptr<parquet::arrow::FileWriter>> OpenKokuParquetFile(
    const std::string& path, const std::shared_ptr<arrow::Schema>& schema, int64_t row_group_rows);

}  // namespace ocpagg
