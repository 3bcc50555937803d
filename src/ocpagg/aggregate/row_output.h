#pragma once
// How finished rows leave the aggregators: one at a time through an EmitRow callback, which the
// engine gathers into bounded chunks for the sink (RowChunker), so that a day's rows are never
// held whole, however large the day.

#include <absl/functional/function_ref.h>

#include <span>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/summary_row.h"

namespace ocpagg {

using EmitRow = absl::FunctionRef<Status(SummaryRow&&)>;
using WriteRowChunk = absl::FunctionRef<Status(std::span<const SummaryRow>)>;

// Gathers rows into chunks of at most `chunk_rows` and hands each full chunk to `write`;
// Flush() hands over the rest. The chunk's memory is reused from one chunk to the next.
class RowChunker {
 public:
  static constexpr size_t kDefaultChunkRows = 1024;

  explicit RowChunker(WriteRowChunk write, size_t chunk_rows = kDefaultChunkRows)
      : write_(write), chunk_rows_(chunk_rows) {
    chunk_.reserve(chunk_rows_);
  }
  RowChunker(const RowChunker&) = delete;
  RowChunker& operator=(const RowChunker&) = delete;

  Status Add(SummaryRow&& row) {
    chunk_.push_back(std::move(row));
    return chunk_.size() >= chunk_rows_ ? Flush() : Status::OK();
  }
  Status Flush() {
    if (chunk_.empty()) return Status::OK();
    Status st = write_(std::span<const SummaryRow>(chunk_));
    chunk_.clear();
    return st;
  }

 private:
  WriteRowChunk write_;
  size_t chunk_rows_;
  std::vector<SummaryRow> chunk_;
};

}  // namespace ocpagg
