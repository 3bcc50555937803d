#include "ocpagg/engine/memory_budget.h"

#include <algorithm>

namespace ocpagg {
namespace {

constexpr int64_t kDefaultBatchRows = 16 * 1024;
constexpr int64_t kMinBatchRows = 4 * 1024;
constexpr int64_t kDefaultReadBufferBytes = 256 * 1024;
constexpr int64_t kMinReadBufferBytes = 32 * 1024;
constexpr int64_t kDecodedValueBytes = 8;  // a double, a timestamp, or a dictionary code + slack

int64_t ReadingBytes(const MemoryShares& s, const ReadCost& c) {
  return s.workers *
         (c.page_bytes + c.columns * (s.read_buffer_bytes + s.batch_rows * kDecodedValueBytes));
}

}  // namespace

MemoryShares ShareMemory(int64_t limit_bytes, int64_t baseline_bytes, int workers, int writers,
                         int64_t preferred_batch_rows, ReadCost costliest) {
  MemoryShares s;
  s.limit_bytes = limit_bytes;
  s.baseline_bytes = baseline_bytes;
  s.workers = std::max(workers, 1);
  s.batch_rows = preferred_batch_rows > 0 ? preferred_batch_rows : kDefaultBatchRows;
  s.read_buffer_bytes = kDefaultReadBufferBytes;
  // An eighth of the limit stays free: what the allocator holds beyond what is in use
  // (measured: a tenth was not enough at 64 MB).
  const int64_t free_bytes = std::max<int64_t>(0, limit_bytes / 8 * 7 - baseline_bytes);
  auto state = [&] {
    s.reading_bytes = ReadingBytes(s, costliest);
    s.writing_bytes = std::min(writers, s.workers) * kWritingBytesPerDay;
    return free_bytes - s.reading_bytes - s.writing_bytes;
  };
  // Reading should leave the states at least half of what is free.
  while (state() < free_bytes / 2 &&
         (s.read_buffer_bytes > kMinReadBufferBytes ||
          (preferred_batch_rows <= 0 && s.batch_rows > kMinBatchRows))) {
    s.read_buffer_bytes = std::max(kMinReadBufferBytes, s.read_buffer_bytes / 2);
    if (preferred_batch_rows <= 0) s.batch_rows = std::max(kMinBatchRows, s.batch_rows / 2);
  }
  while (state() < kMinStateBytes && s.workers > 1) --s.workers;
  s.state_bytes = state();
  return s;
}

}  // namespace ocpagg
