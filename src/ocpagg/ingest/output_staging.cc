#include "ocpagg/ingest/output_staging.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "ocpagg/common/scratch_dir.h"

namespace ocpagg {

namespace fs = std::filesystem;

OutputStaging::OutputStaging(std::string output_dir, std::string staging_dir,
                             bool created_output_dir)
    : output_dir_(std::move(output_dir)),
      staging_dir_(std::move(staging_dir)),
      created_output_dir_(created_output_dir) {}

Result<std::unique_ptr<OutputStaging>> OutputStaging::Create(const std::string& output_dir,
                                                             const S3Settings& s3) {
  if (IsS3Uri(output_dir)) {
    ARROW_ASSIGN_OR_RAISE(StorageLocation remote, OpenStorage(output_dir, s3));
    ARROW_RETURN_NOT_OK(CompleteInterruptedPublishes(remote));
    RemoveStaleScratch(LocalStagingParent(), kIngestStagingPrefix);
    ARROW_ASSIGN_OR_RAISE(auto staging, MakeScratchDir(LocalStagingParent(), kIngestStagingPrefix));
    std::unique_ptr<OutputStaging> out(new OutputStaging(output_dir, staging, false));
    out->remote_ = std::move(remote);
    return out;
  }
  std::error_code ec;
  bool existed = fs::exists(output_dir, ec);
  if (existed && !fs::is_directory(output_dir, ec)) {
    return UsageError("--output {} exists and is not a directory", output_dir);
  }
  if (!existed && (fs::create_directories(output_dir, ec), ec)) {
    return SinkError("cannot create output directory {}: {}", output_dir, ec.message());
  }
  RemoveStaleScratch(output_dir, kIngestStagingPrefix);
  auto staging = MakeScratchDir(output_dir, kIngestStagingPrefix);
  if (!staging.ok()) {
    if (!existed) fs::remove(output_dir, ec);
    return staging.status();
  }
  return std::unique_ptr<OutputStaging>(new OutputStaging(output_dir, *staging, !existed));
}

OutputStaging::~OutputStaging() {
  if (!done_) Abort();
}

Result<std::string> OutputStaging::Prepare(const std::string& relative_path) {
  fs::path path = fs::path(staging_dir_) / relative_path;
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    return SinkError("cannot create directory {}: {}", path.parent_path().string(), ec.message());
  }
  prepared_.push_back(relative_path);
  return path.string();
}

Status OutputStaging::Rename(const std::string& from_relative, const std::string& to_relative) {
  auto it = std::find(prepared_.begin(), prepared_.end(), from_relative);
  if (it == prepared_.end()) {
    return MakeError(ErrorKind::kInternal, fmt::format("{} was never staged", from_relative));
  }
  std::error_code ec;
  fs::rename(fs::path(staging_dir_) / from_relative, fs::path(staging_dir_) / to_relative, ec);
  if (ec) {
    return SinkError("cannot rename staged {} to {}: {}", from_relative, to_relative, ec.message());
  }
  *it = to_relative;
  return Status::OK();
}

Status OutputStaging::Commit() {
  std::error_code ec;
  if (remote_) {
    StorageChange change;
    for (const std::string& relative : prepared_) {
      change.puts.emplace_back((fs::path(staging_dir_) / relative).string(), relative);
    }
    ARROW_RETURN_NOT_OK(PublishToStorage(*remote_, change));
    Abort();  // the local staging
    return Status::OK();
  }
  for (const std::string& relative : prepared_) {
    fs::path from = fs::path(staging_dir_) / relative;
    fs::path to = fs::path(output_dir_) / relative;
    fs::create_directories(to.parent_path(), ec);
    if (!ec) fs::rename(from, to, ec);
    if (ec) {
      return SinkError("cannot move {} into place at {}: {}", from.string(), to.string(),
                       ec.message());
    }
  }
  fs::remove_all(staging_dir_, ec);
  done_ = true;
  return Status::OK();
}

void OutputStaging::Abort() {
  std::error_code ec;
  fs::remove_all(staging_dir_, ec);
  if (created_output_dir_ && fs::is_empty(output_dir_, ec)) fs::remove(output_dir_, ec);
  done_ = true;
}

}  // namespace ocpagg
