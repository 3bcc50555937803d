#pragma once
// A filesystem that counts what is read from it: the bytes requested from storage and the
// requests made (a ReadAt of a Parquet page, a coalesced range of a pre-buffered row group, a
// footer), whatever the files or threads. On S3, a failure of a read names the object and is
// ErrorKind::kSink (exit code 4): the storage failed, not the data.

#include <arrow/filesystem/filesystem.h>

#include <atomic>
#include <memory>
#include <string>

namespace ocpagg {

struct ReadCounters {
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> requests{0};
};

// Wraps `base`; files opened through the result report to `counters`. `remote`: base is an
// object store (its read failures become kSink errors).
std::shared_ptr<arrow::fs::FileSystem> CountingFileSystem(
    std::shared_ptr<arrow::fs::FileSystem> base, std::shared_ptr<ReadCounters> counters,
    bool remote);

}  // namespace ocpagg
