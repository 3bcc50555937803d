#pragma once
// Reads one Parquet file of koku's layout row group by row group, only the columns asked
// for, strings kept dictionary-encoded. Checks the file's schema against the expected
// columns up front so that a bad file fails before any row is aggregated, and the string
// values of every batch as it is read (valid UTF-8, no NUL byte: text PostgreSQL can store).

#include <arrow/filesystem/filesystem.h>
#include <arrow/record_batch.h>
#include <parquet/arrow/reader.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/table_schema.h"
#include "ocpagg/source/string_check.h"

namespace ocpagg {

// A column to read, found in the file by name. A column of kString may be stored as any Arrow
// string or binary type, plain or dictionary-encoded; kNumber as any float or integer type;
// kTimestamp as a timestamp of any unit or a date32.
struct ColumnSpec {
  std::string_view name;
  ColumnType type;
  bool required;  // optional columns read as NULL when the file lacks them
};

// How a scan reads: the memory it may hold per open row group. What it reads is counted by the
// filesystem it reads through (source/counting_filesystem.h).
struct ScanOptions {
  int64_t batch_rows = 16 * 1024;          // rows per decoded batch
  int64_t read_buffer_bytes = 256 * 1024;  // buffer per column stream
};

class ParquetScan {
 public:
  // Opens `path` on `fs` and resolves `columns` against its schema. Fails with BadInput naming
  // the file and column when a required column is missing or a column has the wrong type, or
  // when the footer cannot be read.
  // Decoded data comes from the system allocator, which gives freed memory back (the run's
  // memory limit is about resident memory).
  static Result<std::unique_ptr<ParquetScan>> Open(std::shared_ptr<arrow::fs::FileSystem> fs,
                                                   const std::string& path,
                                                   std::span<const ColumnSpec> columns,
                                                   const ScanOptions& options = {});

  ParquetScan(const ParquetScan&) = delete;
  ParquetScan& operator=(const ParquetScan&) = delete;

  const std::string& path() const { return path_; }
  int num_row_groups() const;
  int64_t num_rows() const;
  int64_t row_group_num_rows(int row_group) const;

  // What reading some of the requested columns (indices into them; empty: all) of a row group
  // holds in memory besides its decoded batches, from the footer: per column, its current page
  // compressed and decompressed and its dictionary, each at most about a page (writers cut
  // pages at 1 MiB); pre-buffered, also the column chunks themselves, compressed.
  int64_t PageBytes(int row_group, std::span<const int> columns = {}) const;
  // How many of those columns the file has.
  int columns_read(std::span<const int> columns = {}) const;

  // [min, max] of the timestamp column `column` in a row group, in milliseconds, from the
  // footer statistics; nullopt when the file has no usable statistics.
  std::optional<std::pair<int64_t, int64_t>> TimestampRange(int row_group,
                                                            std::string_view column) const;

  // One slice of a row group: one array per requested column, in request order (nullptr for an
  // optional column the file lacks), all of the same length.
  struct Batch {
    std::vector<std::shared_ptr<arrow::Array>> columns;
    int64_t num_rows = 0;
    int64_t first_row = 0;  // index of the batch's first row within the file (for messages)
    int64_t group_row = 0;  // index of the batch's first row within its row group
    // PostgreSQL input only: each row's id (16 uuid bytes), which messages name; null for files.
    std::shared_ptr<arrow::Array> row_ids;
  };
  // Reads a row group batch by batch (bounded memory), calling `fn(const Batch&)` -> Status.
  // With `columns` (indices into the requested columns), only those are read and the others
  // are nullptr in the batches: a wide row group read in several passes of a few columns holds
  // only a few columns' pages at a time. With `end_row` >= 0, reading stops after the batch that
  // holds the row group's row `end_row - 1`. A string that is not valid UTF-8 or holds a NUL
  // byte fails the read with BadInput naming the file, row group, column and row.
  template <typename Fn>
  Status ForEachBatch(int row_group, Fn&& fn, std::span<const int> columns = {},
                      int64_t end_row = -1) const;

 private:
  ParquetScan() = default;

  std::string path_;
  bool pre_buffer_ = false;  // row groups fetched whole, in coalesced requests (object stores)
  std::unique_ptr<parquet::arrow::FileReader> reader_;
  std::vector<ColumnSpec> columns_;
  std::vector<int> field_index_;  // per requested column: Arrow field index, or -1 if absent

  // The requested columns of a pass, in order (all when `columns` is empty).
  std::vector<int> PassColumns(std::span<const int> columns) const;
  Result<std::unique_ptr<arrow::RecordBatchReader>> OpenRowGroup(
      int row_group, const std::vector<int>& pass) const;
  int64_t FirstRowOf(int row_group) const;
  Status ToBatch(const arrow::RecordBatch& rb, int64_t first_row, const std::vector<int>& pass,
                 Batch* out) const;
  // `checks`: one per requested column, kept over the batches of one row group.
  Status CheckStrings(int row_group, const Batch& batch,
                      std::vector<StringColumnCheck>& checks) const;
};

template <typename Fn>
Status ParquetScan::ForEachBatch(int row_group, Fn&& fn, std::span<const int> columns,
                                 int64_t end_row) const {
  const std::vector<int> pass = PassColumns(columns);
  ARROW_ASSIGN_OR_RAISE(auto reader, OpenRowGroup(row_group, pass));
  const int64_t group_first_row = FirstRowOf(row_group);
  int64_t first_row = group_first_row;
  Batch batch;
  std::vector<StringColumnCheck> checks(columns_.size());
  while (end_row < 0 || first_row - group_first_row < end_row) {
    std::shared_ptr<arrow::RecordBatch> rb;
    auto st = reader->ReadNext(&rb);
    if (KindOf(st) == ErrorKind::kSink) return st;  // the storage failed (S3), not the file
    if (!st.ok()) {
      return BadInput("{}: row group {} cannot be read ({})", path_, row_group, st.message());
    }
    if (!rb) break;
    ARROW_RETURN_NOT_OK(ToBatch(*rb, first_row, pass, &batch));
    ARROW_RETURN_NOT_OK(CheckStrings(row_group, batch, checks));
    batch.group_row = first_row - group_first_row;
    ARROW_RETURN_NOT_OK(fn(static_cast<const Batch&>(batch)));
    first_row += rb->num_rows();
  }
  return Status::OK();
}

}  // namespace ocpagg
