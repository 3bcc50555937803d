#include "ocpagg/ingest/file_unit_writer.h"

#include <arrow/builder.h>
#include <arrow/io/file.h>
#include <arrow/record_batch.h>
#include <parquet/properties.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "ocpagg/koku/layout.h"

namespace ocpagg {
namespace {

// Hourly rows are handed to the Parquet writer in pieces this small; it buffers a whole row
// group in encoded, compressed form, far smaller than the Arrow arrays.
constexpr int64_t kHourlyFlushRows = 8192;

Result<std::shared_ptr<arrow::Buffer>> CopyToBuffer(const void* data, int64_t bytes) {
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::Buffer> buffer, arrow::AllocateBuffer(bytes));
  if (bytes > 0) std::memcpy(buffer->mutable_data(), data, static_cast<size_t>(bytes));
  return buffer;
}

// A utf8 array of `text`, its buffers sized exactly.
Result<std::shared_ptr<arrow::Array>> StringArrayOf(std::span<const std::string_view> text) {
  const auto n = static_cast<int64_t>(text.size());
  int64_t bytes = 0;
  for (std::string_view t : text) bytes += static_cast<int64_t>(t.size());
  if (bytes > std::numeric_limits<int32_t>::max()) {
    return MakeError(ErrorKind::kInternal, "hourly text column over 2 GiB");
  }
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::Buffer> offsets,
                        arrow::AllocateBuffer((n + 1) * static_cast<int64_t>(sizeof(int32_t))));
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::Buffer> data, arrow::AllocateBuffer(bytes));
  auto* offset = reinterpret_cast<int32_t*>(offsets->mutable_data());
  uint8_t* out = data->mutable_data();
  int32_t at = 0;
  for (int64_t i = 0; i < n; ++i) {
    offset[i] = at;
    std::memcpy(out + at, text[i].data(), text[i].size());
    at += static_cast<int32_t>(text[i].size());
  }
  offset[n] = at;
  return std::make_shared<arrow::StringArray>(n, std::move(offsets), std::move(data));
}

}  // namespace

Result<std::unique_ptr<parquet::arrow::FileWriter>> OpenKokuParquetFile(
    const std::string& path, const std::shared_ptr<arrow::Schema>& schema, int64_t row_group_rows) {
  auto sink = arrow::io::FileOutputStream::Open(path);
  if (!sink.ok()) return SinkError("cannot create {}: {}", path, sink.status().message());
  auto properties = parquet::WriterProperties::Builder()
                        .compression(arrow::Compression::SNAPPY)
                        ->max_row_group_length(row_group_rows)
                        ->build();
  auto arrow_properties = parquet::ArrowWriterProperties::Builder().store_schema()->build();
  auto writer = parquet::arrow::FileWriter::Open(*schema, arrow::default_memory_pool(), *sink,
                                                 properties, arrow_properties);
  if (!writer.ok()) return SinkError("cannot write {}: {}", path, writer.status().message());
  return std::move(*writer);
}

FileUnitWriter::FileUnitWriter(const ReportColumns& columns, FileUnitName name,
                               const FileUnitOptions& options, OutputStaging* staging,
                               std::vector<WrittenFile>* written, WriteQueue* writes)
    : columns_(columns),
      name_(std::move(name)),
      options_(options),
      staging_(staging),
      written_(written),
      writes_(writes),
      daily_(columns),
      flush_rows_(std::min<int64_t>(options.row_group_rows, kHourlyFlushRows)) {
  auto partition = KokuPartition::ForDate(options_.account, columns_.type, options_.source_uuid,
                                          name_.report_date);
  hourly_dir_ = HourlyPartitionDir("", partition);
  daily_dir_ = DailyPartitionDir("", partition);
  for (size_t v = 0; v < columns_.values.size(); ++v) {
    switch (columns_.values[v].kind) {
      case CellKind::kTimestamp:
        builders_.push_back(std::make_unique<arrow::TimestampBuilder>(
            columns_.hourly_schema->field(static_cast<int>(v))->type(),
            arrow::default_memory_pool()));
        break;
      case CellKind::kNumeric:
        builders_.push_back(std::make_unique<arrow::DoubleBuilder>());
        break;
      case CellKind::kLabels:
      case CellKind::kString:
        builders_.push_back(std::make_unique<arrow::StringBuilder>());
        break;
    }
  }
}

