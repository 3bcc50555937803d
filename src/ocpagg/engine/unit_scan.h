#pragma once
// Reading one WorkUnit (one row group) and handing its rows of one day, or of a range of days,
// to a callback as the aggregators' row structs. Errors get the file and row prepended.
//
// Where row groups come from is chosen when the UnitSource is made: their Parquet files, read
// batch by batch (a few columns at a time when asked); koku's on-prem PostgreSQL tables, where a
// unit is one table's rows of one day (source/postgres_line_items.h); or memory, every unit
// having been read whole beforehand (the in-memory mode, the unbounded baseline). Either way a
// unit is one sequence of batches, and everything above reads it the same way.

#include <absl/container/flat_hash_map.h>
#include <fmt/format.h>

#include <memory>
#include <span>
#include <vector>

#include "ocpagg/common/stop_token.h"
#include "ocpagg/engine/day_plan.h"
#include "ocpagg/source/koku_tables.h"
#include "ocpagg/source/parquet_scan.h"
#include "ocpagg/source/postgres_line_items.h"

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

// One row group, open for reading: any number of passes over its batches.
class UnitReader {
 public:
  int64_t rows() const { return rows_; }
  // Calls fn(const ParquetScan::Batch&) -> Status for each batch, in order. With `columns`
  // (indices into the table's columns), only those are read from a file, the others being
  // nullptr (a row group read in memory has them all); with `end_row` >= 0, reading stops after
  // the batch that holds the row group's row `end_row - 1`. The run's stop token is checked
  // after every batch.
  template <typename Fn>
  Status ForEachBatch(Fn&& fn, std::span<const int> columns = {}, int64_t end_row = -1) const;

 private:
  friend class UnitSource;
  std::unique_ptr<ParquetScan> scan_;                         // from a file, or
  const PgLineItems* pg_ = nullptr;                           // from PostgreSQL, or
  const std::vector<ParquetScan::Batch>* batches_ = nullptr;  // read beforehand
  InputTable table_ = InputTable::kPodUsageDaily;
  int row_group_ = 0;  // PostgreSQL: the day
  int64_t batch_rows_ = 0;
  int64_t rows_ = 0;
  const StopToken* stop_ = nullptr;
};

class UnitSource {
 public:
  // Row groups read from their files with `options`. `files` and `stop` (may be null) must
  // outlive the source.
  static UnitSource Files(const DatasetFiles& files, ScanOptions options, const StopToken* stop);
  // Units of koku's on-prem tables (PlanPostgresRun): a unit's row_group is its day. `tables`
  // must outlive the source.
  static UnitSource Postgres(const PgLineItems& tables, ScanOptions options, const StopToken* stop);
  // Every unit of the plan's days read from `from` into memory now, in parallel (in the
  // calling task arena); later reads come from memory. Fails with the first unit that cannot
  // be read.
  static Result<UnitSource> Preloaded(const UnitSource& from, const RunPlan& plan);

  // What messages call the unit: its file, or its table and day.
  std::string PathOf(const WorkUnit& u) const {
    if (pg_) return pg_->UnitName(u.table, static_cast<Date>(u.row_group));
    return files_->of(u.table)[u.file];
  }
  // Whether a unit's columns are read apart, a few at a time (from files), or come decoded
  // whole (from memory, where reading them in passes would only cost time, and from
  // PostgreSQL, where two reads of a day need not give its rows in the same order).
  bool reads_columns_apart() const { return preloaded_ == nullptr && pg_ == nullptr; }
  Result<UnitReader> Open(const WorkUnit& unit) const;

 private:
  using Preloads = absl::flat_hash_map<uint64_t, std::vector<ParquetScan::Batch>>;
  static uint64_t KeyOf(const WorkUnit& u);
  UnitSource(const DatasetFiles* files, const PgLineItems* pg, ScanOptions options,
             const StopToken* stop)
      : files_(files), pg_(pg), options_(options), stop_(stop) {}

  const DatasetFiles* files_;  // null when reading PostgreSQL
  const PgLineItems* pg_;
  ScanOptions options_;
  const StopToken* stop_;
  std::shared_ptr<const Preloads> preloaded_;  // null: read from files
};

// The context a row's error gets: the file and the row's number in it.
Status RowError(const std::string& path, const ParquetScan::Batch& raw, int64_t row,
                const Status& st);

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
    if (!st.ok()) return RowError(path, raw, i, st);
  }
  return Status::OK();
}

// The same over a whole unit; after_batch() -> Status runs after each batch (the engine's
// memory check). With `columns`, only those are read from a file (the others are NULL).
template <typename BatchT, typename Fn, typename AfterBatch>
Status ScanUnit(const UnitSource& source, const WorkUnit& unit, MillisWindow window,
                int64_t* rows_read, Fn&& fn, AfterBatch&& after_batch,
                std::span<const int> columns = {}) {
  const std::string path = source.PathOf(unit);
  ARROW_ASSIGN_OR_RAISE(const UnitReader reader, source.Open(unit));
  return reader.ForEachBatch(
      [&](const ParquetScan::Batch& raw) {
        ARROW_RETURN_NOT_OK(ScanBatch<BatchT>(path, raw, window, rows_read, fn));
        return after_batch();
      },
      columns);
}

template <typename BatchT, typename Fn>
Status ScanUnit(const UnitSource& source, const WorkUnit& unit, MillisWindow window,
                int64_t* rows_read, Fn&& fn) {
  return ScanUnit<BatchT>(source, unit, window, rows_read, std::forward<Fn>(fn),
                          [] { return Status::OK(); });
}

// Calls fn(const BatchT& batch, const ParquetScan::Batch& raw, int64_t row) -> Status for the
// rows [begin_row, end_row) of an open row group (row numbers within the row group), reading
// only `columns`: one pass over a slice of a wide row group. Batches before the slice are still
// decoded (a Parquet row group is read from its start).
template <typename BatchT, typename Fn>
Status ScanSlice(const std::string& path, const UnitReader& reader, int64_t begin_row,
                 int64_t end_row, std::span<const int> columns, Fn&& fn) {
  return reader.ForEachBatch(
      [&](const ParquetScan::Batch& raw) -> Status {
        const int64_t first = std::clamp<int64_t>(begin_row - raw.group_row, 0, raw.num_rows);
        const int64_t last = std::clamp<int64_t>(end_row - raw.group_row, 0, raw.num_rows);
        if (first == last) return Status::OK();
        auto typed = BatchT::Make(raw);
        if (!typed.ok()) return BadInput("{}: {}", path, typed.status().message());
        for (int64_t i = first; i < last; ++i) ARROW_RETURN_NOT_OK(fn(*typed, raw, i));
        return Status::OK();
      },
      columns, end_row);
}

template <typename Fn>
Status UnitReader::ForEachBatch(Fn&& fn, std::span<const int> columns, int64_t end_row) const {
  auto each = [&](const ParquetScan::Batch& batch) -> Status {
    ARROW_RETURN_NOT_OK(fn(batch));
    return CheckStop(stop_);
  };
  if (pg_) {
    // A day's rows come whole: `end_row` (a slice of a wide row group) has no use here.
    return pg_->ReadDay(table_, static_cast<Date>(row_group_), columns, batch_rows_, each);
  }
  if (batches_ == nullptr) return scan_->ForEachBatch(row_group_, each, columns, end_row);
  for (const ParquetScan::Batch& batch : *batches_) {
    if (end_row >= 0 && batch.group_row >= end_row) break;
    ARROW_RETURN_NOT_OK(each(batch));
  }
  return Status::OK();
}

}  // namespace ocpagg
