#include "ocpagg/sinks/summary_parquet.h"

#include <arrow/io/interfaces.h>
#include <parquet/arrow/schema.h>
#include <parquet/column_writer.h>
#include <parquet/exception.h>
#include <parquet/file_writer.h>

#include <array>
#include <vector>

#include "ocpagg/koku/summary_columns.h"
#include "ocpagg/sinks/summary_encoding.h"

namespace ocpagg {
namespace {

std::shared_ptr<parquet::WriterProperties> SummaryWriterProperties() {
  parquet::WriterProperties::Builder props;
  for (const auto& col : kSummaryColumns) {
    // The metrics are distinct doubles, where a dictionary costs time and saves nothing. Nor do
    // the row's own uuid and its label maps: distinct per row, or nearly, so their dictionaries
    // outgrow the page limit and fall back to plain encoding after every value was hashed.
    // Measured: 5 % of the run's time at 10 M rows, for 4 % more output at the 100 M shape.
    if (col.type == SummaryColumnType::kNumeric || col.name == "uuid" || col.name == "pod_labels" ||
        col.name == "all_labels") {
      props.disable_dictionary(std::string(col.name));
    }
  }
  return props.build();
}

// Every column is OPTIONAL (the Arrow schema's fields are nullable): definition level 1 is a
// value, 0 is NULL.
constexpr int16_t kValue = 1;
constexpr int16_t kNull = 0;

// One column of the row group being gathered. The buffers are kept from one row group to the
// next: the row groups of a file reuse their memory rather than fault in fresh pages.
struct PendingColumn {
  std::vector<int16_t> levels;    // per row
  std::vector<size_t> text_ends;  // kUuid/kText/kJson: per value, its end in `text`
  std::string text;               // the values, one after the other
  std::vector<int32_t> ints;      // kInt32/kDate
  std::vector<double> numbers;    // kNumeric

  void Clear() {
    levels.clear();
    text_ends.clear();
    text.clear();
    ints.clear();
    numbers.clear();
  }
};

// Runs `write`, a failure of Parquet's writer (an exception) becoming the error that names
// `path`.
template <typename Write>
Status Guarded(const std::string& path, Write&& write) {
  Status st = [&]() -> Status {
    BEGIN_PARQUET_CATCH_EXCEPTIONS
    write();
    END_PARQUET_CATCH_EXCEPTIONS
    return Status::OK();
  }();
  if (!st.ok()) return SinkError("cannot write {}: {}", path, st.message());
  return st;
}

template <typename Value, typename ValueOf>
void Gather(size_t n, std::vector<int16_t>& levels, ValueOf&& value_of,
            std::vector<Value>& values) {
  for (size_t i = 0; i < n; ++i) {
    auto v = value_of(i);
    levels.push_back(v ? kValue : kNull);
    if (v) values.push_back(*v);
  }
}

}  // namespace

struct SummaryParquetWriter::Impl {
  std::string path;
  std::shared_ptr<arrow::io::OutputStream> out;
  std::unique_ptr<parquet::ParquetFileWriter> file;
  std::vector<PendingColumn> columns = std::vector<PendingColumn>(kSummaryColumns.size());
  int64_t rows = 0;  // gathered in `columns`, not yet written
  std::vector<std::array<char, 36>> uuids;
  std::vector<parquet::ByteArray> texts;

