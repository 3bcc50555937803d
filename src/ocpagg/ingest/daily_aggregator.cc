#include "ocpagg/ingest/daily_aggregator.h"

#include <absl/hash/hash.h>
#include <arrow/array.h>
#include <arrow/builder.h>
#include <arrow/record_batch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace ocpagg {

// An empty view may hold a null pointer, which Arrow's builders would pass on to memcpy.
static std::string_view NonNullView(std::string_view v) {
  return v.empty() ? std::string_view("", 0) : v;
}
namespace {

Status AppendNumber(arrow::DoubleBuilder* b, double v) {
  // pyarrow's from_pandas stores NaN as NULL.
  return std::isnan(v) ? b->AppendNull() : b->Append(v);
}

}  // namespace

DailyAggregator::DailyAggregator(const ReportColumns& columns)
    : columns_(columns),
      key_count_(columns.group_keys.size()),
      groups_(0, GroupHash{this}, GroupEq{this}) {
  for (const DailyAggregate& spec : columns.aggregates) {
    Accumulator acc;
    acc.spec = spec;
    acc.kind = columns.values[spec.value_column].kind;
    accumulators_.push_back(std::move(acc));
  }
}

size_t DailyAggregator::HashKey(const std::string_view* parts, Date day) const {
  return absl::HashOf(absl::MakeConstSpan(parts, key_count_), day);
}

bool DailyAggregator::KeyEquals(uint32_t group, const Probe& p) const {
  if (hashes_[group] != p.hash || days_[group] != p.day) return false;
  const std::string_view* stored = &key_parts_[group * key_count_];
  for (size_t k = 0; k < key_count_; ++k) {
    if (stored[k] != p.parts[k]) return false;
  }
  return true;
}

uint32_t DailyAggregator::AddGroup(const Probe& p) {
  const auto group = static_cast<uint32_t>(days_.size());
  for (size_t k = 0; k < key_count_; ++k) key_parts_.push_back(arena_.Copy(p.parts[k]));
  days_.push_back(p.day);
  hashes_.push_back(p.hash);
  for (Accumulator& acc : accumulators_) {
    if (acc.spec.how == DailyAggregation::kSum) {
      acc.sum.push_back(0.0);
      acc.compensation.push_back(0.0);
    } else if (acc.kind == CellKind::kNumeric) {
      acc.max_number.push_back(std::numeric_limits<double>::quiet_NaN());
    } else if (acc.kind == CellKind::kTimestamp) {
      acc.max_millis.push_back(std::numeric_limits<int64_t>::min());
    } else {
      acc.max_text.emplace_back("", 0);  // '' sorts first, and strings are never NULL here
    }
  }
  groups_.insert(group);
  return group;
}

void DailyAggregator::Add(const ConvertedBatch& batch, std::span<const int32_t> rows) {
  row_groups_.resize(rows.size());
  std::vector<std::string_view> parts(key_count_);
  for (size_t j = 0; j < rows.size(); ++j) {
    const int32_t r = rows[j];
    for (size_t k = 0; k < key_count_; ++k) {
      parts[k] = batch.columns[columns_.group_keys[k]].text[r];
    }
    Probe probe{parts.data(), batch.day[r], 0};
    probe.hash = HashKey(probe.parts, probe.day);
    auto it = groups_.find(probe);
    row_groups_[j] = it != groups_.end() ? *it : AddGroup(probe);
  }

  for (Accumulator& acc : accumulators_) {
    const ConvertedColumn& values = batch.columns[acc.spec.value_column];
    if (acc.spec.how == DailyAggregation::kSum) {
      // pandas' group_sum: Kahan-compensated, NaN skipped, compensation reset when an
      // infinity makes it NaN (pandas GH#53606).
      for (size_t j = 0; j < rows.size(); ++j) {
        const double v = values.numbers[rows[j]];
        if (std::isnan(v)) continue;
        const uint32_t g = row_groups_[j];
        const double y = v - acc.compensation[g];
        const double t = acc.sum[g] + y;
        double c = t - acc.sum[g] - y;
        if (std::isnan(c)) c = 0.0;
        acc.compensation[g] = c;
        acc.sum[g] = t;
      }
    } else if (acc.kind == CellKind::kNumeric) {
      for (size_t j = 0; j < rows.size(); ++j) {
        const double v = values.numbers[rows[j]];
        double& m = acc.max_number[row_groups_[j]];
        if (!std::isnan(v) && (std::isnan(m) || v > m)) m = v;
      }
    } else if (acc.kind == CellKind::kTimestamp) {
      for (size_t j = 0; j < rows.size(); ++j) {
        int64_t& m = acc.max_millis[row_groups_[j]];
        m = std::max(m, values.millis[rows[j]]);
      }
    } else {
      for (size_t j = 0; j < rows.size(); ++j) {
        std::string_view v = values.text[rows[j]];
        std::string_view& m = acc.max_text[row_groups_[j]];
        if (v > m) m = arena_.Copy(v);
      }
    }
  }
}

