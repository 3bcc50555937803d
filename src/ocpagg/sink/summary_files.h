#pragma once
// The file sink: summary rows as CSV and/or Parquet files when no database is given.
//
// Layout, one file per day so that a rerun replaces exactly the days it summarized (the file
// twin of koku's DELETE for the date range, koku.md §0):
//   {output}/reporting_ocpusagelineitem_daily_summary/source={uuid}/year=YYYY/month=MM/YYYY-MM-DD.{csv,parquet}
// Files are written into a staging directory and moved into place by Commit(); a run that
// fails or is killed before Commit() leaves the previous files untouched.
//
// CSV follows PostgreSQL's CSV conventions (COPY ... CSV HEADER loads it): NULL is an empty
// unquoted field, the empty string is "". Numbers are shortest round-trip doubles.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/common/uuid.h"
#include "ocpagg/koku/summary_row.h"

namespace ocpagg {

struct SummaryFilesOptions {
  std::string output_dir;
  bool write_csv = true;
  bool write_parquet = true;
};

class SummaryFilesWriter {
 public:
  // Prepares a staging directory under options.output_dir for the run of `identity` covering
  // [start, end] (one month).
  static Result<std::unique_ptr<SummaryFilesWriter>> Begin(SummaryFilesOptions options,
                                                           RunIdentity identity, Date start,
                                                           Date end);
  ~SummaryFilesWriter();  // removes the staging directory if Commit() did not run
  SummaryFilesWriter(const SummaryFilesWriter&) = delete;
  SummaryFilesWriter& operator=(const SummaryFilesWriter&) = delete;

  // Writes the rows of one day (all rows must have usage_start == day). Each day once.
  Status WriteDay(Date day, std::span<const SummaryRow> rows);

  // Replaces the files of every day in [start, end] by the staged ones (days without rows
  // lose their old files), then removes the staging directory.
  Status Commit();

  // Where the files of a month live.
  std::string MonthDir() const;
  int64_t rows_written() const { return rows_written_; }
  const std::vector<std::string>& files_written() const { return files_written_; }

 private:
  SummaryFilesWriter() = default;
  Status WriteCsv(const std::string& path, std::span<const SummaryRow> rows);
  Status WriteParquet(const std::string& path, std::span<const SummaryRow> rows);

  SummaryFilesOptions options_;
  RunIdentity identity_;
  Date start_ = 0, end_ = 0;
  std::string staging_dir_;
  bool committed_ = false;
  UuidGenerator uuids_;
  int64_t rows_written_ = 0;
  std::vector<std::string> staged_;         // file names inside staging_dir_
  std::vector<std::string> files_written_;  // final paths after Commit()
};

// The column names of the files, in order (koku's INSERT column order, koku.md §2.9).
std::span<const std::string_view> SummaryFileColumns();

}  // namespace ocpagg