  void Append(std::span<const SummaryRow> chunk, const RunIdentity& run, UuidGenerator& uuid_of) {
    const size_t n = chunk.size();
    uuids.resize(n);
    for (auto& u : uuids) uuid_of.Next(u);
    auto context = [&](size_t i) {
      return RowContext{chunk[i], run, std::string_view(uuids[i].data(), uuids[i].size())};
    };
    for (size_t c = 0; c < kSummaryColumns.size(); ++c) {
      const SummaryColumn& col = kSummaryColumns[c];
      PendingColumn& p = columns[c];
      switch (col.type) {
        case SummaryColumnType::kUuid:
        case SummaryColumnType::kText:
        case SummaryColumnType::kJson:
          for (size_t i = 0; i < n; ++i) {
            auto v = col.text(context(i));
            p.levels.push_back(v ? kValue : kNull);
            if (v) {
              p.text.append(*v);
              p.text_ends.push_back(p.text.size());
            }
          }
          break;
        case SummaryColumnType::kInt32:
          Gather(
              n, p.levels, [&](size_t i) { return col.int32(context(i)); }, p.ints);
          break;
        case SummaryColumnType::kDate:
          Gather(
              n, p.levels, [&](size_t i) { return std::optional<int32_t>(col.date(context(i))); },
              p.ints);
          break;
        case SummaryColumnType::kNumeric:
          Gather(
              n, p.levels, [&](size_t i) { return col.number(context(i)); }, p.numbers);
          break;
      }
    }
    rows += static_cast<int64_t>(n);
    if (rows >= kRowGroupRows) WriteRowGroup();
  }

  // The gathered rows as one row group, one column chunk after another, straight to the file.
  void WriteRowGroup() {
    if (rows == 0) return;
    parquet::RowGroupWriter* row_group = file->AppendRowGroup();
    for (size_t c = 0; c < kSummaryColumns.size(); ++c) {
      PendingColumn& p = columns[c];
      parquet::ColumnWriter* writer = row_group->NextColumn();
      switch (kSummaryColumns[c].type) {
        case SummaryColumnType::kUuid:
        case SummaryColumnType::kText:
        case SummaryColumnType::kJson: {
          texts.clear();
          size_t begin = 0;
          for (size_t end : p.text_ends) {
            texts.emplace_back(static_cast<uint32_t>(end - begin),
                               reinterpret_cast<const uint8_t*>(p.text.data()) + begin);
            begin = end;
          }
          static_cast<parquet::ByteArrayWriter*>(writer)->WriteBatch(rows, p.levels.data(), nullptr,
                                                                     texts.data());
          break;
        }
        case SummaryColumnType::kInt32:
        case SummaryColumnType::kDate:
          static_cast<parquet::Int32Writer*>(writer)->WriteBatch(rows, p.levels.data(), nullptr,
                                                                 p.ints.data());
          break;
        case SummaryColumnType::kNumeric:
          static_cast<parquet::DoubleWriter*>(writer)->WriteBatch(rows, p.levels.data(), nullptr,
                                                                  p.numbers.data());
          break;
      }
      p.Clear();
    }
    row_group->Close();
    rows = 0;
  }
};

SummaryParquetWriter::SummaryParquetWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SummaryParquetWriter::~SummaryParquetWriter() = default;

Result<std::unique_ptr<SummaryParquetWriter>> SummaryParquetWriter::Open(
    std::shared_ptr<arrow::io::OutputStream> out, std::string path) {
  auto impl = std::make_unique<Impl>();
  impl->path = std::move(path);
  impl->out = std::move(out);
  ARROW_RETURN_NOT_OK(Guarded(impl->path, [&] {
    const auto props = SummaryWriterProperties();
    std::shared_ptr<parquet::SchemaDescriptor> schema;
    PARQUET_THROW_NOT_OK(
        parquet::arrow::ToParquetSchema(SummaryArrowSchema().get(), *props, &schema));
    impl->file = parquet::ParquetFileWriter::Open(
        impl->out, std::static_pointer_cast<parquet::schema::GroupNode>(schema->schema_root()),
        props);
  }));
  return std::unique_ptr<SummaryParquetWriter>(new SummaryParquetWriter(std::move(impl)));
}

Status SummaryParquetWriter::Append(std::span<const SummaryRow> rows, const RunIdentity& run,
                                    UuidGenerator& uuids) {
  if (rows.empty()) return Status::OK();
  return Guarded(impl_->path, [&] { impl_->Append(rows, run, uuids); });
}

Status SummaryParquetWriter::Close() {
  ARROW_RETURN_NOT_OK(Guarded(impl_->path, [&] {
    impl_->WriteRowGroup();
    impl_->file->Close();
  }));
  Status st = impl_->out->Close();
  if (!st.ok()) return SinkError("cannot write {}: {}", impl_->path, st.message());
  return st;
}

}  // namespace ocpagg
