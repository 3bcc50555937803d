#pragma once
// All-or-nothing output: files are written under a staging directory inside the output
// directory and moved into place only when the whole payload converted. On failure (or when
// the object dies uncommitted) the staging directory is removed, and so is the output
// directory itself if this run created it and it is empty.
//
// An s3://bucket/prefix output is staged in a local scratch directory ($TMPDIR) instead and
// published by PublishToStorage (common/storage.h): uploaded under temporary names, then
// copied to the final ones.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/common/storage.h"

namespace ocpagg {

// Staging folders under the output directory (owner in the name: common/scratch_dir.h).
inline constexpr std::string_view kIngestStagingPrefix = ".ocpagg-ingest-staging-";

class OutputStaging {
 public:
  // Creates `output_dir` if needed and a fresh staging directory inside it; for an s3:// output,
  // checks the bucket with `s3` and stages under $TMPDIR.
  static Result<std::unique_ptr<OutputStaging>> Create(const std::string& output_dir,
                                                       const S3Settings& s3 = {});
  ~OutputStaging();
  OutputStaging(const OutputStaging&) = delete;
  OutputStaging& operator=(const OutputStaging&) = delete;

  // The staging path for `relative_path` (relative to the output directory), with its parent
  // directories created. The file becomes output_dir/relative_path on Commit().
  Result<std::string> Prepare(const std::string& relative_path);

  // Renames a prepared file inside the staging directory (both paths relative).
  Status Rename(const std::string& from_relative, const std::string& to_relative);

  // Moves every prepared file into place (replacing files of the same name) and removes the
  // staging directory.
  Status Commit();

  // Removes the staging directory and everything in it.
  void Abort();

  const std::string& output_dir() const { return output_dir_; }

 private:
  OutputStaging(std::string output_dir, std::string staging_dir, bool created_output_dir);

  std::string output_dir_;
  std::optional<StorageLocation> remote_;  // an s3:// output
  std::string staging_dir_;
  bool created_output_dir_;
  bool done_ = false;
  std::vector<std::string> prepared_;
};

}  // namespace ocpagg
