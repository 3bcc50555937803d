#include "ocpagg/common/storage.h"

#include "ocpagg/common/scratch_dir.h"

#include <arrow/buffer.h>
#include <arrow/filesystem/localfs.h>
#include <arrow/filesystem/s3fs.h>
#include <arrow/util/uri.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>

namespace ocpagg {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// Temporary names of a publish, under the root: uploads under new/, replaced objects under old/,
// and the journal.
constexpr std::string_view kUploadPrefixName = ".ocpagg-upload-";
std::string UploadPrefix(const std::string& root) {
  std::random_device rd;
  return fmt::format("{}/{}{:08x}{:08x}", root, kUploadPrefixName, rd(), rd());
}

// The journal of a publish, written once every file is uploaded and every object it replaces is
// saved: a line "put RELATIVE" or "delete RELATIVE" per change. With it in place the publish is
// committed, and CompleteInterruptedPublishes can finish it from the upload prefix alone.
std::string JournalPath(const std::string& upload) { return upload + "/journal"; }

Status WriteJournal(arrow::fs::FileSystem& fs, const std::string& upload,
                    const StorageChange& change) {
  std::string text;
  for (const auto& put : change.puts) text += "put " + put.second + "\n";
  for (const auto& relative : change.deletes) text += "delete " + relative + "\n";
  ARROW_ASSIGN_OR_RAISE(auto out, fs.OpenOutputStream(JournalPath(upload)));
  ARROW_RETURN_NOT_OK(out->Write(text));
  return out->Close();
}

Result<StorageChange> ReadJournal(arrow::fs::FileSystem& fs, const std::string& upload) {
  ARROW_ASSIGN_OR_RAISE(auto in, fs.OpenInputStream(JournalPath(upload)));
  std::string text;
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto chunk, in->Read(1 << 20));
    if (chunk->size() == 0) break;
    text.append(chunk->ToString());
  }
  StorageChange change;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    if (line.starts_with("put ")) {
      change.puts.emplace_back(std::string(), std::string(line.substr(4)));
    } else if (line.starts_with("delete ")) {
      change.deletes.emplace_back(line.substr(7));
    }
    start = end + 1;
  }
  return change;
}

// Copies the uploaded files of `upload` to their final names and makes the deletes: the second
// half of a publish, which a committed journal allows to redo at any time.
Status ApplyUpload(arrow::fs::FileSystem& fs, const std::string& root, const std::string& upload,
                   const StorageChange& change, std::vector<std::string>* done) {
  for (const auto& put : change.puts) {
    const std::string to = root + "/" + put.second;
    if (auto st = fs.CopyFile(upload + "/new/" + put.second, to); !st.ok()) {
      return StorageError(st, "s3://" + to);
    }
    if (done) done->push_back(put.second);
  }
  for (const auto& relative : change.deletes) {
    const std::string path = root + "/" + relative;
    auto info = fs.GetFileInfo(path);
    Status st = info.status();
    if (st.ok() && info->IsFile()) st = fs.DeleteFile(path);
    if (!st.ok()) return StorageError(st, "s3://" + path);
    if (done) done->push_back(relative);
  }
  return Status::OK();
}

