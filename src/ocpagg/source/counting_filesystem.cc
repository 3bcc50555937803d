#include "ocpagg/source/counting_filesystem.h"

#include <arrow/buffer.h>
#include <arrow/io/interfaces.h>

#include "ocpagg/common/storage.h"

namespace ocpagg {
namespace {

using arrow::Result;
using arrow::Status;

class CountingFile : public arrow::io::RandomAccessFile {
 public:
  CountingFile(std::shared_ptr<arrow::io::RandomAccessFile> base, std::string path,
               std::shared_ptr<ReadCounters> counters, bool remote)
      : base_(std::move(base)),
        path_(std::move(path)),
        counters_(std::move(counters)),
        remote_(remote) {}

  Status Close() override { return base_->Close(); }
  bool closed() const override { return base_->closed(); }
  Result<int64_t> Tell() const override { return base_->Tell(); }
  Status Seek(int64_t position) override { return Checked(base_->Seek(position)); }
  Result<int64_t> GetSize() override { return Checked(base_->GetSize()); }

  Result<int64_t> Read(int64_t nbytes, void* out) override {
    return Counted(nbytes, base_->Read(nbytes, out));
  }
  Result<std::shared_ptr<arrow::Buffer>> Read(int64_t nbytes) override {
    return Counted(nbytes, base_->Read(nbytes));
  }
  Result<int64_t> ReadAt(int64_t position, int64_t nbytes, void* out) override {
    return Counted(nbytes, base_->ReadAt(position, nbytes, out));
  }
  Result<std::shared_ptr<arrow::Buffer>> ReadAt(int64_t position, int64_t nbytes) override {
    return Counted(nbytes, base_->ReadAt(position, nbytes));
  }
  // ReadAsync and ReadManyAsync are the base class's: ReadAt on the IO threads, counted there.

 private:
  template <typename T>
  Result<T> Counted(int64_t nbytes, Result<T> result) {
    counters_->requests.fetch_add(1, std::memory_order_relaxed);
    counters_->bytes.fetch_add(nbytes, std::memory_order_relaxed);
    return Checked(std::move(result));
  }
  template <typename T>
  Result<T> Checked(Result<T> result) const {
    if (!result.ok()) return Checked(result.status());
    return result;
  }
  Status Checked(Status st) const {
    if (st.ok() || !remote_) return st;
    return StorageError(st, "reading s3://" + path_);
  }

  std::shared_ptr<arrow::io::RandomAccessFile> base_;
  std::string path_;
  std::shared_ptr<ReadCounters> counters_;
  bool remote_;
};

class CountingFs : public arrow::fs::FileSystem {
 public:
  CountingFs(std::shared_ptr<arrow::fs::FileSystem> base, std::shared_ptr<ReadCounters> counters,
             bool remote)
      : FileSystem(base->io_context()),
        base_(std::move(base)),
        counters_(std::move(counters)),
        remote_(remote) {}

  std::string type_name() const override { return base_->type_name(); }
  bool Equals(const FileSystem& other) const override { return this == &other; }
  Result<std::string> NormalizePath(std::string path) override {
    return base_->NormalizePath(std::move(path));
  }
  Result<arrow::fs::FileInfo> GetFileInfo(const std::string& path) override {
    return Checked(base_->GetFileInfo(path), path);
  }
  Result<arrow::fs::FileInfoVector> GetFileInfo(const arrow::fs::FileSelector& select) override {
    return Checked(base_->GetFileInfo(select), select.base_dir);
  }
  Status CreateDir(const std::string& path, bool recursive) override {
    return base_->CreateDir(path, recursive);
  }
  Status DeleteDir(const std::string& path) override { return base_->DeleteDir(path); }
  Status DeleteDirContents(const std::string& path, bool missing_dir_ok) override {
    return base_->DeleteDirContents(path, missing_dir_ok);
  }
  Status DeleteRootDirContents() override { return base_->DeleteRootDirContents(); }
  Status DeleteFile(const std::string& path) override { return base_->DeleteFile(path); }
  Status Move(const std::string& src, const std::string& dest) override {
    return base_->Move(src, dest);
  }
  Status CopyFile(const std::string& src, const std::string& dest) override {
    return base_->CopyFile(src, dest);
  }
  Result<std::shared_ptr<arrow::io::InputStream>> OpenInputStream(
      const std::string& path) override {
    return Checked(base_->OpenInputStream(path), path);
  }
  Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenInputFile(
      const std::string& path) override {
    ARROW_ASSIGN_OR_RAISE(auto file, Checked(base_->OpenInputFile(path), path));
    return std::make_shared<CountingFile>(std::move(file), path, counters_, remote_);
  }
  Result<std::shared_ptr<arrow::io::OutputStream>> OpenOutputStream(
      const std::string& path,
      const std::shared_ptr<const arrow::KeyValueMetadata>& metadata) override {
    return base_->OpenOutputStream(path, metadata);
  }
  Result<std::shared_ptr<arrow::io::OutputStream>> OpenAppendStream(
      const std::string& path,
      const std::shared_ptr<const arrow::KeyValueMetadata>& metadata) override {
    return base_->OpenAppendStream(path, metadata);
  }

 private:
  template <typename T>
  Result<T> Checked(Result<T> result, const std::string& path) const {
    if (result.ok() || !remote_) return result;
    return StorageError(result.status(), "s3://" + path);
  }

  std::shared_ptr<arrow::fs::FileSystem> base_;
  std::shared_ptr<ReadCounters> counters_;
  bool remote_;
};

}  // namespace

std::shared_ptr<arrow::fs::FileSystem> CountingFileSystem(
    std::shared_ptr<arrow::fs::FileSystem> base, std::shared_ptr<ReadCounters> counters,
    bool remote) {
  return std::make_shared<CountingFs>(std::move(base), std::move(counters), remote);
}

}  // namespace ocpagg
