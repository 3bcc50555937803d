#pragma once
// Typed, null-aware access to one column of an Arrow RecordBatch, whatever physical encoding
// the Parquet file used (plain or dictionary strings, float/double/integer numbers,
// timestamps of any unit). A column absent from the file reads as NULL on every row, which is
// how koku's Hive tables see a column missing from an older file (docs/semantics.md "Parquet
// layout").

#include <arrow/api.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "ocpagg/common/status.h"

namespace ocpagg {

// Strings: utf8, large_utf8, binary, or dictionary<int*, utf8>.
class StringColumn {
 public:
  StringColumn() = default;  // absent column: every row NULL
  static Result<StringColumn> Make(const std::shared_ptr<arrow::Array>& array);

  std::optional<std::string_view> Get(int64_t row) const {
    if (!present_ || array_->IsNull(row)) return std::nullopt;
    if (indices32_) return dict_->GetView(indices32_->Value(row));
    if (indices_) return dict_->GetView(indices_->GetValue(row));
    return strings_->GetView(row);
  }
  bool present() const { return present_; }

  // A dictionary-encoded column names each row's value by its code (its index in the batch's
  // dictionary), so that work on a value can be done once per code instead of once per row.
  // Code(row) is -1 for a NULL row; CodeValue(code) is the value. Without codes (plain strings,
  // or an absent column), Get() is the only way.
  bool has_codes() const { return indices_ != nullptr; }
  int64_t code_count() const { return code_count_; }
  int64_t Code(int64_t row) const {
    if (array_->IsNull(row)) return -1;
    if (indices32_) return indices32_->Value(row);
    return indices_->GetValue(row);
  }
  std::string_view CodeValue(int64_t code) const { return dict_->GetView(code); }

 private:
  // Minimal view over utf8/large_utf8 values.
  struct Strings {
    virtual ~Strings() = default;
    virtual std::string_view GetView(int64_t i) const = 0;
  };
  template <typename ArrayT>
  struct StringsOf;
  struct Indices {
    virtual ~Indices() = default;
    virtual int64_t GetValue(int64_t i) const = 0;
  };
  template <typename ArrayT>
  struct IndicesOf;

  bool present_ = false;
  std::shared_ptr<arrow::Array> array_;
  std::shared_ptr<Strings> strings_;
  std::shared_ptr<Strings> dict_;
  std::shared_ptr<Indices> indices_;
  const arrow::Int32Array* indices32_ = nullptr;  // the common case, devirtualized
  int64_t code_count_ = 0;                        // the dictionary's length
};

// Numbers: double, float, or any integer type, as double.
class DoubleColumn {
 public:
  DoubleColumn() = default;
  static Result<DoubleColumn> Make(const std::shared_ptr<arrow::Array>& array);

  std::optional<double> Get(int64_t row) const {
    if (!present_ || array_->IsNull(row)) return std::nullopt;
    if (doubles_) return doubles_[row];
    return get_(*array_, row);
  }
  double GetOr(int64_t row, double fallback) const { return Get(row).value_or(fallback); }
  bool present() const { return present_; }

 private:
  bool present_ = false;
  std::shared_ptr<arrow::Array> array_;
  const double* doubles_ = nullptr;
  double (*get_)(const arrow::Array&, int64_t) = nullptr;
};

// Timestamps of any unit (naive UTC, as koku writes them) or date32, as milliseconds since epoch.
class TimestampColumn {
 public:
  TimestampColumn() = default;
  static Result<TimestampColumn> Make(const std::shared_ptr<arrow::Array>& array);

  std::optional<int64_t> GetMillis(int64_t row) const {
    if (!present_ || array_->IsNull(row)) return std::nullopt;
    int64_t v = values_[row];
    return divisor_ > 0 ? FloorDiv(v, divisor_) : v * -divisor_;
  }
  bool present() const { return present_; }

 private:
  static int64_t FloorDiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
  }
  bool present_ = false;
  std::shared_ptr<arrow::Array> array_;
  const int64_t* values_ = nullptr;
  std::shared_ptr<arrow::Array> widened_;  // date32 widened to int64 milliseconds
  int64_t divisor_ = 1;                    // > 0: divide raw values; < 0: multiply by -divisor_
};

}  // namespace ocpagg
