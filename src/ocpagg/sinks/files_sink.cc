#include "ocpagg/sinks/files_sink.h"

#include <arrow/api.h>
#include <arrow/filesystem/filesystem.h>
#include <arrow/io/file.h>
#include <fcntl.h>
#include <parquet/arrow/writer.h>
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
#include "ocpagg/sinks/summary_encoding.h"

namespace ocpagg {
namespace fs = std::filesystem;
namespace {

// A row group is buffered whole until it is written: 8K rows of the summary hold about 3 MB
// (memory_budget.h kWritingBytesPerDay).
constexpr int64_t kParquetRowGroupRows = 8 * 1024;

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
  if (IsS3Uri(options_.output_dir)) {
    ARROW_ASSIGN_OR_RAISE(remote_, OpenStorage(options_.output_dir, options_.s3));
    RemoveStaleScratch(LocalStagingParent(), kSummaryStagingPrefix);
    ARROW_ASSIGN_OR_RAISE(staging_dir_,
                          MakeScratchDir(LocalStagingParent(), kSummaryStagingPrefix));
    return Status::OK();
  }
  std::error_code ec;
  fs::create_directories(options_.output_dir, ec);
  if (ec) {
    return SinkError("cannot create output directory {}: {}", options_.output_dir, ec.message());
  }
  // Scratch of killed runs; rows of the month of a run still going are in its own staging.
  RemoveStaleScratch(options_.output_dir, kSummaryStagingPrefix);
  ARROW_ASSIGN_OR_RAISE(staging_dir_, MakeScratchDir(options_.output_dir, kSummaryStagingPrefix));
  return Status::OK();
}

void FilesSink::Abort() {
  open_.clear();  // close the files of unfinished days before their directory goes
  staged_.clear();
  if (!staging_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(staging_dir_, ec);
    staging_dir_.clear();
  }
}

std::string FilesSink::MonthPath() const {
  auto ymd = ToYmd(start_);
  return fmt::format("reporting_ocpusagelineitem_daily_summary/source={}/year={:04d}/month={:02d}",
                     identity_.source_uuid, static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()));
}

std::string FilesSink::MonthDir() const {
  if (remote_) return remote_->display + "/" + MonthPath();
  return (fs::path(options_.output_dir) / MonthPath()).string();
}

struct FilesSink::DayFiles {
  Date day = 0;
  std::string base;  // YYYY-MM-DD
  std::ofstream csv;
  std::string csv_path;
  std::string line;  // CSV text not yet written
  std::shared_ptr<arrow::io::FileOutputStream> parquet_out;
  std::unique_ptr<parquet::arrow::FileWriter> parquet;
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
    files->parquet_out = *out;
    // Row groups of bounded size keep the writer's buffers small; the metrics are distinct
    // doubles, where a dictionary costs time and saves nothing.
    parquet::WriterProperties::Builder props;
    props.max_row_group_length(kParquetRowGroupRows);
    const auto& schema = SummaryArrowSchema();
    for (const auto& f : schema->fields()) {
      if (f->type()->id() == arrow::Type::DOUBLE) props.disable_dictionary(f->name());
    }
    auto writer = parquet::arrow::FileWriter::Open(*schema, arrow::default_memory_pool(),
                                                   files->parquet_out, props.build());
    if (!writer.ok()) {
      return SinkError("cannot write {}: {}", files->parquet_path, writer.status().message());
    }
    files->parquet = std::move(*writer);
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
    ARROW_ASSIGN_OR_RAISE(auto batch, SummaryRecordBatch(rows, identity_, files->uuids));
    auto st = files->parquet->WriteRecordBatch(*batch);
    if (!st.ok()) return SinkError("cannot write {}: {}", files->parquet_path, st.message());
  }
  rows_written_ += static_cast<int64_t>(rows.size());
  return Status::OK();
}

Status FilesSink::EndDay(Date day) {
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
    auto st = files->parquet->Close();
    if (st.ok()) st = files->parquet_out->Close();
    if (!st.ok()) return SinkError("cannot write {}: {}", files->parquet_path, st.message());
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
  std::sort(staged_.begin(), staged_.end());
  if (remote_) return PublishRemote();
  const fs::path month_dir = MonthDir();
  std::error_code ec;
  // The new month is assembled beside the old one, then the two are swapped in one rename: a
  // reader, a failure or a kill sees the old month or the new one, never a mix. Days outside
  // the range keep their files (hard links: same filesystem as the staging folder). koku's
  // delete covers every day of the range, including days that now have no rows.
  const fs::path next = fs::path(staging_dir_) / "month";
  fs::create_directories(next, ec);
  if (ec) return SinkError("cannot create {}: {}", next.string(), ec.message());
  if (fs::is_directory(month_dir, ec)) {
    for (const auto& entry : fs::directory_iterator(month_dir, ec)) {
      const std::string name = entry.path().filename().string();
      const std::string stem = entry.path().stem().string();
      auto day = ParseDate(stem);
      if (day && *day >= start_ && *day <= end_) continue;
      fs::create_hard_link(entry.path(), next / name, ec);
      if (ec) fs::copy(entry.path(), next / name, fs::copy_options::recursive, ec);
      if (ec) return SinkError("cannot keep {} in the new month: {}", name, ec.message());
    }
  }
  for (const auto& name : staged_) {
    fs::rename(fs::path(staging_dir_) / name, next / name, ec);
    if (ec) return SinkError("cannot move {} into {}: {}", name, next.string(), ec.message());
  }
  fs::create_directories(month_dir.parent_path(), ec);
  if (ec) return SinkError("cannot create {}: {}", month_dir.parent_path().string(), ec.message());
  const int swapped = fs::exists(month_dir) ? renameat2(AT_FDCWD, next.c_str(), AT_FDCWD,
                                                        month_dir.c_str(), RENAME_EXCHANGE)
                                            : rename(next.c_str(), month_dir.c_str());
  if (swapped != 0) {
    return SinkError("cannot publish {}: {}", month_dir.string(), std::strerror(errno));
  }
  fs::remove_all(staging_dir_, ec);  // holds the old month now
  staging_dir_.clear();
  return Status::OK();
}

// The staged days go up as one change: the range's days are replaced, its days without rows
// lose their objects, days outside the range keep theirs.
Status FilesSink::PublishRemote() {
  const std::string month = MonthPath();
  StorageChange change;
  for (const auto& name : staged_) {
    change.puts.emplace_back((fs::path(staging_dir_) / name).string(), month + "/" + name);
  }
  arrow::fs::FileSelector selector;
  selector.base_dir = remote_->path + "/" + month;
  selector.allow_not_found = true;
  auto existing = remote_->fs->GetFileInfo(selector);
  if (!existing.ok()) return StorageError(existing.status(), MonthDir());
  for (const auto& info : *existing) {
    const std::string name = info.base_name();
    auto day = ParseDate(name.substr(0, name.find('.')));
    if (!info.IsFile() || !day || *day < start_ || *day > end_) continue;
    if (!std::binary_search(staged_.begin(), staged_.end(), name)) {
      change.deletes.push_back(month + "/" + name);
    }
  }
  ARROW_RETURN_NOT_OK(PublishToStorage(*remote_, change));
  Abort();  // the local staging
  return Status::OK();
}

}  // namespace ocpagg