Result<std::shared_ptr<arrow::RecordBatch>> DailyAggregator::Finish() {
  const size_t n = days_.size();
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    for (size_t k = 0; k < key_count_; ++k) {
      int c = key_parts_[a * key_count_ + k].compare(key_parts_[b * key_count_ + k]);
      if (c != 0) return c < 0;
    }
    return days_[a] < days_[b];
  });

  arrow::ArrayVector arrays;
  // The type of the daily schema's next column.
  auto field_type = [this](size_t column) {
    return columns_.daily_schema->field(static_cast<int>(column))->type();
  };
  for (size_t k = 0; k < key_count_; ++k) {
    arrow::StringBuilder b;
    ARROW_RETURN_NOT_OK(b.Reserve(static_cast<int64_t>(n)));
    for (uint32_t g : order)
      ARROW_RETURN_NOT_OK(b.Append(NonNullView(key_parts_[g * key_count_ + k])));
    ARROW_ASSIGN_OR_RAISE(auto a, b.Finish());
    arrays.push_back(std::move(a));
  }
  {
    arrow::TimestampBuilder b(field_type(arrays.size()), arrow::default_memory_pool());
    ARROW_RETURN_NOT_OK(b.Reserve(static_cast<int64_t>(n)));
    // pd.Grouper(freq="D") labels a group with the midnight that starts its day.
    for (uint32_t g : order) b.UnsafeAppend(static_cast<int64_t>(days_[g]) * kMillisPerDay);
    ARROW_ASSIGN_OR_RAISE(auto a, b.Finish());
    arrays.push_back(std::move(a));
  }
  for (const Accumulator& acc : accumulators_) {
    std::shared_ptr<arrow::Array> a;
    if (acc.spec.how == DailyAggregation::kSum || acc.kind == CellKind::kNumeric) {
      arrow::DoubleBuilder b;
      ARROW_RETURN_NOT_OK(b.Reserve(static_cast<int64_t>(n)));
      const auto& v = acc.spec.how == DailyAggregation::kSum ? acc.sum : acc.max_number;
      for (uint32_t g : order) ARROW_RETURN_NOT_OK(AppendNumber(&b, v[g]));
      ARROW_ASSIGN_OR_RAISE(a, b.Finish());
    } else if (acc.kind == CellKind::kTimestamp) {
      arrow::TimestampBuilder b(field_type(arrays.size()), arrow::default_memory_pool());
      ARROW_RETURN_NOT_OK(b.Reserve(static_cast<int64_t>(n)));
      for (uint32_t g : order) b.UnsafeAppend(acc.max_millis[g]);
      ARROW_ASSIGN_OR_RAISE(a, b.Finish());
    } else {
      arrow::StringBuilder b;
      ARROW_RETURN_NOT_OK(b.Reserve(static_cast<int64_t>(n)));
      for (uint32_t g : order) ARROW_RETURN_NOT_OK(b.Append(NonNullView(acc.max_text[g])));
      ARROW_ASSIGN_OR_RAISE(a, b.Finish());
    }
    arrays.push_back(std::move(a));
  }
  for (size_t i = 0; i < columns_.added_null_columns.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(
        auto a, arrow::MakeArrayOfNull(field_type(arrays.size()), static_cast<int64_t>(n)));
    arrays.push_back(std::move(a));
  }
  auto batch =
      arrow::RecordBatch::Make(columns_.daily_schema, static_cast<int64_t>(n), std::move(arrays));
  Reset();
  return batch;
}

void DailyAggregator::Reset() {
  groups_.clear();
  key_parts_.clear();
  days_.clear();
  hashes_.clear();
  for (Accumulator& acc : accumulators_) {
    acc.sum.clear();
    acc.compensation.clear();
    acc.max_number.clear();
    acc.max_millis.clear();
    acc.max_text.clear();
  }
  arena_.Clear();
}

}  // namespace ocpagg
