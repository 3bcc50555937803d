#include "ocpagg/engine/day_plan.h"

#include <algorithm>
#include <future>
#include <map>

#include "ocpagg/source/parquet_scan.h"

namespace ocpagg {
namespace {

// Dimension tables first: a day's label maps are small and every partial state wants them.
constexpr InputTable kPlanOrder[] = {InputTable::kNodeLabelsDaily,
                                     InputTable::kNamespaceLabelsDaily, InputTable::kPodUsageHourly,
                                     InputTable::kPodUsageDaily, InputTable::kStorageUsageDaily};

struct UnitDays {
  WorkUnit unit;
  Date first = 0, last = 0;  // days the row group may hold, clipped to the range
};

// Relative cost of reading one row: the columns decoded and the work per row.
int64_t ReadCostPerRow(InputTable t) {
  switch (t) {
    case InputTable::kPodUsageHourly:
      return 1;  // 4 columns, one hash update
    case InputTable::kPodUsageDaily:
    case InputTable::kStorageUsageDaily:
      return 4;  // 13-17 columns, interning, grouping
    case InputTable::kNodeLabelsDaily:
    case InputTable::kNamespaceLabelsDaily:
      return 2;
  }
  return 1;
}

// A unit of the on-prem tables: one table's rows of one day, its row_group the day. What
// reading it holds: the batch's columns and libpq's buffer of a row or two.
UnitDays PostgresUnit(InputTable table, const DayRows& d) {
  UnitDays u;
  u.unit.table = table;
  u.unit.row_group = static_cast<int32_t>(d.day);
  u.unit.rows = d.rows;
  u.unit.single_day = true;
  u.unit.page_bytes = int64_t{1} << 20;
  u.unit.columns = static_cast<int32_t>(ColumnsOf(table).size());
  u.first = u.last = d.day;
  return u;
}

// The plan's days from its units, the range starting at `plan_start`.
void AssemblePlan(const std::vector<UnitDays>& units, Date plan_start, Date end, RunPlan& plan) {
  plan.start = plan_start;
  plan.end = end;

  std::map<Date, DayPlan> days;
  for (const auto& u : units) {
    if (u.last < plan_start) continue;
    const Date first = std::max(u.first, plan_start);
    const int span = u.last - first + 1;
    for (Date d = first; d <= u.last; ++d) {
      DayPlan& day = days[d];
      day.day = d;
      day.units.push_back(u.unit);
      day.estimated_rows += u.unit.rows / span;
    }
    plan.estimated_rows += u.unit.rows;
    plan.max_page_bytes = std::max(plan.max_page_bytes, u.unit.page_bytes);
    plan.max_columns = std::max(plan.max_columns, u.unit.columns);
    if (u.unit.table == InputTable::kPodUsageDaily) plan.pod_usage_units.push_back(u.unit);
    if (u.unit.table == InputTable::kNodeLabelsDaily) plan.node_label_units.push_back(u.unit);
  }
  for (auto& [d, day] : days) plan.days.push_back(std::move(day));
}

}  // namespace

int64_t StateGrowthBound(const WorkUnit& unit, int64_t rows) {
  switch (unit.table) {
    case InputTable::kPodUsageDaily:
    case InputTable::kStorageUsageDaily:
      return std::min(rows, unit.rows) * kStateBytesPerRow;
    default:
      return 0;
  }
}

bool RunPlan::HasUsageUnits() const {
  for (const auto& d : days) {
    for (const auto& u : d.units) {
      if (u.table == InputTable::kPodUsageDaily || u.table == InputTable::kStorageUsageDaily) {
        return true;
      }
    }
  }
  return false;
}

std::vector<WorkUnit> CostliestFirst(const DayPlan& day) {
  std::vector<WorkUnit> units = day.units;
  auto cost = [](const WorkUnit& u) { return u.rows * ReadCostPerRow(u.table); };
  std::stable_sort(units.begin(), units.end(),
                   [&](const WorkUnit& a, const WorkUnit& b) { return cost(a) > cost(b); });
  return units;
}

Result<RunPlan> PlanRun(const DatasetFiles& files, Date start, Date end) {
  RunPlan plan;
  const ScanOptions scan_options{};
  const int64_t begin_ms = static_cast<int64_t>(start) * kMillisPerDay;
  const int64_t end_ms = (static_cast<int64_t>(end) + 1) * kMillisPerDay;
  std::vector<UnitDays> units;
  std::optional<Date> first_pod_day;
  bool first_pod_day_exact = true;
  for (InputTable table : kPlanOrder) {
    const auto& paths = files.of(table);
    for (size_t f = 0; f < paths.size(); ++f) {
      ARROW_ASSIGN_OR_RAISE(auto scan,
                            ParquetScan::Open(files.fs, paths[f], ColumnsOf(table), scan_options));
      for (int rg = 0; rg < scan->num_row_groups(); ++rg) {
        UnitDays u;
        u.unit.table = table;
        u.unit.file = static_cast<int32_t>(f);
        u.unit.row_group = rg;
        u.unit.rows = scan->row_group_num_rows(rg);
        if (u.unit.rows == 0) continue;
        for (std::span<const int> pass : ColumnPassesOf(table)) {
          u.unit.page_bytes = std::max(u.unit.page_bytes, scan->PageBytes(rg, pass));
          u.unit.columns = std::max(u.unit.columns, scan->columns_read(pass));
        }
        auto stats = scan->TimestampRange(rg, "interval_start");
        if (stats) {
          if (stats->second < begin_ms || stats->first >= end_ms) continue;
          u.first = std::max(start, DateOfMillis(stats->first));
          u.last = std::min(end, DateOfMillis(stats->second));
          u.unit.single_day = DateOfMillis(stats->first) == DateOfMillis(stats->second);
          if (!u.unit.single_day) ++plan.row_groups_spanning_days;
        } else {
          u.first = start;
          u.last = end;
          ++plan.row_groups_without_statistics;
        }
        if (table == InputTable::kPodUsageDaily) {
          if (!stats || stats->first < begin_ms) first_pod_day_exact = false;
          if (!first_pod_day || u.first < *first_pod_day) first_pod_day = u.first;
        }
        units.push_back(u);
      }
    }
  }
  // docs/semantics.md "The summary run": the summary starts at the first day with daily pod rows.
  // Statistics give it exactly unless a row group straddles the range start or has none; then rows
  // decide.
  Date plan_start = start;
  if (first_pod_day && *first_pod_day > start) {
    if (first_pod_day_exact) {
      plan_start = *first_pod_day;
    } else {
      std::optional<int64_t> min_ms;
      const auto& paths = files.of(InputTable::kPodUsageDaily);
      for (const auto& u : units) {
        if (u.unit.table != InputTable::kPodUsageDaily) continue;
        ARROW_ASSIGN_OR_RAISE(
            auto scan, ParquetScan::Open(files.fs, paths[u.unit.file],
                                         ColumnsOf(InputTable::kPodUsageDaily), scan_options));
        ARROW_RETURN_NOT_OK(scan->ForEachBatch(u.unit.row_group, [&](const ParquetScan::Batch& b) {
          ARROW_ASSIGN_OR_RAISE(auto ts, TimestampColumn::Make(b.columns[0]));
          for (int64_t i = 0; i < b.num_rows; ++i) {
            auto t = ts.GetMillis(i);
            if (t && *t >= begin_ms && *t < end_ms && (!min_ms || *t < *min_ms)) min_ms = *t;
          }
          return Status::OK();
        }));
      }
      if (min_ms) plan_start = std::max(start, DateOfMillis(*min_ms));
    }
  }
  AssemblePlan(units, plan_start, end, plan);
  return plan;
}

Result<RunPlan> PlanPostgresRun(const PgLineItems& tables, Date start, Date end) {
  RunPlan plan;
  // The daily tables' rows per day, counted at once, each on a connection of its own. The
  // hourly table is the largest by far, and counting its rows would cost about what reading
  // them costs: it has a unit on each day with daily pod rows, whose count stands in for its
  // size (it is read reduced to a row per hour and node, see PgLineItems::ReadDay).
  std::vector<InputTable> counted;
  for (InputTable table : kPlanOrder) {
    if (table != InputTable::kPodUsageHourly) counted.push_back(table);
  }
  std::vector<std::future<Result<std::vector<DayRows>>>> counts;
  for (InputTable table : counted) {
    counts.push_back(
        std::async(std::launch::async, [&, table] { return tables.CountDays(table, start, end); }));
  }
  std::vector<UnitDays> units;
  std::vector<DayRows> pod_days;
  Status first_error;
  for (size_t i = 0; i < counted.size(); ++i) {
    auto days = counts[i].get();
    if (!days.ok()) {
      if (first_error.ok()) first_error = days.status();
      continue;
    }
    if (counted[i] == InputTable::kPodUsageDaily) pod_days = *days;
    for (const DayRows& d : *days) units.push_back(PostgresUnit(counted[i], d));
  }
  ARROW_RETURN_NOT_OK(first_error);
  for (const DayRows& d : pod_days) units.push_back(PostgresUnit(InputTable::kPodUsageHourly, d));
  // docs/semantics.md "The summary run": the summary starts at the first day with daily pod rows.
  const Date plan_start = pod_days.empty() ? start : std::max(start, pod_days.front().day);
  AssemblePlan(units, plan_start, end, plan);
  return plan;
}

}  // namespace ocpagg
