#include "ocpagg/sinks/summary_encoding.h"

#include <arrow/builder.h>

#include <vector>

#include "ocpagg/pg/numeric_text.h"
#include "ocpagg/sinks/text_fields.h"

namespace ocpagg {
namespace {

std::shared_ptr<arrow::DataType> ArrowType(SummaryColumnType t) {
  switch (t) {
    case SummaryColumnType::kInt32:
      return arrow::int32();
    case SummaryColumnType::kDate:
      return arrow::date32();
    case SummaryColumnType::kNumeric:
      return arrow::float64();
    case SummaryColumnType::kUuid:
    case SummaryColumnType::kText:
    case SummaryColumnType::kJson:
      break;
  }
  return arrow::utf8();
}

}  // namespace

void AppendCsvHeader(std::string& out) {
  for (size_t i = 0; i < kSummaryColumns.size(); ++i) {
    if (i) out.push_back(',');
    out.append(kSummaryColumns[i].name);
  }
  out.push_back('\n');
}

void AppendCsvRow(const RowContext& row, std::string& out) {
  for (size_t i = 0; i < kSummaryColumns.size(); ++i) {
    const SummaryColumn& col = kSummaryColumns[i];
    if (i) out.push_back(',');
    switch (col.type) {
      case SummaryColumnType::kUuid:
      case SummaryColumnType::kText:
      case SummaryColumnType::kJson:
        if (auto v = col.text(row)) AppendCsvField(out, *v);
        break;
      case SummaryColumnType::kInt32: {
        if (auto v = col.int32(row)) AppendInteger(out, *v);
        break;
      }
      case SummaryColumnType::kDate:
        out.append(FormatDate(col.date(row)));
        break;
      case SummaryColumnType::kNumeric: {
        if (auto v = col.number(row)) AppendShortestDouble(out, *v);
        break;
      }
    }
  }
  out.push_back('\n');
}

std::string SummaryColumnList() {
  std::string out;
  for (const auto& col : kSummaryColumns) {
    if (!out.empty()) out += ", ";
    out += col.name;
  }
  return out;
}

Status AppendCopyRow(const RowContext& row, Compat compat, std::string& out) {
  for (size_t i = 0; i < kSummaryColumns.size(); ++i) {
    const SummaryColumn& col = kSummaryColumns[i];
    if (i) out.push_back('\t');
    switch (col.type) {
      case SummaryColumnType::kUuid:
      case SummaryColumnType::kText:
      case SummaryColumnType::kJson:
        if (auto v = col.text(row)) {
          AppendCopyField(out, *v);
        } else {
          out += "\\N";
        }
        break;
      case SummaryColumnType::kInt32:
        if (auto v = col.int32(row)) {
          AppendInteger(out, *v);
        } else {
          out += "\\N";
        }
        break;
      case SummaryColumnType::kDate:
        out.append(FormatDate(col.date(row)));
        break;
      case SummaryColumnType::kNumeric:
        if (auto v = col.number(row)) {
          ARROW_RETURN_NOT_OK(pg::AppendNumeric(*v, compat, col.name, out));
        } else {
          out += "\\N";
        }
        break;
    }
  }
  out.push_back('\n');
  return Status::OK();
}

const std::shared_ptr<arrow::Schema>& SummaryArrowSchema() {
  static const std::shared_ptr<arrow::Schema> schema = [] {
    std::vector<std::shared_ptr<arrow::Field>> fields;
    for (const auto& col : kSummaryColumns) {
      fields.push_back(arrow::field(std::string(col.name), ArrowType(col.type)));
    }
    return arrow::schema(std::move(fields));
  }();
  return schema;
}

namespace {

// A column of fixed-width optional values: value(i) gives row i's, nullopt for NULL.
template <typename Builder, typename ValueOf>
Result<std::shared_ptr<arrow::Array>> OptionalArray(int64_t n, ValueOf&& value) {
  Builder b;
  ARROW_RETURN_NOT_OK(b.Reserve(n));
  for (int64_t i = 0; i < n; ++i) {
    auto v = value(static_cast<size_t>(i));
    if (v) {
      b.UnsafeAppend(*v);
    } else {
      b.UnsafeAppendNull();
    }
  }
  std::shared_ptr<arrow::Array> array;
  ARROW_RETURN_NOT_OK(b.Finish(&array));
  return array;
}

}  // namespace

Result<std::shared_ptr<arrow::RecordBatch>> SummaryRecordBatch(std::span<const SummaryRow> rows,
                                                               const RunIdentity& run,
                                                               UuidGenerator& uuids) {
  const auto n = static_cast<int64_t>(rows.size());
  std::vector<std::array<char, 36>> row_uuids(rows.size());
  for (auto& u : row_uuids) uuids.Next(u);
  auto context = [&](size_t i) {
    return RowContext{rows[i], run, std::string_view(row_uuids[i].data(), row_uuids[i].size())};
  };
  std::vector<std::shared_ptr<arrow::Array>> arrays;
  arrays.reserve(kSummaryColumns.size());
  for (const auto& col : kSummaryColumns) {
    std::shared_ptr<arrow::Array> array;
    switch (col.type) {
      case SummaryColumnType::kUuid:
      case SummaryColumnType::kText:
      case SummaryColumnType::kJson: {
        // Sized first: appending into a growing value buffer copied it over and over.
        int64_t bytes = 0;
        for (size_t i = 0; i < rows.size(); ++i) {
          if (auto v = col.text(context(i))) bytes += static_cast<int64_t>(v->size());
        }
        arrow::StringBuilder b;
        ARROW_RETURN_NOT_OK(b.Reserve(n));
        ARROW_RETURN_NOT_OK(b.ReserveData(bytes));
        for (size_t i = 0; i < rows.size(); ++i) {
          if (auto v = col.text(context(i))) {
            b.UnsafeAppend(*v);
          } else {
            b.UnsafeAppendNull();
          }
        }
        ARROW_RETURN_NOT_OK(b.Finish(&array));
        break;
      }
      case SummaryColumnType::kInt32: {
        ARROW_ASSIGN_OR_RAISE(array, OptionalArray<arrow::Int32Builder>(
                                         n, [&](size_t i) { return col.int32(context(i)); }));
        break;
      }
      case SummaryColumnType::kDate: {
        arrow::Date32Builder b;
        ARROW_RETURN_NOT_OK(b.Reserve(n));
        for (size_t i = 0; i < rows.size(); ++i) b.UnsafeAppend(col.date(context(i)));
        ARROW_RETURN_NOT_OK(b.Finish(&array));
        break;
      }
      case SummaryColumnType::kNumeric: {
        ARROW_ASSIGN_OR_RAISE(array, OptionalArray<arrow::DoubleBuilder>(
                                         n, [&](size_t i) { return col.number(context(i)); }));
        break;
      }
    }
    arrays.push_back(std::move(array));
  }
  return arrow::RecordBatch::Make(SummaryArrowSchema(), n, std::move(arrays));
}

}  // namespace ocpagg