Result<StorageLocation> OpenS3(const std::string& uri, S3Settings s3) {
  arrow::util::Uri parsed;
  if (!parsed.Parse(uri).ok() || parsed.host().empty()) {
    return UsageError("{} is not an S3 URI: expected s3://bucket/prefix", uri);
  }
  const std::string bucket = parsed.host();
  std::string prefix = parsed.path();
  while (!prefix.empty() && prefix.front() == '/') prefix.erase(0, 1);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  StorageLocation out;
  out.remote = true;
  out.path = prefix.empty() ? bucket : bucket + "/" + prefix;
  out.display = "s3://" + out.path;

  S3Settings from_uri;
  from_uri.access_key = parsed.username();
  from_uri.secret_key = parsed.password();
  ARROW_ASSIGN_OR_RAISE(auto items, parsed.query_items());
  for (const auto& [key, value] : items) {
    if (key == "endpoint_override") {
      from_uri.endpoint = value;
    } else if (key == "region") {
      from_uri.region = value;
    } else if (key == "scheme") {
      from_uri.scheme = value;
    } else {
      return UsageError(
          "{}: unknown S3 URI parameter '{}' (known: endpoint_override, region, "
          "scheme)",
          out.display, key);
    }
  }
  s3.FillFrom(from_uri);
  s3.FillFrom(S3SettingsFromAwsEnvironment());

  arrow::fs::S3Options options;
  std::string endpoint = s3.endpoint;
  if (auto sep = endpoint.find("://"); sep != std::string::npos) {
    if (s3.scheme.empty()) s3.scheme = endpoint.substr(0, sep);
    endpoint = endpoint.substr(sep + 3);
  }
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  if (!s3.scheme.empty() && s3.scheme != "http" && s3.scheme != "https") {
    return UsageError("S3 scheme must be http or https, got '{}'", s3.scheme);
  }
  options.endpoint_override = endpoint;
  options.scheme = s3.scheme.empty() ? "https" : s3.scheme;
  // Path-style addressing (http://endpoint/bucket/key) is what S3-compatible servers (MinIO,
  // Ceph, ODF) expect; AWS's own endpoint always gets virtual-hosted addressing.
  options.force_virtual_addressing = !s3.path_style.value_or(true);
  options.connect_timeout = kS3ConnectTimeoutSeconds;
  // On Linux the SDK's curl client applies this as a low-speed limit: a request that receives
  // nothing for this long is abandoned (and tried again).
  options.request_timeout = kS3StalledRequestSeconds;
  options.retry_strategy = arrow::fs::S3RetryStrategy::GetAwsStandardRetryStrategy(kS3MaxAttempts);
  if (s3.access_key.empty() != s3.secret_key.empty()) {
    return UsageError("S3 access key and secret key go together: only the {} is set",
                      s3.access_key.empty() ? "secret key" : "access key");
  }
  if (!s3.access_key.empty()) {
    options.ConfigureAccessKey(s3.access_key, s3.secret_key, Env("AWS_SESSION_TOKEN"));
  } else {
    options.ConfigureDefaultCredentials();  // profile, web identity, instance metadata
  }
  ARROW_RETURN_NOT_OK(arrow::fs::EnsureS3Initialized());
  if (!s3.region.empty()) {
    options.region = s3.region;
  } else if (!endpoint.empty()) {
    options.region = "us-east-1";  // what S3-compatible servers accept when none is set
  } else {
    auto region = arrow::fs::ResolveS3BucketRegion(bucket);
    if (!region.ok()) return StorageError(region.status(), "s3://" + bucket);
    options.region = *region;
  }
  auto fs = arrow::fs::S3FileSystem::Make(options);
  if (!fs.ok()) return StorageError(fs.status(), out.display);
  out.fs = *fs;
  const std::string where =
      endpoint.empty() ? "s3://" + bucket : fmt::format("s3://{} at {}", bucket, endpoint);
  auto info = out.fs->GetFileInfo(bucket);
  if (!info.ok()) return StorageError(info.status(), where);
  if (info->type() == arrow::fs::FileType::NotFound) {
    return SinkError("S3 bucket {} does not exist (create it, or check the bucket name)", where);
  }
  return out;
}

}  // namespace

void S3Settings::FillFrom(const S3Settings& fallback) {
  if (endpoint.empty()) endpoint = fallback.endpoint;
  if (region.empty()) region = fallback.region;
  if (access_key.empty()) access_key = fallback.access_key;
  if (secret_key.empty()) secret_key = fallback.secret_key;
  if (scheme.empty()) scheme = fallback.scheme;
  if (!path_style) path_style = fallback.path_style;
}

S3Settings S3SettingsFromAwsEnvironment() {
  S3Settings s;
  s.endpoint = Env("AWS_ENDPOINT_URL_S3");
  if (s.endpoint.empty()) s.endpoint = Env("AWS_ENDPOINT_URL");
  s.region = Env("AWS_REGION");
  if (s.region.empty()) s.region = Env("AWS_DEFAULT_REGION");
  s.access_key = Env("AWS_ACCESS_KEY_ID");
  s.secret_key = Env("AWS_SECRET_ACCESS_KEY");
  return s;
}

