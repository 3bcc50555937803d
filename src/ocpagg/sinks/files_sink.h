#pragma once
// The file sink: summary rows as CSV and/or Parquet files when no database is given.
//
// Layout, one file per day so that a rerun replaces exactly the days it summarized (the file
// twin of koku's DELETE for the date range, docs/semantics.md "The summary run"):
//   {output}/reporting_ocpusagelineitem_daily_summary/source={uuid}/year=YYYY/month=MM/YYYY-MM-DD.{csv,parquet}
// With write_tables, the tables koku's summary step fills besides the daily summary go beside it
// as CSV files (sinks/files_tables.h). Files are written into a staging directory; Commit()
// swaps the month and the tables' folders into place all or nothing (sinks/files_publish.h): a
// run that fails or is killed leaves the previous files untouched.
// An s3://bucket/prefix output is worked on in a local copy of the folders the run reads and
// replaces (StorageMirror, common/storage.h), which Commit() then publishes: files uploaded
// under temporary names first, then copied to their final names.
//
// CSV follows PostgreSQL's CSV conventions (COPY ... CSV HEADER loads it): NULL is an empty
// unquoted field, the empty string is "". Numbers are shortest round-trip doubles.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/common/storage.h"
#include "ocpagg/common/uuid.h"
#include "ocpagg/engine/row_sink.h"
#include "ocpagg/sinks/files_tables.h"

namespace arrow {
class RecordBatch;
class Schema;
}  // namespace arrow

namespace ocpagg {

struct FilesSinkOptions {
  std::string output_dir;  // a local directory or s3://bucket/prefix
  bool write_csv = true;
  bool write_parquet = true;
  // Also the tables beside the summary (docs/semantics.md "Tables beside the summary").
  bool write_tables = false;
  S3Settings s3 = {};  // for an s3:// output_dir
};

// Staging folders under the output directory (owner in the name: common/scratch_dir.h).
inline constexpr std::string_view kSummaryStagingPrefix = ".ocpagg-staging-";

class FilesSink : public RowSink {
 public:
  explicit FilesSink(FilesSinkOptions options);
  ~FilesSink() override;  // Abort() unless Commit() ran
  FilesSink(const FilesSink&) = delete;
  FilesSink& operator=(const FilesSink&) = delete;

  // Prepares a staging directory under options.output_dir for the run of `identity` covering
  // [start, end] (one month).
  Status Begin(const RunIdentity& identity, Date start, Date end) override;
  Status WriteProjects(std::span<const std::string> namespaces) override;
  // Appends rows of `day` (every row must have usage_start == day) to the day's staged files,
  // opening them with the day's first rows; memory stays bounded by one chunk of rows whatever
  // the size of the day. Different days may be written at once from different threads; the
  // calls for one day come from one thread at a time.
  Status WriteRows(Date day, std::span<const SummaryRow> rows) override;
  // Completes the files of `day`; a day that had no rows gets no file.
  Status EndDay(Date day) override;
  bool IndependentDays() const override { return true; }  // one file per day
  // Replaces the files of every day in [start, end] by the staged ones (days without rows
  // lose their old files) and the tables' files, all or nothing, then removes the staging
  // directory.
  Status Commit() override;
  // Removes the staging directory; the month stays as it was.
  void Abort() override;

  // Where the files of a month live (after Begin): a local path, or the s3:// URI.
  std::string MonthDir() const;
  int64_t rows_written() const { return rows_written_; }

 private:
  struct DayFiles;  // the staged files of the day being written

  Result<std::unique_ptr<DayFiles>> OpenDay(Date day);
  std::string LocalMonthDir() const;  // the month's folder under output_dir_
  Status AppendCsv(DayFiles& files, std::span<const SummaryRow> rows);

  FilesSinkOptions options_;
  RunIdentity identity_;
  Date start_ = 0, end_ = 0;
  std::string output_dir_;  // where files are written: options_.output_dir or the mirror's copy
  std::unique_ptr<StorageMirror> mirror_;  // an s3:// output
  std::string staging_dir_;
  std::atomic<int64_t> rows_written_{0};
  std::mutex mu_;  // guards open_ and staged_
  std::map<Date, std::unique_ptr<DayFiles>> open_;
  std::vector<std::string> staged_;      // file names inside staging_dir_
  std::unique_ptr<FilesTables> tables_;  // with write_tables, from Begin on
};

}  // namespace ocpagg
