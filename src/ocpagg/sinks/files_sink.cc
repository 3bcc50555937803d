#include "ocpagg/sinks/files_sink.h"

#include <arrow/api.h>
#include <arrow/filesystem/filesystem.h>
#include <arrow/io/file.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "ocpagg/common/scratch_dir.h"
#include "ocpagg/sinks/files_publish.h"
#include "ocpagg/sinks/summary_encoding.h"
#include "ocpagg/sinks/summary_parquet.h"

namespace ocpagg {
namespace fs = std::filesystem;
namespace {

// Local copies of S3 outputs (owner in the name: common/scratch_dir.h).
constexpr std::string_view kSummaryMirrorPrefix = "ocpagg-s3-output-";

// The folders of an S3 output a run reads or replaces: of every table under it, the source's
// folder (the tables kept per source) and its month's (the summary, the tables kept per day
// and per month).
std::vector<std::string> FoldersOfRun(const StorageLocation& remote, const RunIdentity& identity,
                                      Date start) {
  std::vector<std::string> folders;
  arrow::fs::FileSelector selector;
  selector.base_dir = remote.path;
  selector.allow_not_found = true;
  auto tables = remote.fs->GetFileInfo(selector);
  if (!tables.ok()) return folders;  // the mirror's own listing reports the failure
  for (const auto& table : *tables) {
    if (!table.IsDirectory() || table.base_name().starts_with(".ocpagg")) continue;
    const std::string source = TableFolder(table.base_name(), "", identity.source_uuid);
    folders.push_back(source);
    folders.push_back(TableFolder(table.base_name(), "", identity.source_uuid, start));
  }
  return folders;
}

}  // namespace

FilesSink::FilesSink(FilesSinkOptions options) : options_(std::move(options)) {}

FilesSink::~FilesSink() { Abort(); }

Status FilesSink::Begin(const RunIdentity& identity, Date start, Date end) {
  if (!options_.write_csv && !options_.write_parquet) {
    return UsageError("no output format selected: use --format csv, parquet or both");
  }
  if (!staging_dir_.empty()) return InternalError("FilesSink::Begin called twice");
  identity_ = identity;
  start_ = start;
  end_ = end;
  std::error_code ec;
  output_dir_ = options_.output_dir;
  if (IsS3Uri(options_.output_dir)) {
    ARROW_ASSIGN_OR_RAISE(StorageLocation remote, OpenStorage(options_.output_dir, options_.s3));
    const std::vector<std::string> folders = FoldersOfRun(remote, identity, start);
    ARROW_ASSIGN_OR_RAISE(mirror_,
                          StorageMirror::Open(std::move(remote), folders, kSummaryMirrorPrefix));
    output_dir_ = mirror_->local_dir();
  }
  fs::create_directories(output_dir_, ec);
  if (ec) {
    return SinkError("cannot create output directory {}: {}", output_dir_, ec.message());
  }
  {
    // Scratch of killed runs, once what they had committed is in place (under the output's
    // lock, taken only when there is such scratch); rows of a run still going are in its own
    // staging.
    std::optional<OutputLock> lock;
    RemoveStaleScratch(output_dir_, kSummaryStagingPrefix, [&](const std::string& dir) {
      if (!lock) {
        auto acquired = OutputLock::Acquire(output_dir_);
        if (!acquired.ok()) return false;  // left for a later run
        lock.emplace(std::move(*acquired));
      }
      RollForward(dir);
      return true;
    });
  }
  ARROW_ASSIGN_OR_RAISE(staging_dir_, MakeScratchDir(output_dir_, kSummaryStagingPrefix));
  if (options_.write_tables) {
    tables_ = std::make_unique<FilesTables>(output_dir_, identity, start, end);
  }
  return Status::OK();
}

Status FilesSink::WriteProjects(std::span<const std::string> namespaces) {
  if (tables_) tables_->SetProjects(namespaces);
  return Status::OK();
}

void FilesSink::Abort() {
  open_.clear();  // close the files of unfinished days before their directory goes
  staged_.clear();
  tables_.reset();
  if (!staging_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(staging_dir_, ec);
    staging_dir_.clear();
  }
}

std::string FilesSink::LocalMonthDir() const {
  return TableFolder(output_dir_, "reporting_ocpusagelineitem_daily_summary", identity_.source_uuid,
                     start_);
}

std::string FilesSink::MonthDir() const {
  if (!mirror_) return LocalMonthDir();
  return mirror_->root().display + "/" + fs::relative(LocalMonthDir(), output_dir_).string();
}

struct FilesSink::DayFiles {
  Date day = 0;
  std::string base;  // YYYY-MM-DD
  std::ofstream csv;
  std::string csv_path;
  std::string line;  // CSV text not yet written
  std::unique_ptr<SummaryParquetWriter> parquet;
  std::string parquet_path;
  UuidGenerator uuids;
};

Result<std::unique_ptr<FilesSink::DayFiles>> FilesSink::OpenDay(Date day) {
  auto files = std::make_unique<DayFiles>();
  files->day = day;
  files->base = FormatDate(day);
  if (options_.write_csv) {
    files->csv_path = (fs::path(staging_dir_) / (files->base + ".csv")).string();
    files->csv.open(files->csv_path, std::ios::binary);
    if (!files->csv) return SinkError("cannot write {}", files->csv_path);
    AppendCsvHeader(files->line);
  }
  if (options_.write_parquet) {
    files->parquet_path = (fs::path(staging_dir_) / (files->base + ".parquet")).string();
    auto out = arrow::io::FileOutputStream::Open(files->parquet_path);
    if (!out.ok()) {
      return SinkError("cannot write {}: {}", files->parquet_path, out.status().message());
    }
    ARROW_ASSIGN_OR_RAISE(files->parquet, SummaryParquetWriter::Open(*out, files->parquet_path));
  }
  return files;
}

Status FilesSink::WriteRows(Date day, std::span<const SummaryRow> rows) {
  if (staging_dir_.empty()) return InternalError("FilesSink::WriteRows without Begin");
  if (day < start_ || day > end_) {
    return InternalError("day {} written outside the run's range", FormatDate(day));
  }
  if (rows.empty()) return Status::OK();
  for (const auto& row : rows) {
    if (row.usage_start != day) return InternalError("a row of another day passed to WriteRows");
  }
  if (tables_) ARROW_RETURN_NOT_OK(tables_->AddRows(day, rows));
  DayFiles* files = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = open_.find(day);
    if (it == open_.end()) {
      ARROW_ASSIGN_OR_RAISE(auto opened, OpenDay(day));
      it = open_.emplace(day, std::move(opened)).first;
    }
    files = it->second.get();
  }
  if (files->csv.is_open()) ARROW_RETURN_NOT_OK(AppendCsv(*files, rows));
  if (files->parquet) {
    ARROW_RETURN_NOT_OK(files->parquet->Append(rows, identity_, files->uuids));
  }
  rows_written_ += static_cast<int64_t>(rows.size());
  return Status::OK();
}

