#pragma once
// The planner: from file listings and Parquet footers only, which row groups hold rows of which
// day (docs/engine.md "Plan"). Every output row belongs to exactly one usage_start and koku's SQL
// never combines two days (docs/semantics.md "One day at a time"), so a day is the unit of work, of
// memory and of output.

#include <cstdint>
#include <optional>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/source/koku_dataset.h"
#include "ocpagg/source/postgres_line_items.h"

namespace ocpagg {

// One row group of one file: the smallest piece of input the engine reads.
struct WorkUnit {
  InputTable table;
  int32_t file = 0;         // index into DatasetFiles::of(table)
  int32_t row_group = 0;    // PostgreSQL input: the day
  int64_t rows = 0;         // rows in the row group (all days)
  bool single_day = false;  // footer statistics show every row is of this one day
  int64_t page_bytes = 0;   // ParquetScan::PageBytes of its costliest column pass
  int32_t columns = 0;      // columns read in its widest pass
};

// What reading `rows` rows of `unit` can add to an aggregation state at most, in resident bytes:
// a group per daily pod or storage row (the other tables' state is per node or namespace, and
// small). A state is checked between batches, and a wide unit read in column passes between
// slices of its rows, so the states' share must hold at least what one slice adds.
int64_t StateGrowthBound(const WorkUnit& unit, int64_t rows);
inline constexpr int64_t kStateBytesPerRow = 200;  // key, sums, index slot, strings, overhead

// What reading `unit` holds in memory at most, with batches of `batch_rows` rows and a read
// buffer of `buffer_bytes` per column.
inline int64_t ReadBytes(const WorkUnit& unit, int64_t batch_rows, int64_t buffer_bytes) {
  return unit.page_bytes + unit.columns * (buffer_bytes + batch_rows * 8);
}

struct DayPlan {
  Date day = 0;
  std::vector<WorkUnit> units;  // dimension tables first, then hourly pod, daily pod, storage
  int64_t estimated_rows = 0;   // rows of the day's units that fall on this day (estimate)
};

struct RunPlan {
  Date start = 0, end = 0;                // after koku's start adjustment (see docs/semantics.md)
  std::vector<DayPlan> days;              // one per day of [start, end] that has any unit, in order
  std::vector<WorkUnit> pod_usage_units;  // every daily pod unit of the range (nodes query)
  std::vector<WorkUnit> node_label_units;  // every node-label unit of the range (nodes query)
  int64_t estimated_rows = 0;
  int64_t row_groups_without_statistics = 0;
  int64_t row_groups_spanning_days = 0;
  int64_t max_page_bytes = 0;  // over every unit: the costliest read
  int32_t max_columns = 0;

  // True when some daily pod or storage row group may hold rows of the range; without one
  // there is nothing to summarize.
  bool HasUsageUnits() const;
};

// The units of a day, costliest to read first (rows times a per-table cost), so that the long
// ones start early and the short ones fill the gaps; ties keep the plan's order.
std::vector<WorkUnit> CostliestFirst(const DayPlan& day);

// Plans [start, end] over `files`. Row groups whose interval_start statistics are missing are
// listed under every day of the range (correct, but read once per day). When the first day with
// daily pod rows is later than `start`, the plan starts there, as koku does (docs/semantics.md "The
// summary run"). The footers' reads are counted by `files.fs`.
Result<RunPlan> PlanRun(const DatasetFiles& files, Date start, Date end);

// Plans [start, end] over koku's on-prem tables, from the rows each table holds per day (a
// unit per table and day; WorkUnit::row_group is the day).
Result<RunPlan> PlanPostgresRun(const PgLineItems& tables, Date start, Date end);

}  // namespace ocpagg
