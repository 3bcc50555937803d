#include "ocpagg/ingest/payload.h"

#include <arrow/buffer.h>
#include <arrow/io/compressed.h>
#include <arrow/io/file.h>
#include <arrow/util/compression.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "ocpagg/ingest/tar_reader.h"

namespace ocpagg {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kManifestName = "manifest.json";
// koku refuses manifests above 10 MB (_MAX_MANIFEST_BYTES).
constexpr int64_t kMaxManifestBytes = 10 << 20;
// How deep below the given directory month directories are looked for.
constexpr int kMaxSearchDepth = 4;

Result<std::string> ReadSmallFile(const std::string& path) {
  auto file = arrow::io::ReadableFile::Open(path);
  if (!file.ok()) return BadInput("cannot open {}: {}", path, file.status().message());
  ARROW_ASSIGN_OR_RAISE(int64_t size, (*file)->GetSize());
  if (size > kMaxManifestBytes) {
    return BadInput("{} is larger than koku's limit of {} bytes", path, kMaxManifestBytes);
  }
  ARROW_ASSIGN_OR_RAISE(auto buffer, (*file)->Read(size));
  return buffer->ToString();
}

Result<std::shared_ptr<arrow::io::InputStream>> OpenFile(const std::string& path) {
  auto file = arrow::io::ReadableFile::Open(path);
  if (!file.ok()) return BadInput("cannot open {}: {}", path, file.status().message());
  return std::static_pointer_cast<arrow::io::InputStream>(*file);
}

Result<std::vector<fs::path>> FindMonthDirectories(const fs::path& root) {
  std::vector<fs::path> months;
  std::error_code ec;
  if (fs::is_regular_file(root / kManifestName, ec)) return std::vector<fs::path>{root};
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) return BadInput("cannot list {}: {}", root.string(), ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return BadInput("cannot list {}: {}", root.string(), ec.message());
    if (it.depth() >= kMaxSearchDepth) it.disable_recursion_pending();
    if (it->is_regular_file(ec) && it->path().filename() == kManifestName) {
      months.push_back(it->path().parent_path());
    }
  }
  std::sort(months.begin(), months.end());
  return months;
}

Result<PayloadWalk> WalkDirectory(const fs::path& root, const ReportFileVisitor& visit) {
  ARROW_ASSIGN_OR_RAISE(auto months, FindMonthDirectories(root));
  if (months.empty()) {
    return BadInput(
        "{}: no manifest.json found; expected an operator payload directory "
        "(<cluster>/<YYYYMMDD-YYYYMMDD>/manifest.json plus CSVs) or a .tar.gz of one",
        root.string());
  }
  PayloadWalk walk;
  for (const fs::path& dir : months) {
    MonthPayload month;
    month.location = dir.string();
    const std::string manifest_path = (dir / kManifestName).string();
    ARROW_ASSIGN_OR_RAISE(std::string text, ReadSmallFile(manifest_path));
    ARROW_ASSIGN_OR_RAISE(month.manifest, ParseManifest(text, manifest_path));
    std::error_code ec;
    for (const std::string& name : month.manifest.files) {
      if (!fs::is_regular_file(dir / name, ec)) {
        return BadInput("{}: lists {}, which is not in {}", manifest_path, name, dir.string());
      }
    }
    std::set<std::string> listed(month.manifest.files.begin(), month.manifest.files.end());
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      std::string name = entry.path().filename().string();
      if (entry.is_regular_file(ec) && name != kManifestName && !listed.contains(name)) {
        walk.unlisted_files.push_back(entry.path().string());
      }
    }
    ++walk.months;
    for (const std::string& name : month.manifest.files) {
      ReportFileInput input;
      input.name = name;
      input.display_name = (dir / name).string();
      ARROW_ASSIGN_OR_RAISE(input.stream, OpenFile(input.display_name));
      input.reopen = [path = input.display_name] { return OpenFile(path); };
      ARROW_RETURN_NOT_OK(visit(month, input));
    }
  }
  std::sort(walk.unlisted_files.begin(), walk.unlisted_files.end());
  return walk;
}

// The archive's uncompressed byte stream: gzip-decompressed when it starts with gzip's magic.
Result<std::shared_ptr<arrow::io::InputStream>> OpenArchive(const std::string& path) {
  auto file = arrow::io::ReadableFile::Open(path);
  if (!file.ok()) return BadInput("cannot open {}: {}", path, file.status().message());
  std::shared_ptr<arrow::io::RandomAccessFile> raw = *file;
  uint8_t magic[2] = {0, 0};
  ARROW_ASSIGN_OR_RAISE(int64_t n, raw->ReadAt(0, 2, magic));
  ARROW_RETURN_NOT_OK(raw->Seek(0));
  if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    ARROW_ASSIGN_OR_RAISE(auto codec, arrow::util::Codec::Create(arrow::Compression::GZIP));
    ARROW_ASSIGN_OR_RAISE(auto stream, arrow::io::CompressedInputStream::Make(codec.get(), raw));
    // The codec must outlive the stream: keep it alive with a custom deleter.
    std::shared_ptr<arrow::util::Codec> shared_codec(std::move(codec));
    return std::shared_ptr<arrow::io::InputStream>(
        stream.get(), [stream, shared_codec](arrow::io::InputStream*) {});
  }
  return std::static_pointer_cast<arrow::io::InputStream>(raw);
}

