#include "ocpagg/engine/memory_budget.h"

#include <algorithm>

namespace ocpagg {
namespace {

constexpr int64_t kMiB = 1 << 20;
constexpr int64_t kDefaultBatchRows = 64 * 1024;
constexpr int64_t kMinBatchRows = 4 * 1024;
constexpr int64_t kDefaultReadBufferBytes = 256 * 1024;
constexpr int64_t kMinReadBufferBytes = 32 * 1024;
// A decoded row of the widest table read (daily pod rows: 17 columns, strings as dictionary
// codes, validity bitmaps), and its number of column streams.
constexpr int64_t kDecodedRowBytes = 200;
constexpr int64_t kColumnStreams = 17;
// One chunk of output rows and one buffered Parquet row group (sink/summary_files.h).
constexpr int64_t kWriterBytes = 6 * kMiB;

int64_t ReadingBytes(int workers, int64_t batch_rows, int64_t buffer_bytes) {
  return workers * (batch_rows * kDecodedRowBytes + kColumnStreams * buffer_bytes);
}

}  // namespace

MemoryShares ShareMemory(int64_t limit_bytes, int64_t baseline_bytes, int workers, int writers,
                         int64_t preferred_batch_rows) {
  MemoryShares s;
  s.limit_bytes = limit_bytes;
  s.baseline_bytes = baseline_bytes;
  const int64_t free_bytes = std::max<int64_t>(0, limit_bytes - baseline_bytes);
  s.batch_rows = preferred_batch_rows > 0 ? preferred_batch_rows : kDefaultBatchRows;
  s.read_buffer_bytes = kDefaultReadBufferBytes;
  // Reading takes at most a quarter of what is free, unless the batch size was asked for.
  while (preferred_batch_rows <= 0 &&
         ReadingBytes(workers, s.batch_rows, s.read_buffer_bytes) > free_bytes / 4 &&
         s.batch_rows > kMinBatchRows) {
    s.batch_rows /= 2;
    s.read_buffer_bytes = std::max(kMinReadBufferBytes, s.read_buffer_bytes / 2);
  }
  s.reading_bytes = ReadingBytes(workers, s.batch_rows, s.read_buffer_bytes);
  s.writing_bytes = writers * kWriterBytes;
  s.state_bytes = free_bytes - s.reading_bytes - s.writing_bytes;
  return s;
}

}  // namespace ocpagg
