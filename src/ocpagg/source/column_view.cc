#include "ocpagg/source/column_view.h"

namespace ocpagg {

template <typename ArrayT>
struct StringColumn::StringsOf : StringColumn::Strings {
  explicit StringsOf(std::shared_ptr<arrow::Array> a)
      : holder(std::move(a)), array(static_cast<const ArrayT&>(*holder)) {}
  std::string_view GetView(int64_t i) const override { return array.GetView(i); }
  std::shared_ptr<arrow::Array> holder;
  const ArrayT& array;
};

template <typename ArrayT>
struct StringColumn::IndicesOf : StringColumn::Indices {
  explicit IndicesOf(std::shared_ptr<arrow::Array> a)
      : holder(std::move(a)), array(static_cast<const ArrayT&>(*holder)) {}
  int64_t GetValue(int64_t i) const override { return static_cast<int64_t>(array.Value(i)); }
  std::shared_ptr<arrow::Array> holder;
  const ArrayT& array;
};

namespace {

// Arrow's Parquet reader passes dictionary indices on as the file holds them: a corrupt file can
// give indices past its dictionary, which Get() would follow out of the dictionary's buffers.
template <typename ArrayT>
Status CheckIndices(const arrow::Array& array, int64_t dictionary_length) {
  const auto& indices = static_cast<const ArrayT&>(array);
  const auto* values = indices.raw_values();
  bool in_range = true;
  if (indices.null_count() == 0) {
    // The usual case, in a loop without branches that the compiler vectorizes.
    for (int64_t i = 0; i < indices.length(); ++i) {
      in_range &= (values[i] >= 0) & (values[i] < dictionary_length);
    }
  } else {
    for (int64_t i = 0; i < indices.length(); ++i) {
      in_range &= indices.IsNull(i) || (values[i] >= 0 && values[i] < dictionary_length);
    }
  }
  if (in_range) return Status::OK();
  return Status::Invalid("has dictionary indices beyond its dictionary of ", dictionary_length,
                         " values (a corrupt file)");
}

}  // namespace

Result<StringColumn> StringColumn::Make(const std::shared_ptr<arrow::Array>& array) {
  StringColumn c;
  c.present_ = true;
  c.array_ = array;
  auto make_strings =
      [](const std::shared_ptr<arrow::Array>& a) -> Result<std::shared_ptr<Strings>> {
    switch (a->type_id()) {
      case arrow::Type::STRING:
        return std::make_shared<StringsOf<arrow::StringArray>>(a);
      case arrow::Type::LARGE_STRING:
        return std::make_shared<StringsOf<arrow::LargeStringArray>>(a);
      case arrow::Type::BINARY:
        return std::make_shared<StringsOf<arrow::BinaryArray>>(a);
      case arrow::Type::LARGE_BINARY:
        return std::make_shared<StringsOf<arrow::LargeBinaryArray>>(a);
      case arrow::Type::STRING_VIEW:
        return std::make_shared<StringsOf<arrow::StringViewArray>>(a);
      default:
        return Status::TypeError("has type ", a->type()->ToString(), ", expected a string");
    }
  };
  if (array->type_id() == arrow::Type::DICTIONARY) {
    const auto& dict_array = static_cast<const arrow::DictionaryArray&>(*array);
    ARROW_ASSIGN_OR_RAISE(c.dict_, make_strings(dict_array.dictionary()));
    const auto& indices = dict_array.indices();
    const int64_t dictionary_length = dict_array.dictionary()->length();
    c.code_count_ = dictionary_length;
    switch (indices->type_id()) {
      case arrow::Type::INT8:
        ARROW_RETURN_NOT_OK(CheckIndices<arrow::Int8Array>(*indices, dictionary_length));
        c.indices_ = std::make_shared<IndicesOf<arrow::Int8Array>>(indices);
        break;
      case arrow::Type::INT16:
        ARROW_RETURN_NOT_OK(CheckIndices<arrow::Int16Array>(*indices, dictionary_length));
        c.indices_ = std::make_shared<IndicesOf<arrow::Int16Array>>(indices);
        break;
      case arrow::Type::INT32:
        ARROW_RETURN_NOT_OK(CheckIndices<arrow::Int32Array>(*indices, dictionary_length));
        c.indices_ = std::make_shared<IndicesOf<arrow::Int32Array>>(indices);
        c.indices32_ = &static_cast<const arrow::Int32Array&>(*indices);
        break;
      case arrow::Type::INT64:
        ARROW_RETURN_NOT_OK(CheckIndices<arrow::Int64Array>(*indices, dictionary_length));
        c.indices_ = std::make_shared<IndicesOf<arrow::Int64Array>>(indices);
        break;
      default:
        return Status::TypeError("has dictionary indices of type ", indices->type()->ToString());
    }
    return c;
  }
  ARROW_ASSIGN_OR_RAISE(c.strings_, make_strings(array));
  return c;
}

namespace {

template <typename ArrayT>
double GetAsDouble(const arrow::Array& a, int64_t i) {
  return static_cast<double>(static_cast<const ArrayT&>(a).Value(i));
}

}  // namespace

Result<DoubleColumn> DoubleColumn::Make(const std::shared_ptr<arrow::Array>& array) {
  DoubleColumn c;
  c.present_ = true;
  c.array_ = array;
  switch (array->type_id()) {
    case arrow::Type::DOUBLE:
      c.doubles_ = static_cast<const arrow::DoubleArray&>(*array).raw_values();
      break;
    case arrow::Type::FLOAT:
      c.get_ = &GetAsDouble<arrow::FloatArray>;
      break;
    case arrow::Type::INT8:
      c.get_ = &GetAsDouble<arrow::Int8Array>;
      break;
    case arrow::Type::INT16:
      c.get_ = &GetAsDouble<arrow::Int16Array>;
      break;
    case arrow::Type::INT32:
      c.get_ = &GetAsDouble<arrow::Int32Array>;
      break;
    case arrow::Type::INT64:
      c.get_ = &GetAsDouble<arrow::Int64Array>;
      break;
    case arrow::Type::UINT8:
      c.get_ = &GetAsDouble<arrow::UInt8Array>;
      break;
    case arrow::Type::UINT16:
      c.get_ = &GetAsDouble<arrow::UInt16Array>;
      break;
    case arrow::Type::UINT32:
      c.get_ = &GetAsDouble<arrow::UInt32Array>;
      break;
    case arrow::Type::UINT64:
      c.get_ = &GetAsDouble<arrow::UInt64Array>;
      break;
    default:
      return Status::TypeError("has type ", array->type()->ToString(), ", expected a number");
  }
  return c;
}

Result<TimestampColumn> TimestampColumn::Make(const std::shared_ptr<arrow::Array>& array) {
  TimestampColumn c;
  c.present_ = true;
  c.array_ = array;
  if (array->type_id() == arrow::Type::TIMESTAMP) {
    const auto& type = static_cast<const arrow::TimestampType&>(*array->type());
    c.values_ = static_cast<const arrow::TimestampArray&>(*array).raw_values();
    switch (type.unit()) {
      case arrow::TimeUnit::SECOND:
        c.divisor_ = -1000;
        break;
      case arrow::TimeUnit::MILLI:
        c.divisor_ = 1;
        break;
      case arrow::TimeUnit::MICRO:
        c.divisor_ = 1000;
        break;
      case arrow::TimeUnit::NANO:
        c.divisor_ = 1000000;
        break;
    }
    return c;
  }
  if (array->type_id() == arrow::Type::DATE32) {
    const auto& dates = static_cast<const arrow::Date32Array&>(*array);
    arrow::Int64Builder builder;
    ARROW_RETURN_NOT_OK(builder.Reserve(dates.length()));
    for (int64_t i = 0; i < dates.length(); ++i) {
      builder.UnsafeAppend(static_cast<int64_t>(dates.IsNull(i) ? 0 : dates.Value(i)));
    }
    ARROW_ASSIGN_OR_RAISE(c.widened_, builder.Finish());
    c.values_ = static_cast<const arrow::Int64Array&>(*c.widened_).raw_values();
    c.divisor_ = -86'400'000;
    return c;
  }
  return Status::TypeError("has type ", array->type()->ToString(), ", expected a timestamp");
}

}  // namespace ocpagg