bool IsS3Uri(std::string_view uri_or_path) { return uri_or_path.starts_with("s3://"); }

Result<StorageLocation> OpenStorage(const std::string& uri_or_path, const S3Settings& s3) {
  if (IsS3Uri(uri_or_path)) return OpenS3(uri_or_path, s3);
  if (uri_or_path.find("://") != std::string::npos) {
    return UsageError("{}: only local paths and s3:// URIs are supported", uri_or_path);
  }
  StorageLocation out;
  out.fs = std::make_shared<arrow::fs::LocalFileSystem>();
  // Arrow wants local paths absolute.
  out.path = std::filesystem::absolute(uri_or_path).lexically_normal().string();
  while (out.path.size() > 1 && out.path.back() == '/') out.path.pop_back();
  out.display = uri_or_path;
  return out;
}

Status StorageError(const Status& cause, std::string_view location) {
  if (KindOf(cause) == ErrorKind::kSink) return cause;
  return SinkError("{}: {}", location, cause.message());
}

Status PublishToStorage(const StorageLocation& root, const StorageChange& change) {
  arrow::fs::FileSystem& fs = *root.fs;
  const std::string upload = UploadPrefix(root.path);
  auto remove_upload = [&] { (void)fs.DeleteDir(upload); };
  auto at = [&](const std::string& relative) { return root.path + "/" + relative; };

  std::vector<arrow::fs::FileLocator> sources, destinations;
  auto local = std::make_shared<arrow::fs::LocalFileSystem>();
  for (const auto& [file, relative] : change.puts) {
    sources.push_back({local, file});
    destinations.push_back({root.fs, upload + "/new/" + relative});
  }
  if (auto st = arrow::fs::CopyFiles(sources, destinations); !st.ok()) {
    remove_upload();
    return StorageError(st,
                        fmt::format("uploading {} file(s) to {}", sources.size(), root.display));
  }
  // The objects the change replaces or removes, saved so that a failure can put them back.
  std::vector<std::string> targets;
  for (const auto& put : change.puts) targets.push_back(put.second);
  targets.insert(targets.end(), change.deletes.begin(), change.deletes.end());
  std::vector<std::string> saved;
  for (const auto& relative : targets) {
    auto info = fs.GetFileInfo(at(relative));
    Status st = info.status();
    if (st.ok() && info->IsFile()) {
      st = fs.CopyFile(at(relative), upload + "/old/" + relative);
      if (st.ok()) saved.push_back(relative);
    }
    if (!st.ok()) {
      remove_upload();
      return StorageError(st, at(relative));
    }
  }
  // Committed: from here a run killed on the way is completed by the next one.
  if (auto st = WriteJournal(fs, upload, change); !st.ok()) {
    remove_upload();
    return StorageError(st, "s3://" + JournalPath(upload));
  }
  // Now the final names. Should this fail half-way, the objects done are put back as they were.
  std::vector<std::string> done;
  if (auto st = ApplyUpload(fs, root.path, upload, change, &done); !st.ok()) {
    for (const auto& relative : done) {
      const bool had = std::find(saved.begin(), saved.end(), relative) != saved.end();
      (void)(had ? fs.CopyFile(upload + "/old/" + relative, at(relative))
                 : fs.DeleteFile(at(relative)));
    }
    remove_upload();
    return st;
  }
  remove_upload();
  return Status::OK();
}

