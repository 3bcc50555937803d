#pragma once
// koku's hourly -> daily step for one CSV chunk (OCPPostProcessor._generate_daily_data,
// docs/semantics.md "Daily partial aggregates"): rows grouped by the report type's keys plus the
// UTC day of interval_start (pandas groupby with dropna=False, sorted by key), with koku's sum and
// max aggregations. The result is a partial aggregate: other chunks and files may hold the same
// keys.

#include <arrow/type_fwd.h>

#include <absl/container/flat_hash_set.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/common/string_arena.h"
#include "ocpagg/ingest/batch_converter.h"
#include "ocpagg/ingest/report_columns.h"

namespace ocpagg {

class DailyAggregator {
 public:
  explicit DailyAggregator(const ReportColumns& columns);
  DailyAggregator(const DailyAggregator&) = delete;
  DailyAggregator& operator=(const DailyAggregator&) = delete;

  // Adds the given rows of `batch` (rows koku keeps, i.e. without anomalies). Keys and string
  // maxima are copied: the batch may die afterwards.
  void Add(const ConvertedBatch& batch, std::span<const int32_t> rows);

  // The daily rows in ReportColumns::daily_schema, sorted by group keys then day as pandas'
  // groupby sorts them; the aggregator is empty again afterwards.
  Result<std::shared_ptr<arrow::RecordBatch>> Finish();

 private:
  // A group key being looked up: views into the current batch.
  struct Probe {
    const std::string_view* parts;
    Date day;
    size_t hash;
  };
  struct GroupHash {
    using is_transparent = void;
    const DailyAggregator* self;
    size_t operator()(uint32_t group) const { return self->hashes_[group]; }
    size_t operator()(const Probe& p) const { return p.hash; }
  };
  struct GroupEq {
    using is_transparent = void;
    const DailyAggregator* self;
    bool operator()(uint32_t a, uint32_t b) const { return a == b; }
    bool operator()(uint32_t group, const Probe& p) const { return self->KeyEquals(group, p); }
    bool operator()(const Probe& p, uint32_t group) const { return self->KeyEquals(group, p); }
  };

  // Running state of one aggregate column, one slot per group.
  struct Accumulator {
    DailyAggregate spec;
    CellKind kind = CellKind::kNumeric;
    std::vector<double> sum, compensation;   // kSum: pandas' Kahan summation
    std::vector<double> max_number;          // kMax of a number, NaN while no value
    std::vector<int64_t> max_millis;         // kMax of a timestamp
    std::vector<std::string_view> max_text;  // kMax of a string (arena copies)
  };

  size_t HashKey(const std::string_view* parts, Date day) const;
  bool KeyEquals(uint32_t group, const Probe& p) const;
  uint32_t AddGroup(const Probe& p);
  void Reset();

  const ReportColumns& columns_;
  const size_t key_count_;
  std::vector<std::string_view> key_parts_;  // key_count_ per group, arena copies
  std::vector<Date> days_;
  std::vector<size_t> hashes_;
  std::vector<Accumulator> accumulators_;
  absl::flat_hash_set<uint32_t, GroupHash, GroupEq> groups_;
  StringArena arena_;
  std::vector<uint32_t> row_groups_;  // scratch: group of each added row
};

}  // namespace ocpagg
