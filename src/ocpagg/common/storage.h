#pragma once
// Where ocpagg reads koku's Parquet and writes its files: a local directory or an S3 prefix
// (s3://bucket/prefix). An S3 location is opened with the settings a deployment gives (endpoint,
// region, keys, addressing), checked at once (the bucket must exist and the keys must open it),
// and written all or nothing as far as S3 allows: files are staged locally, uploaded under
// temporary names, and only then copied to their final names (PublishToStorage).
//
// Failures of S3 itself (keys refused, no bucket, endpoint unreachable, a connection lost) are
// ErrorKind::kSink errors (exit code 4) naming the bucket or object.

#include <arrow/filesystem/filesystem.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ocpagg/common/status.h"

namespace ocpagg {

// S3 connection settings; an empty field (or nullopt) is a setting not given.
struct S3Settings {
  std::string endpoint;  // host:port, or a URL (http://host:port: the URL's scheme is used)
  std::string region;
  std::string access_key, secret_key;
  std::string scheme;  // http | https
  std::optional<bool> path_style;

  // Fills the fields this one leaves empty from `fallback`.
  void FillFrom(const S3Settings& fallback);
};

// The settings the standard AWS variables give: AWS_ENDPOINT_URL_S3 (else AWS_ENDPOINT_URL),
// AWS_REGION (else AWS_DEFAULT_REGION), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
S3Settings S3SettingsFromAwsEnvironment();

// How long an S3 request may take to connect, how long it may receive nothing, and how many
// times a failed one is tried: an unreachable or hung endpoint fails in seconds, not minutes.
inline constexpr double kS3ConnectTimeoutSeconds = 3;
inline constexpr double kS3StalledRequestSeconds = 5;
inline constexpr int kS3MaxAttempts = 3;

bool IsS3Uri(std::string_view uri_or_path);

struct StorageLocation {
  std::shared_ptr<arrow::fs::FileSystem> fs;
  std::string path;     // on fs: an absolute local path, or bucket/prefix
  std::string display;  // as the user gave it, without query or keys (for messages)
  bool remote = false;
};

// Opens a local directory (relative paths allowed) or s3://bucket/prefix. For S3, the settings
// come from `s3`, then the URI's own (?endpoint_override=, region=, scheme=; keys as
// s3://KEY:SECRET@bucket), then the AWS variables; the bucket is checked.
Result<StorageLocation> OpenStorage(const std::string& uri_or_path, const S3Settings& s3);

// A failure of the storage at `location` (a bucket, an object): ErrorKind::kSink.
Status StorageError(const Status& cause, std::string_view location);

// Files to put under a storage root and paths to remove from it, all relative to the root.
struct StorageChange {
  std::vector<std::pair<std::string, std::string>> puts;  // local file -> path under the root
  std::vector<std::string> deletes;
};

// Applies `change` under `root` (remote): every file is uploaded under a temporary prefix of
// the root first (.ocpagg-upload-*), and the objects being replaced are saved there; then a
// journal naming every change is written there, which commits the publish; only then are the
// files copied to their final names and the deletes done. A failure before the journal leaves
// the final names untouched; a failure while copying restores what was replaced. The temporary
// prefix is removed in every case the server still answers. A process killed after writing the
// journal leaves it behind for CompleteInterruptedPublishes.
Status PublishToStorage(const StorageLocation& root, const StorageChange& change);

// How old the uploads of a publish that died before its journal must be before
// CompleteInterruptedPublishes removes them (younger ones may belong to a run still uploading).
inline constexpr std::chrono::hours kAbandonedUploadAge{1};

// Completes the publishes under `root` whose process died after committing them (their journal
// is there): the final names get the uploaded files and the deletes are made, as the dead run
// would have done; then their temporary prefix is removed. Uploads without a journal older than
// kAbandonedUploadAge are removed. Runs writing to a root call this before reading from it.
Status CompleteInterruptedPublishes(const StorageLocation& root);

// The directory for local staging of remote output: $TMPDIR, else /tmp.
std::string LocalStagingParent();

// A local copy of some folders of a remote root, for code that writes local files (reading
// what is there, replacing folders) to work on, and whose changes are then published back:
// files written anew go up, files of the copied folders that are gone are deleted.
class StorageMirror {
 public:
  // Copies the files directly under each of `folders` (relative to root.path; missing ones are
  // empty) into a new scratch folder under LocalStagingParent() named `prefix...`.
  static Result<std::unique_ptr<StorageMirror>> Open(StorageLocation root,
                                                     const std::vector<std::string>& folders,
                                                     std::string_view prefix);
  ~StorageMirror();  // removes the local copy
  StorageMirror(const StorageMirror&) = delete;
  StorageMirror& operator=(const StorageMirror&) = delete;

  const std::string& local_dir() const { return local_dir_; }
  const StorageLocation& root() const { return root_; }
  // Publishes the changes under local_dir() with PublishToStorage: files that were not copied
  // or were replaced (another inode), and deletes for copied files that are gone. Entries whose
  // name starts with ".ocpagg" (scratch, locks) are not published.
  Status Publish();

 private:
  StorageMirror(StorageLocation root, std::string local_dir)
      : root_(std::move(root)), local_dir_(std::move(local_dir)) {}

  StorageLocation root_;
  std::string local_dir_;
  std::vector<std::pair<std::string, uint64_t>> copied_;  // relative path, inode
};

}  // namespace ocpagg