Status CompleteInterruptedPublishes(const StorageLocation& root) {
  arrow::fs::FileSystem& fs = *root.fs;
  arrow::fs::FileSelector selector;
  selector.base_dir = root.path;
  selector.allow_not_found = true;
  auto entries = fs.GetFileInfo(selector);
  if (!entries.ok()) return StorageError(entries.status(), root.display);
  const auto now = std::chrono::system_clock::now();
  for (const auto& entry : *entries) {
    if (!entry.IsDirectory() || !entry.base_name().starts_with(kUploadPrefixName)) continue;
    const std::string upload = entry.path();
    auto journal = fs.GetFileInfo(JournalPath(upload));
    if (!journal.ok()) return StorageError(journal.status(), "s3://" + upload);
    if (journal->IsFile()) {
      ARROW_ASSIGN_OR_RAISE(StorageChange change, ReadJournal(fs, upload));
      if (auto st = ApplyUpload(fs, root.path, upload, change, nullptr); !st.ok()) {
        return SinkError("completing the interrupted publish {} in {}: {}", entry.base_name(),
                         root.display, st.message());
      }
      (void)fs.DeleteDir(upload);
      continue;
    }
    // No journal: a publish that died (or is still running) before touching any final name.
    // Its uploads are removed once nothing has been written there for a while.
    arrow::fs::FileSelector files;
    files.base_dir = upload;
    files.recursive = true;
    auto infos = fs.GetFileInfo(files);
    if (!infos.ok()) continue;
    bool recent = false;
    for (const auto& info : *infos) {
      recent = recent || (info.IsFile() && now - info.mtime() < kAbandonedUploadAge);
    }
    if (!recent) (void)fs.DeleteDir(upload);
  }
  return Status::OK();
}

std::string LocalStagingParent() {
  const std::string tmp = Env("TMPDIR");
  return tmp.empty() ? "/tmp" : tmp;
}

namespace {

uint64_t Inode(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_ino) : 0;
}

}  // namespace

Result<std::unique_ptr<StorageMirror>> StorageMirror::Open(StorageLocation root,
                                                           const std::vector<std::string>& folders,
                                                           std::string_view prefix) {
  ARROW_RETURN_NOT_OK(CompleteInterruptedPublishes(root));
  RemoveStaleScratch(LocalStagingParent(), prefix);
  ARROW_ASSIGN_OR_RAISE(std::string local, MakeScratchDir(LocalStagingParent(), prefix));
  std::unique_ptr<StorageMirror> mirror(new StorageMirror(std::move(root), std::move(local)));
  const StorageLocation& r = mirror->root_;
  auto local_fs = std::make_shared<arrow::fs::LocalFileSystem>();
  std::vector<arrow::fs::FileLocator> sources, destinations;
  std::vector<std::string> relatives;
  for (const std::string& folder : folders) {
    arrow::fs::FileSelector selector;
    selector.base_dir = r.path + "/" + folder;
    selector.allow_not_found = true;
    auto infos = r.fs->GetFileInfo(selector);
    if (!infos.ok()) return StorageError(infos.status(), "s3://" + selector.base_dir);
    for (const auto& info : *infos) {
      if (!info.IsFile() || info.base_name().starts_with(".ocpagg")) continue;
      const std::string relative = folder + "/" + info.base_name();
      const std::string to = mirror->local_dir_ + "/" + relative;
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(to).parent_path(), ec);
      if (ec) return SinkError("cannot create a folder for {}: {}", to, ec.message());
      sources.push_back({r.fs, info.path()});
      destinations.push_back({local_fs, to});
      relatives.push_back(relative);
    }
  }
  if (auto st = arrow::fs::CopyFiles(sources, destinations); !st.ok()) {
    return StorageError(st, "reading the output's current files from " + r.display);
  }
  for (size_t i = 0; i < relatives.size(); ++i) {
    mirror->copied_.emplace_back(relatives[i], Inode(destinations[i].path));
  }
  return mirror;
}

StorageMirror::~StorageMirror() {
  std::error_code ec;
  std::filesystem::remove_all(local_dir_, ec);
}

Status StorageMirror::Publish() {
  namespace fs = std::filesystem;
  std::map<std::string, uint64_t> now;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(local_dir_, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename().string().starts_with(".ocpagg")) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    now[fs::relative(it->path(), local_dir_).string()] = Inode(it->path().string());
  }
  if (ec) return SinkError("cannot list {}: {}", local_dir_, ec.message());
  StorageChange change;
  std::map<std::string, uint64_t> before(copied_.begin(), copied_.end());
  for (const auto& [relative, inode] : now) {
    auto old = before.find(relative);
    if (old == before.end() || old->second != inode) {
      change.puts.emplace_back(local_dir_ + "/" + relative, relative);
    }
  }
  for (const auto& [relative, inode] : before) {
    if (!now.count(relative)) change.deletes.push_back(relative);
  }
  return PublishToStorage(root_, change);
}

}  // namespace ocpagg
