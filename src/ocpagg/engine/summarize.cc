#include "ocpagg/engine/summarize.h"

#include <malloc.h>
#include <sys/resource.h>
#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/parallel_reduce.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "ocpagg/aggregate/day_summary.h"
#include "ocpagg/aggregate/node_inventory.h"
#include "ocpagg/engine/day_plan.h"
#include "ocpagg/engine/memory_monitor.h"
#include "ocpagg/engine/unit_scan.h"

namespace ocpagg {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The first error of a parallel phase; later work is skipped once one is recorded.
class FirstError {
 public:
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  void Record(const Status& st) {
    if (st.ok()) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (!failed_) status_ = st;
    failed_ = true;
  }
  Status status() const {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

 private:
  mutable std::mutex mu_;
  std::atomic<bool> failed_{false};
  Status status_;
};

// Shared state of one run's scanning.
struct ScanContext {
  ScanContext(const DatasetFiles& f, const SummarySettings& s) : files(f), settings(s) {}
  const DatasetFiles& files;
  const SummarySettings& settings;
  std::array<std::atomic<int64_t>, kInputTableCount> rows_read{};
  std::atomic<int64_t> scan_nanos{0};
  FirstError error;
  const UnitCache* cache = nullptr;  // in-memory mode: every unit read up front

  void CountRows(InputTable t, int64_t n) {
    rows_read[static_cast<size_t>(t)].fetch_add(n, std::memory_order_relaxed);
  }
};

// Adds the rows of `unit` that fall on `day` to `summary` (koku.md §2: every computation is per
// day, so a row group spanning days contributes to each day its own rows).
Status AddUnitToDay(ScanContext& ctx, const WorkUnit& unit, Date day, DaySummary& summary) {
  auto t0 = Clock::now();
  const MillisWindow window = MillisWindow::Days(day, day);
  int64_t rows = 0;
  Status st;
  switch (unit.table) {
    case InputTable::kNodeLabelsDaily:
      st = ScanUnit<NodeLabelBatch>(ctx.files, unit, window, &rows, ctx.cache,
                                    [&](const NodeLabelBatch& b, int64_t i, int64_t) {
                                      return summary.AddNodeLabels(b.Row(i, day));
                                    });
      break;
    case InputTable::kNamespaceLabelsDaily:
      st = ScanUnit<NamespaceLabelBatch>(ctx.files, unit, window, &rows, ctx.cache,
                                         [&](const NamespaceLabelBatch& b, int64_t i, int64_t) {
                                           return summary.AddNamespaceLabels(b.Row(i, day));
                                         });
      break;
    case InputTable::kPodUsageHourly:
      st = ScanUnit<PodCapacityBatch>(ctx.files, unit, window, &rows, ctx.cache,
                                      [&](const PodCapacityBatch& b, int64_t i, int64_t ts) {
                                        summary.AddCapacity(b.Row(i, ts));
                                        return Status::OK();
                                      });
      break;
    case InputTable::kPodUsageDaily:
      st = ScanUnit<PodUsageBatch>(ctx.files, unit, window, &rows, ctx.cache,
                                   [&](const PodUsageBatch& b, int64_t i, int64_t) {
                                     return summary.AddPodUsage(b.Row(i, day));
                                   });
      break;
    case InputTable::kStorageUsageDaily:
      st = ScanUnit<StorageUsageBatch>(ctx.files, unit, window, &rows, ctx.cache,
                                       [&](const StorageUsageBatch& b, int64_t i, int64_t) {
                                         return summary.AddStorageUsage(b.Row(i, day));
                                       });
      break;
  }
  ctx.CountRows(unit.table, rows);
  ctx.scan_nanos.fetch_add(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count(),
      std::memory_order_relaxed);
  return st;
}

// One day: every unit read by the workers into partial states, merged in a fixed order
// (deterministic results whatever the thread count or timing), then finished.
struct DayWork {
  const DayPlan* plan = nullptr;
  std::optional<DaySummary> summary;
};

// Reduction body: each split gets a fresh partial state; join merges right into left.
// parallel_deterministic_reduce splits the same way whatever the number of threads, so the
// floating-point sums come out identical run after run.
class DayReduceBody {
 public:
  DayReduceBody(ScanContext& ctx, const DayPlan& day)
      : ctx_(ctx), day_(day), summary_(ctx.settings, day.day) {}
  DayReduceBody(DayReduceBody& other, tbb::split)
      : ctx_(other.ctx_), day_(other.day_), summary_(other.ctx_.settings, other.day_.day) {}
  void operator()(const tbb::blocked_range<size_t>& r) {
    for (size_t i = r.begin(); i != r.end() && !ctx_.error.failed(); ++i) {
      ctx_.error.Record(AddUnitToDay(ctx_, day_.units[i], day_.day, summary_));
    }
  }
  void join(DayReduceBody& right) { summary_.Merge(std::move(right.summary_)); }
  DaySummary& summary() { return summary_; }