Status FileUnitWriter::Append(const ConvertedBatch& batch, std::span<const int32_t> rows) {
  size_t pos = 0;
  while (pos < rows.size()) {
    if (rows_in_chunk_ == 0) ARROW_RETURN_NOT_OK(OpenChunk());
    const size_t take = std::min<size_t>(
        rows.size() - pos, static_cast<size_t>(options_.rows_per_chunk - rows_in_chunk_));
    kept_.clear();
    for (int32_t r : rows.subspan(pos, take)) {
      if (batch.anomalous[r]) {
        ++anomalous_rows_;
      } else {
        kept_.push_back(r);
      }
    }
    ARROW_RETURN_NOT_OK(AppendHourly(batch, kept_));
    daily_.Add(batch, kept_);
    rows_in_chunk_ += static_cast<int64_t>(take);
    csv_rows_ += static_cast<int64_t>(take);
    pos += take;
    if (rows_in_chunk_ == options_.rows_per_chunk) ARROW_RETURN_NOT_OK(CloseChunk());
  }
  return Status::OK();
}

Status FileUnitWriter::Finish() {
  if (rows_in_chunk_ > 0) ARROW_RETURN_NOT_OK(CloseChunk());
  return Status::OK();
}

Status FileUnitWriter::OpenChunk() {
  hourly_relative_ = hourly_dir_ + "/" + HourlyFileName(name_.csv_base, chunk_index_);
  ARROW_ASSIGN_OR_RAISE(std::string path, staging_->Prepare(hourly_relative_));
  ARROW_ASSIGN_OR_RAISE(hourly_writer_,
                        OpenKokuParquetFile(path, columns_.hourly_schema, options_.row_group_rows));
  hourly_rows_ = 0;
  return Status::OK();
}

Result<std::shared_ptr<arrow::RecordBatch>> FileUnitWriter::HourlyBatchOf(
    const ConvertedBatch& batch, int32_t first, int64_t n) const {
  arrow::ArrayVector arrays;
  arrays.reserve(columns_.values.size());
  for (size_t v = 0; v < columns_.values.size(); ++v) {
    const ConvertedColumn& values = batch.columns[v];
    const auto& type = columns_.hourly_schema->field(static_cast<int>(v))->type();
    switch (columns_.values[v].kind) {
      case CellKind::kTimestamp: {
        ARROW_ASSIGN_OR_RAISE(auto buffer, CopyToBuffer(values.millis.data() + first,
                                                        n * static_cast<int64_t>(sizeof(int64_t))));
        arrays.push_back(arrow::MakeArray(arrow::ArrayData::Make(type, n, {nullptr, buffer}, 0)));
        break;
      }
      case CellKind::kNumeric: {
        const double* x = values.numbers.data() + first;
        // A NaN is a NULL, which needs a validity bitmap: the builders make it.
        if (std::any_of(x, x + n, [](double d) { return std::isnan(d); })) return nullptr;
        ARROW_ASSIGN_OR_RAISE(auto buffer,
                              CopyToBuffer(x, n * static_cast<int64_t>(sizeof(double))));
        arrays.push_back(arrow::MakeArray(arrow::ArrayData::Make(type, n, {nullptr, buffer}, 0)));
        break;
      }
      case CellKind::kLabels:
      case CellKind::kString:
        if (values.verbatim) {
          arrays.push_back(values.verbatim->Slice(first, n));
        } else {
          ARROW_ASSIGN_OR_RAISE(auto array, StringArrayOf(std::span(values.text)
                                                              .subspan(static_cast<size_t>(first),
                                                                       static_cast<size_t>(n))));
          arrays.push_back(std::move(array));
        }
        break;
    }
  }
  return arrow::RecordBatch::Make(columns_.hourly_schema, n, std::move(arrays));
}

Status FileUnitWriter::SubmitHourly(std::shared_ptr<arrow::RecordBatch> batch) {
  hourly_rows_ += batch->num_rows();
  return writes_->Submit(
      [writer = hourly_writer_, batch = std::move(batch), path = hourly_relative_]() -> Status {
        Status st = writer->WriteRecordBatch(*batch);
        return st.ok() ? st : SinkError("cannot write {}: {}", path, st.message());
      });
}