// The data of one archive entry read from a fresh pass over the archive; it owns that pass.
class ReopenedEntryStream : public arrow::io::InputStream {
 public:
  ReopenedEntryStream(std::unique_ptr<TarReader> tar, std::shared_ptr<arrow::io::InputStream> entry)
      : tar_(std::move(tar)), entry_(std::move(entry)) {}
  arrow::Status Close() override { return entry_->Close(); }
  bool closed() const override { return entry_->closed(); }
  arrow::Result<int64_t> Tell() const override { return entry_->Tell(); }
  arrow::Result<int64_t> Read(int64_t nbytes, void* out) override {
    return entry_->Read(nbytes, out);
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> Read(int64_t nbytes) override {
    return entry_->Read(nbytes);
  }

 private:
  std::unique_ptr<TarReader> tar_;
  std::shared_ptr<arrow::io::InputStream> entry_;
};

// Reads the archive again up to its `index`-th entry (0-based, in archive order), which must
// be `entry_path`.
Result<std::shared_ptr<arrow::io::InputStream>> ReopenEntry(const std::string& path, int64_t index,
                                                            const std::string& entry_path) {
  ARROW_ASSIGN_OR_RAISE(auto stream, OpenArchive(path));
  auto tar = std::make_unique<TarReader>(stream, path);
  for (int64_t i = 0;; ++i) {
    ARROW_ASSIGN_OR_RAISE(auto entry, tar->Next());
    if (!entry) break;
    if (i < index) continue;
    if (entry->path != entry_path) break;
    auto data = tar->OpenEntry();
    return std::make_shared<ReopenedEntryStream>(std::move(tar), std::move(data));
  }
  return BadInput("{}: {} is no longer entry {} of the archive", path, entry_path, index);
}

std::pair<std::string, std::string> SplitEntryPath(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {"", path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

Result<PayloadWalk> WalkArchive(const std::string& path, const ReportFileVisitor& visit) {
  // Pass 1: the manifests (they may come after the CSVs in the archive).
  std::map<std::string, MonthPayload> months;  // by directory inside the archive
  std::set<std::string> entries;
  {
    ARROW_ASSIGN_OR_RAISE(auto stream, OpenArchive(path));
    TarReader tar(stream, path);
    while (true) {
      ARROW_ASSIGN_OR_RAISE(auto entry, tar.Next());
      if (!entry) break;
      if (!entry->regular_file) continue;
      entries.insert(entry->path);
      auto [dir, base] = SplitEntryPath(entry->path);
      if (base != kManifestName) continue;
      ARROW_ASSIGN_OR_RAISE(std::string text, tar.ReadEntry(kMaxManifestBytes));
      MonthPayload month;
      month.location = dir.empty() ? path : path + ":" + dir;
      ARROW_ASSIGN_OR_RAISE(month.manifest, ParseManifest(text, path + ":" + entry->path));
      months.emplace(dir, std::move(month));
    }
  }
  if (months.empty()) {
    return BadInput("{}: the archive holds no manifest.json; expected an operator payload", path);
  }
  PayloadWalk walk;
  walk.months = static_cast<int>(months.size());
  for (const auto& [dir, month] : months) {
    for (const std::string& name : month.manifest.files) {
      std::string entry = dir.empty() ? name : dir + "/" + name;
      if (!entries.contains(entry)) {
        return BadInput("{}: manifest.json lists {}, which is not in the archive", month.location,
                        name);
      }
    }
  }
  // Pass 2: the listed CSVs, streamed in archive order.
  ARROW_ASSIGN_OR_RAISE(auto stream, OpenArchive(path));
  TarReader tar(stream, path);
  std::set<std::string> visited;
  for (int64_t index = 0;; ++index) {
    ARROW_ASSIGN_OR_RAISE(auto entry, tar.Next());
    if (!entry) break;
    if (!entry->regular_file) continue;
    auto [dir, base] = SplitEntryPath(entry->path);
    auto month = months.find(dir);
    const bool listed =
        month != months.end() &&
        std::find(month->second.manifest.files.begin(), month->second.manifest.files.end(), base) !=
            month->second.manifest.files.end();
    if (!listed) {
      if (base != kManifestName) walk.unlisted_files.push_back(path + ":" + entry->path);
      continue;
    }
    if (!visited.insert(entry->path).second) continue;  // a later duplicate entry
    ReportFileInput input;
    input.name = base;
    input.display_name = path + ":" + entry->path;
    input.stream = tar.OpenEntry();
    input.reopen = [path, index, entry_path = entry->path] {
      return ReopenEntry(path, index, entry_path);
    };
    ARROW_RETURN_NOT_OK(visit(month->second, input));
  }
  return walk;
}

}  // namespace

Result<PayloadWalk> WalkPayload(const std::string& path, const ReportFileVisitor& visit) {
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return UsageError("payload {} does not exist", path);
  if (fs::is_directory(status)) return WalkDirectory(path, visit);
  return WalkArchive(path, visit);
}

}  // namespace ocpagg
