#pragma once
// A file being read, counting the bytes asked of it: the run report's `bytes_read` is what the
// reads took from the files (footers, the pages of the columns read, a row group read once per
// day it spans), not the size of the files.

#include <arrow/io/interfaces.h>

#include <atomic>
#include <cstdint>
#include <memory>

namespace ocpagg {

class CountingFile final : public arrow::io::RandomAccessFile {
 public:
  // `bytes` must outlive the file.
  CountingFile(std::shared_ptr<arrow::io::RandomAccessFile> file, std::atomic<int64_t>* bytes)
      : file_(std::move(file)), bytes_(bytes) {}

  arrow::Status Close() override { return file_->Close(); }
  bool closed() const override { return file_->closed(); }
  arrow::Result<int64_t> Tell() const override { return file_->Tell(); }
  arrow::Status Seek(int64_t position) override { return file_->Seek(position); }
  arrow::Result<int64_t> GetSize() override { return file_->GetSize(); }

  arrow::Result<int64_t> Read(int64_t nbytes, void* out) override {
    return Count(file_->Read(nbytes, out));
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> Read(int64_t nbytes) override {
    return Count(file_->Read(nbytes));
  }
  arrow::Result<int64_t> ReadAt(int64_t position, int64_t nbytes, void* out) override {
    return Count(file_->ReadAt(position, nbytes, out));
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> ReadAt(int64_t position, int64_t nbytes) override {
    return Count(file_->ReadAt(position, nbytes));
  }

 private:
  arrow::Result<int64_t> Count(arrow::Result<int64_t> n) {
    if (n.ok()) bytes_->fetch_add(*n, std::memory_order_relaxed);
    return n;
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> Count(
      arrow::Result<std::shared_ptr<arrow::Buffer>> buffer) {
    if (buffer.ok() && *buffer) bytes_->fetch_add((*buffer)->size(), std::memory_order_relaxed);
    return buffer;
  }

  std::shared_ptr<arrow::io::RandomAccessFile> file_;
  std::atomic<int64_t>* bytes_;
};

}  // namespace ocpagg