Status FileUnitWriter::AppendHourly(const ConvertedBatch& batch, std::span<const int32_t> rows) {
  // Consecutive rows (a batch without anomalies within one chunk, the usual case) become arrays
  // by one copy per column, or slices of the CSV's own columns, rather than going through the
  // builders value by value.
  if (!rows.empty() &&
      static_cast<size_t>(rows.back()) - static_cast<size_t>(rows.front()) + 1 == rows.size()) {
    ARROW_ASSIGN_OR_RAISE(auto direct,
                          HourlyBatchOf(batch, rows.front(), static_cast<int64_t>(rows.size())));
    if (direct) {
      ARROW_RETURN_NOT_OK(FlushHourlyRows());
      return SubmitHourly(std::move(direct));
    }
  }
  size_t pos = 0;
  while (pos < rows.size()) {
    const size_t take =
        std::min<size_t>(rows.size() - pos, static_cast<size_t>(flush_rows_ - buffered_rows_));
    auto piece = rows.subspan(pos, take);
    for (size_t v = 0; v < columns_.values.size(); ++v) {
      const ConvertedColumn& values = batch.columns[v];
      switch (columns_.values[v].kind) {
        case CellKind::kTimestamp: {
          auto* b = static_cast<arrow::TimestampBuilder*>(builders_[v].get());
          ARROW_RETURN_NOT_OK(b->Reserve(static_cast<int64_t>(take)));
          for (int32_t r : piece) b->UnsafeAppend(values.millis[r]);
          break;
        }
        case CellKind::kNumeric: {
          auto* b = static_cast<arrow::DoubleBuilder*>(builders_[v].get());
          ARROW_RETURN_NOT_OK(b->Reserve(static_cast<int64_t>(take)));
          for (int32_t r : piece) {
            // pyarrow's from_pandas stores NaN as NULL.
            const double x = values.numbers[r];
            if (std::isnan(x)) {
              b->UnsafeAppendNull();
            } else {
              b->UnsafeAppend(x);
            }
          }
          break;
        }
        case CellKind::kLabels:
        case CellKind::kString: {
          auto* b = static_cast<arrow::StringBuilder*>(builders_[v].get());
          int64_t bytes = 0;
          for (int32_t r : piece) bytes += static_cast<int64_t>(values.text[r].size());
          ARROW_RETURN_NOT_OK(b->Reserve(static_cast<int64_t>(take)));
          ARROW_RETURN_NOT_OK(b->ReserveData(bytes));
          for (int32_t r : piece) b->UnsafeAppend(values.text[r]);
          break;
        }
      }
    }
    buffered_rows_ += static_cast<int64_t>(take);
    pos += take;
    if (buffered_rows_ == flush_rows_) ARROW_RETURN_NOT_OK(FlushHourlyRows());
  }
  return Status::OK();
}

Status FileUnitWriter::FlushHourlyRows() {
  if (buffered_rows_ == 0) return Status::OK();
  arrow::ArrayVector arrays;
  for (auto& b : builders_) {
    ARROW_ASSIGN_OR_RAISE(auto a, b->Finish());
    arrays.push_back(std::move(a));
  }
  auto batch = arrow::RecordBatch::Make(columns_.hourly_schema, buffered_rows_, std::move(arrays));
  buffered_rows_ = 0;
  return SubmitHourly(std::move(batch));
}

Status FileUnitWriter::CloseChunk() {
  ARROW_RETURN_NOT_OK(FlushHourlyRows());
  ARROW_RETURN_NOT_OK(
      writes_->Submit([writer = std::move(hourly_writer_), path = hourly_relative_]() -> Status {
        Status st = writer->Close();
        return st.ok() ? st : SinkError("cannot finish {}: {}", path, st.message());
      }));
  written_->push_back({hourly_relative_, name_.csv_base, columns_.type, false, hourly_rows_});

  ARROW_ASSIGN_OR_RAISE(auto daily_batch, daily_.Finish());
  std::string daily_relative = daily_dir_ + "/" + DailyFileName(name_.csv_base, chunk_index_);
  ARROW_ASSIGN_OR_RAISE(std::string path, staging_->Prepare(daily_relative));
  written_->push_back(
      {daily_relative, name_.csv_base, columns_.type, true, daily_batch->num_rows()});
  ARROW_RETURN_NOT_OK(writes_->Submit([path, daily_relative, batch = std::move(daily_batch),
                                       schema = columns_.daily_schema,
                                       row_group_rows = options_.row_group_rows]() -> Status {
    ARROW_ASSIGN_OR_RAISE(auto writer, OpenKokuParquetFile(path, schema, row_group_rows));
    Status st = batch->num_rows() > 0 ? writer->WriteRecordBatch(*batch) : Status::OK();
    if (st.ok()) st = writer->Close();
    return st.ok() ? st : SinkError("cannot write {}: {}", daily_relative, st.message());
  }));

  ++chunk_index_;
  rows_in_chunk_ = 0;
  return Status::OK();
}

}  // namespace ocpagg