Status FilesSink::EndDay(Date day) {
  if (tables_) ARROW_RETURN_NOT_OK(tables_->EndDay(day, staging_dir_));
  std::unique_ptr<DayFiles> files;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = open_.find(day);
    if (it == open_.end()) return Status::OK();
    files = std::move(it->second);
    open_.erase(it);
  }
  std::vector<std::string> staged;
  if (files->csv.is_open()) {
    files->csv.write(files->line.data(), static_cast<std::streamsize>(files->line.size()));
    files->csv.close();
    if (!files->csv) return SinkError("cannot write {} (disk full?)", files->csv_path);
    staged.push_back(files->base + ".csv");
  }
  if (files->parquet) {
    ARROW_RETURN_NOT_OK(files->parquet->Close());
    staged.push_back(files->base + ".parquet");
  }
  std::lock_guard<std::mutex> lock(mu_);
  staged_.insert(staged_.end(), staged.begin(), staged.end());
  return Status::OK();
}

Status FilesSink::AppendCsv(DayFiles& files, std::span<const SummaryRow> rows) {
  std::string& line = files.line;
  std::array<char, 36> uuid;
  for (const auto& r : rows) {
    files.uuids.Next(uuid);
    AppendCsvRow(RowContext{r, identity_, std::string_view(uuid.data(), uuid.size())}, line);
    if (line.size() > (1 << 20)) {
      files.csv.write(line.data(), static_cast<std::streamsize>(line.size()));
      line.clear();
    }
  }
  if (!files.csv) return SinkError("cannot write {} (disk full?)", files.csv_path);
  return Status::OK();
}

Status FilesSink::Commit() {
  if (staging_dir_.empty()) return InternalError("FilesSink::Commit without Begin");
  std::vector<Date> unfinished;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [day, files] : open_) unfinished.push_back(day);
  }
  for (Date day : unfinished) ARROW_RETURN_NOT_OK(EndDay(day));
  ARROW_ASSIGN_OR_RAISE(OutputLock lock, OutputLock::Acquire(output_dir_));
  // A run killed while publishing is completed first: this one builds on what it committed.
  RemoveStaleScratch(output_dir_, kSummaryStagingPrefix, [](const std::string& dir) {
    RollForward(dir);
    return true;
  });
  Publication publication(staging_dir_);
  // The new month is assembled beside the old one, from the staged days and the old month's
  // other days, then swapped in with the tables' folders.
  const std::string next = (fs::path(staging_dir_) / "month").string();
  ARROW_RETURN_NOT_OK(KeepDaysOutside(LocalMonthDir(), next, start_, end_));
  std::error_code ec;
  for (const auto& name : staged_) {
    fs::rename(fs::path(staging_dir_) / name, fs::path(next) / name, ec);
    if (ec) return SinkError("cannot move {} into {}: {}", name, next, ec.message());
  }
  publication.Add(next, LocalMonthDir());
  if (tables_) ARROW_RETURN_NOT_OK(tables_->Stage(staging_dir_, publication));
  ARROW_RETURN_NOT_OK(publication.Publish());
  fs::remove_all(staging_dir_, ec);  // holds the old month and tables now
  staging_dir_.clear();
  if (mirror_) ARROW_RETURN_NOT_OK(mirror_->Publish());
  return Status::OK();
}

}  // namespace ocpagg