 private:
  ScanContext& ctx_;
  const DayPlan& day_;
  DaySummary summary_;
};

DaySummary AggregateDay(ScanContext& ctx, const DayPlan& day) {
  DayReduceBody body(ctx, day);
  tbb::parallel_deterministic_reduce(tbb::blocked_range<size_t>(0, day.units.size(), 1), body,
                                     tbb::simple_partitioner());
  return std::move(body.summary());
}

class InventoryReduceBody {
 public:
  InventoryReduceBody(ScanContext& ctx, const std::vector<WorkUnit>& units, MillisWindow window)
      : ctx_(ctx), units_(units), window_(window) {}
  InventoryReduceBody(InventoryReduceBody& other, tbb::split)
      : ctx_(other.ctx_), units_(other.units_), window_(other.window_) {}
  void operator()(const tbb::blocked_range<size_t>& r) {
    for (size_t i = r.begin(); i != r.end() && !ctx_.error.failed(); ++i) {
      int64_t rows = 0;
      const WorkUnit& unit = units_[i];
      if (unit.table == InputTable::kNodeLabelsDaily) {
        ctx_.error.Record(
            ScanUnit<NodeLabelBatch>(ctx_.files, unit, window_, &rows, ctx_.cache,
                                     [&](const NodeLabelBatch& b, int64_t j, int64_t ts) {
                                       return inventory_.AddNodeLabels(b.Row(j, DateOfMillis(ts)));
                                     }));
      } else {
        ctx_.error.Record(
            ScanUnit<PodUsageBatch>(ctx_.files, unit, window_, &rows, ctx_.cache,
                                    [&](const PodUsageBatch& b, int64_t j, int64_t ts) {
                                      inventory_.AddPodUsage(b.Row(j, DateOfMillis(ts)));
                                      return Status::OK();
                                    }));
      }
    }
  }
  void join(InventoryReduceBody& right) { inventory_.Merge(std::move(right.inventory_)); }
  NodeInventory& inventory() { return inventory_; }

