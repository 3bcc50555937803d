#pragma once
// `ocpagg ingest`: an operator CSV payload in, koku's Parquet out (docs/semantics.md "Inputs"), the
// way koku's Kafka handler and ParquetReportProcessor would have written it: hourly files and daily
// partial-aggregate files per 200,000-row chunk, in koku's path layout. Memory stays bounded
// whatever the payload size: CSVs are streamed and Parquet written row group by row group.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/common/stop_token.h"
#include "ocpagg/common/storage.h"
#include "ocpagg/ingest/file_unit_writer.h"
#include "ocpagg/koku/report_type.h"

namespace ocpagg {

struct IngestOptions {
  std::string payload_path;  // month directory, a directory above month directories, or .tar.gz
  std::string output_dir;   // receives data/parquet/... (created if missing), or s3://bucket/prefix
  S3Settings output_s3;     // for an s3:// output_dir
  std::string source_uuid;  // koku's provider uuid: the source= partition
  std::string schema_name = "org1234567";  // tenant schema; the account folder drops "acct"
  int64_t manifest_id = 0;                 // koku's manifest id, part of per-day split names
  int64_t rows_per_chunk = 200'000;        // koku's PARQUET_PROCESSING_BATCH_SIZE
  int64_t row_group_rows = 65'536;
  int64_t csv_block_bytes = 1 << 20;  // the usual size of the CSV blocks parsed at once
  // Optional: a stop request ends the run between batches (ErrorKind::kInterrupted), nothing
  // published, staging removed. Must outlive the run.
  const StopToken* stop = nullptr;
};

struct ReportTypeCounts {
  int64_t csv_files = 0;
  int64_t csv_rows = 0;        // data rows read (bad lines excluded)
  int64_t anomalous_rows = 0;  // dropped by koku's > 1e18 rule
  int64_t hourly_rows = 0;
  int64_t daily_rows = 0;
  int64_t hourly_files = 0;
  int64_t daily_files = 0;
};

struct SkippedReport {
  std::string file;
  std::string reason;
};

struct IngestReport {
  std::vector<WrittenFile> files;  // relative to the output directory, in write order
  std::array<ReportTypeCounts, kReportTypeCount> by_type{};  // indexed by ReportType
  std::vector<SkippedReport> skipped;                        // vm/gpu, empty and header-only files
  std::vector<std::string> unlisted_files;  // next to a manifest but not listed: ignored
  int64_t bad_lines_skipped = 0;        // rows with more fields than the header (koku drops them)
  std::vector<std::string> label_keys;  // sorted; koku inserts them as disabled tag keys
  int months = 0;
  double elapsed_seconds = 0;

  const ReportTypeCounts& of(ReportType t) const { return by_type[static_cast<int>(t)]; }
};

// Converts the payload. Bad payload data fails with a bad-input status naming file, line and
// column; nothing is left under output_dir then (files are staged and moved into place only
// when every file converted).
Result<IngestReport> IngestPayload(const IngestOptions& options);

}  // namespace ocpagg
