#pragma once
// Reading one WorkUnit (one row group) and handing its rows of one day, or of a range of days,
// to a callback as the aggregators' row structs. Errors get the file and row prepended.

#include <absl/container/flat_hash_map.h>
#include <fmt/format.h>

#include <vector>

#include "ocpagg/common/stop_token.h"
#include "ocpagg/engine/day_plan.h"
#include "ocpagg/source/koku_tables.h"
#include "ocpagg/source/parquet_scan.h"

namespace ocpagg {

// Rows with interval_start in [begin_ms, end_ms).
struct MillisWindow {
  int64_t begin_ms = 0, end_ms = 0;
  static MillisWindow Days(Date first, Date last) {
    return {static_cast<int64_t>(first) * kMillisPerDay,
            (static_cast<int64_t>(last) + 1) * kMillisPerDay};
  }
  bool Contains(int64_t t) const { return t >= begin_ms && t < end_ms; }
};

// Row groups read ahead of aggregation (the in-memory mode keeps the whole input here).
using UnitCache = absl::flat_hash_map<uint64_t, std::vector<ParquetScan::Batch>>;
inline uint64_t UnitCacheKey(const WorkUnit& u) {
  return (static_cast<uint64_t>(u.table) << 56) | (static_cast<uint64_t>(u.file) << 24) |
         static_cast<uint64_t>(u.row_group);
}

// Where row groups are read from: their files, with `options`, or `cache` when it holds them.
struct UnitSource {
  const DatasetFiles& files;
  ScanOptions options;
  const UnitCache* cache = nullptr;
  const StopToken* stop = nullptr;  // checked after every batch

  const std::string& PathOf(const WorkUnit& u) const { return files.of(u.table)[u.file]; }
  Result<std::unique_ptr<ParquetScan>> Open(const WorkUnit& u) const {
    return ParquetScan::Open(files.fs, PathOf(u), ColumnsOf(u.table), options);
  }
};

// Reads every batch of a unit into memory.
inline Result<std::vector<ParquetScan::Batch>> LoadUnit(const UnitSource& source,
                                                        const WorkUnit& unit) {
  ARROW_ASSIGN_OR_RAISE(auto scan, source.Open(unit));
  std::vector<ParquetScan::Batch> batches;
  ARROW_RETURN_NOT_OK(scan->ForEachBatch(unit.row_group, [&](const ParquetScan::Batch& b) {
    batches.push_back(b);
    return Status::OK();
  }));
  return batches;
}

// Calls fn(const BatchT& batch, int64_t row, int64_t interval_start_ms) -> Status for each row of
// one batch inside `window`; `rows_read` counts them.
template <typename BatchT, typename Fn>
Status ScanBatch(const std::string& path, const ParquetScan::Batch& raw, MillisWindow window,
                 int64_t* rows_read, Fn&& fn) {
  auto typed = BatchT::Make(raw);
  if (!typed.ok()) return BadInput("{}: {}", path, typed.status().message());
  for (int64_t i = 0; i < raw.num_rows; ++i) {
    auto ts = typed->interval_start_millis(i);
    if (!ts || !window.Contains(*ts)) continue;
    ++*rows_read;
    Status st = fn(*typed, i, *ts);
    if (!st.ok()) {
      return MakeError(KindOf(st),
                       fmt::format("{} (row {}): {}", path, raw.first_row + i + 1, st.message()));
    }
  }
  return Status::OK();
}

// The same over a whole unit; after_batch() -> Status runs after each batch (the engine's
// memory check). With `columns`, only those are read from a file (the others are NULL).
template <typename BatchT, typename Fn, typename AfterBatch>
Status ScanUnit(const UnitSource& source, const WorkUnit& unit, MillisWindow window,
                int64_t* rows_read, Fn&& fn, AfterBatch&& after_batch,
                std::span<const int> columns = {}) {
  const std::string& path = source.PathOf(unit);
  if (source.cache) {
    if (auto it = source.cache->find(UnitCacheKey(unit)); it != source.cache->end()) {
      for (const auto& batch : it->second) {
        ARROW_RETURN_NOT_OK(ScanBatch<BatchT>(path, batch, window, rows_read, fn));
        ARROW_RETURN_NOT_OK(after_batch());
        ARROW_RETURN_NOT_OK(CheckStop(source.stop));
      }
      return Status::OK();
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto scan, source.Open(unit));
  return scan->ForEachBatch(
      unit.row_group,
      [&](const ParquetScan::Batch& raw) {
        ARROW_RETURN_NOT_OK(ScanBatch<BatchT>(path, raw, window, rows_read, fn));
        ARROW_RETURN_NOT_OK(after_batch());
        return CheckStop(source.stop);
      },
      columns);
}

template <typename BatchT, typename Fn>
Status ScanUnit(const UnitSource& source, const WorkUnit& unit, MillisWindow window,
                int64_t* rows_read, Fn&& fn) {
  return ScanUnit<BatchT>(source, unit, window, rows_read, std::forward<Fn>(fn),
                          [] { return Status::OK(); });
}

}  // namespace ocpagg