 private:
  ScanContext& ctx_;
  const std::vector<WorkUnit>& units_;
  MillisWindow window_;
  NodeInventory inventory_;
};

// koku's nodes query (koku.md §3.3) over the whole range, before any day is finished: roles
// decide the unallocated rows' namespaces.
Result<NodeInventory> RunNodesQuery(ScanContext& ctx, const RunPlan& plan) {
  std::vector<WorkUnit> units = plan.node_label_units;
  units.insert(units.end(), plan.pod_usage_units.begin(), plan.pod_usage_units.end());
  const MillisWindow window = MillisWindow::Days(plan.start, plan.end);
  InventoryReduceBody body(ctx, units, window);
  tbb::parallel_deterministic_reduce(tbb::blocked_range<size_t>(0, units.size(), 1), body,
                                     tbb::simple_partitioner());
  NodeInventory inventory = std::move(body.inventory());
  ARROW_RETURN_NOT_OK(ctx.error.status());
  return inventory;
}

void CountRows(std::span<const SummaryRow> rows, SummarizeReport& report) {
  for (const auto& r : rows) {
    if (r.data_source == DataSource::kStorage) {
      ++report.storage_rows;
    } else if (r.has_infrastructure_usage_cost) {
      ++report.pod_rows;
    } else {
      ++report.unallocated_rows;
    }
  }
}

}  // namespace

std::string_view ExecutionModeName(ExecutionMode m) {
  switch (m) {
    case ExecutionMode::kAuto:
      return "auto";
    case ExecutionMode::kInMemory:
      return "in-memory";
    case ExecutionMode::kSerial:
      return "serial";
    case ExecutionMode::kParallel:
      return "parallel";
  }
  return "?";
}

std::optional<ExecutionMode> ParseExecutionMode(std::string_view name) {
  for (auto m : {ExecutionMode::kAuto, ExecutionMode::kInMemory, ExecutionMode::kSerial,
                 ExecutionMode::kParallel}) {
    if (ExecutionModeName(m) == name) return m;
  }
  return std::nullopt;
}

Result<SummarizeReport> Summarize(const SummarizeOptions& options, SummaryTarget& target) {
  SummarizeReport report;
  MemoryMonitor memory;
  const auto t_start = Clock::now();
  const double cpu_start = CpuSeconds();
  const auto& in = options.input;
  if (in.month < 1 || in.month > 12) return UsageError("--month must be 1..12, got {}", in.month);
  const Date month_start = MakeDate(in.year, in.month, 1);
  const Date month_end = month_start + DaysInMonth(month_start) - 1;
  const Date start = options.start_date.value_or(month_start);
  const Date end = options.end_date.value_or(month_end);
  if (start < month_start || end > month_end || start > end) {
    return UsageError(
        "the date range {}..{} must lie within {:04d}-{:02d} and start before it ends (koku "
        "summarizes one month at a time)",
        FormatDate(start), FormatDate(end), in.year, in.month);
  }
  const PerformanceOptions& perf = options.performance;
  report.memory_limit_bytes =
      perf.memory_limit_bytes > 0 ? perf.memory_limit_bytes : DefaultMemoryLimitBytes();

  ARROW_ASSIGN_OR_RAISE(DatasetFiles files, DiscoverDataset(in));
  ARROW_ASSIGN_OR_RAISE(RunPlan plan, PlanRun(files, start, end));
  report.start = plan.start;
  report.end = plan.end;
  report.days_planned = static_cast<int>(plan.days.size());
  for (int t = 0; t < kInputTableCount; ++t) {
    report.files[t] = static_cast<int64_t>(files.files[t].size());
    for (const auto& path : files.files[t]) {
      auto info = files.fs->GetFileInfo(path);
      if (info.ok()) report.bytes_read += info->size();
    }
  }
  for (const auto& d : plan.days) report.row_groups += static_cast<int64_t>(d.units.size());

  ExecutionMode mode = perf.mode;
  if (mode == ExecutionMode::kAuto) {
    mode = plan.estimated_rows < perf.streaming_threshold_rows ? ExecutionMode::kSerial
                                                               : ExecutionMode::kParallel;
  }
  int threads = perf.threads > 0
                    ? perf.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (mode == ExecutionMode::kSerial) threads = 1;
  report.mode = mode;
  report.threads = threads;

  ARROW_ASSIGN_OR_RAISE(const SummarySettings settings, target.LoadSettings(options.compat));
  ARROW_ASSIGN_OR_RAISE(report.report_period_id, target.ReportPeriodId(month_start));

  ScanContext ctx(files, settings);
  tbb::task_arena arena(threads);
  Result<NodeInventory> inventory = arena.execute([&] { return RunNodesQuery(ctx, plan); });
  ARROW_RETURN_NOT_OK(inventory.status());
  std::vector<NodeInventoryRow> nodes = inventory->Finish();
  ARROW_ASSIGN_OR_RAISE(NodeRoleTable roles, target.ResolveNodeRoles(nodes));
  report.plan_seconds = SecondsSince(t_start);

  RunIdentity identity;
  identity.source_uuid = in.source_uuid;
  identity.cluster_id = options.cluster_id;
  identity.cluster_alias = options.cluster_alias;
  identity.report_period_id = report.report_period_id;
  ARROW_RETURN_NOT_OK(target.BeginRows(identity, plan.start, plan.end));

  double aggregate_seconds = 0;
  double write_seconds = 0;
  int days_done = 0;
  // Finishes a day and streams its rows to the target in bounded chunks (days in order).
  auto write_day = [&](DayWork& work) {
    ++days_done;
    if (!ctx.error.failed() && work.summary) {
      const Date day = work.plan->day;
      const auto t0 = Clock::now();
      double sink_seconds = 0;
      int64_t rows_of_day = 0;
      Status st = std::move(*work.summary).Finish(roles, [&](std::span<const SummaryRow> rows) {
        const auto t_sink = Clock::now();
        CountRows(rows, report);
        rows_of_day += static_cast<int64_t>(rows.size());
        Status written = target.WriteRows(day, rows);
        sink_seconds += SecondsSince(t_sink);
        return written;
      });
      work.summary.reset();
      if (st.ok()) {
        const auto t_end = Clock::now();
        st = target.EndDay(day);
        sink_seconds += SecondsSince(t_end);
      }
      ctx.error.Record(st);
      if (rows_of_day > 0) ++report.days_with_rows;
      write_seconds += sink_seconds;
      aggregate_seconds += SecondsSince(t0) - sink_seconds;
    }
    work.summary.reset();
    // Give the day's freed memory back to the system: glibc keeps freed blocks in per-thread
    // arenas otherwise, and RSS is what the memory limit is about.
    malloc_trim(0);
    if (options.on_progress) {
      SummarizeProgress p;
      p.days_done = days_done;
      p.days_total = static_cast<int>(plan.days.size());
      for (const auto& r : ctx.rows_read) p.rows_read += r.load();
      p.rss_bytes = memory.current_bytes();
      p.elapsed_seconds = SecondsSince(t_start);
      options.on_progress(p);
    }
  };

  UnitCache cache;
  if (mode == ExecutionMode::kInMemory) {
    // The baseline: read every input row group into memory first, then aggregate day by day.
    // Memory grows with the input; kept to compare against the bounded modes.
    std::vector<WorkUnit> all_units;
    for (const auto& d : plan.days)
      all_units.insert(all_units.end(), d.units.begin(), d.units.end());
    std::vector<std::vector<ParquetScan::Batch>> loaded(all_units.size());
    arena.execute([&] {
      tbb::parallel_for(size_t{0}, all_units.size(), [&](size_t i) {
        if (ctx.error.failed()) return;
        auto batches = LoadUnit(files, all_units[i]);
        if (!batches.ok()) return ctx.error.Record(batches.status());
        loaded[i] = std::move(*batches);
      });
    });
    ARROW_RETURN_NOT_OK(ctx.error.status());
    for (size_t i = 0; i < all_units.size(); ++i) {
      cache.emplace(UnitCacheKey(all_units[i]), std::move(loaded[i]));
    }
    ctx.cache = &cache;
    for (const auto& day : plan.days) {
      DayWork work;
      work.plan = &day;
      arena.execute([&] { work.summary.emplace(AggregateDay(ctx, day)); });
      write_day(work);
    }
  } else {
    // Bounded streaming: at most `tokens` days in flight; intake also waits while resident
    // memory is above 3/4 of the limit and some day is still in flight to release memory.
    const size_t tokens =
        static_cast<size_t>(perf.max_days_in_flight > 0 ? perf.max_days_in_flight : threads + 1);
    const int64_t soft_limit = report.memory_limit_bytes / 4 * 3;
    std::atomic<int> in_flight{0};
    size_t next = 0;
    arena.execute([&] {
      tbb::parallel_pipeline(
          tokens, tbb::make_filter<void, DayWork*>(
                      tbb::filter_mode::serial_in_order,
                      [&](tbb::flow_control& fc) -> DayWork* {
                        if (next == plan.days.size() || ctx.error.failed()) {
                          fc.stop();
                          return nullptr;
                        }
                        while (in_flight.load() > 0 && memory.current_bytes() > soft_limit) {
                          std::this_thread::sleep_for(std::chrono::milliseconds(2));
                        }
                        ++in_flight;
                        auto* work = new DayWork();
                        work->plan = &plan.days[next++];
                        return work;
                      }) &
                      tbb::make_filter<DayWork*, DayWork*>(tbb::filter_mode::parallel,
                                                           [&](DayWork* work) {
                                                             if (!ctx.error.failed()) {
                                                               work->summary.emplace(
                                                                   AggregateDay(ctx, *work->plan));
                                                             }
                                                             return work;
                                                           }) &
                      tbb::make_filter<DayWork*, void>(tbb::filter_mode::serial_in_order,
                                                       [&](DayWork* work) {
                                                         write_day(*work);
                                                         delete work;
                                                         --in_flight;
                                                       }));
    });
  }
  ARROW_RETURN_NOT_OK(ctx.error.status());

  auto t_commit = Clock::now();
  ARROW_RETURN_NOT_OK(target.Commit());
  write_seconds += SecondsSince(t_commit);

  for (int t = 0; t < kInputTableCount; ++t) report.rows_read[t] = ctx.rows_read[t].load();
  report.scan_seconds = ctx.scan_nanos.load() / 1e9;
  report.aggregate_seconds = aggregate_seconds;
  report.write_seconds = write_seconds;
  report.wall_seconds = SecondsSince(t_start);
  report.cpu_seconds = CpuSeconds() - cpu_start;
  report.peak_rss_bytes = memory.peak_bytes();
  report.average_rss_bytes = memory.average_bytes();
  return report;
}

}  // namespace ocpagg
