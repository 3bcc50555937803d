#include "ocpagg/engine/summarize.h"

#include <sys/resource.h>
#include <tbb/blocked_range.h>
#include <tbb/collaborative_call_once.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>
#include <tbb/task_arena.h>

#include <chrono>
#include <future>
#include <limits>
#include <mutex>
#include <thread>

#include "ocpagg/aggregate/node_inventory.h"
#include "ocpagg/engine/day_engine.h"
#include "ocpagg/engine/day_pipeline.h"
#include "ocpagg/engine/day_plan.h"
#include "ocpagg/engine/first_error.h"
#include "ocpagg/engine/memory_budget.h"
#include "ocpagg/engine/memory_monitor.h"
#include "ocpagg/engine/spill_area.h"
#include "ocpagg/engine/unit_scan.h"
#include "ocpagg/koku/identifiers.h"

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

class InventoryReduceBody {
 public:
  InventoryReduceBody(const UnitSource& source, FirstError& error,
                      const std::vector<WorkUnit>& units, MillisWindow window)
      : source_(source), error_(error), units_(units), window_(window) {}
  InventoryReduceBody(InventoryReduceBody& other, tbb::split)
      : source_(other.source_),
        error_(other.error_),
        units_(other.units_),
        window_(other.window_) {}
  void operator()(const tbb::blocked_range<size_t>& r) {
    for (size_t i = r.begin(); i != r.end() && !error_.failed(); ++i) {
      int64_t rows = 0;
      const WorkUnit& unit = units_[i];
      if (unit.table == InputTable::kNodeLabelsDaily) {
        error_.Record(ScanUnit<NodeLabelBatch>(
            source_, unit, window_, &rows, [&](const NodeLabelBatch& b, int64_t j, int64_t ts) {
              return inventory_.AddNodeLabels(b.Row(j, DateOfMillis(ts)));
            }));
      } else {
        error_.Record(ScanUnit<PodUsageBatch>(
            source_, unit, window_, &rows,
            [&](const PodUsageBatch& b, int64_t j, int64_t ts) {
              inventory_.AddPodUsage(b.Row(j, DateOfMillis(ts)));
              return Status::OK();
            },
            [] { return Status::OK(); }, PodDailyInventoryColumns()));
      }
    }
  }
  void join(InventoryReduceBody& right) { inventory_.Merge(std::move(right.inventory_)); }
  NodeInventory& inventory() { return inventory_; }

 private:
  const UnitSource& source_;
  FirstError& error_;
  const std::vector<WorkUnit>& units_;
  MillisWindow window_;
  NodeInventory inventory_;
};

// The pod side of koku's nodes query from koku's on-prem tables, reduced by the server in one
// query over the range (PgLineItems::ReadGrouped): the query keeps the maximum capacity and
// operator role of each node and resource id, and which namespaces ran on it, so a row per
// (namespace, node, resource id) with those maxima folds to the same inventory as every row.
Result<NodeInventory> PodInventoryOfTables(const PgLineItems& tables, const RunPlan& plan,
                                           int64_t batch_rows, const StopToken* stop) {
  NodeInventory inventory;
  if (plan.pod_usage_units.empty()) return inventory;
  const auto specs = ColumnsOf(InputTable::kPodUsageDaily);
  std::vector<int> keys, maxima;
  for (int c : PodDailyInventoryColumns()) {
    const std::string_view name = specs[c].name;
    if (name == "node_role" || name == "node_capacity_cpu_cores") {
      maxima.push_back(c);
    } else if (name != "interval_start") {
      keys.push_back(c);
    }
  }
  const MillisWindow window = MillisWindow::Days(plan.start, plan.end);
  const std::string path = tables.RangeName(InputTable::kPodUsageDaily, plan.start, plan.end);
  int64_t rows = 0;
  ARROW_RETURN_NOT_OK(tables.ReadGrouped(InputTable::kPodUsageDaily, plan.start, plan.end, keys,
                                         maxima, batch_rows, [&](const ParquetScan::Batch& raw) {
                                           ARROW_RETURN_NOT_OK(ScanBatch<PodUsageBatch>(
                                               path, raw, window, &rows,
                                               [&](const PodUsageBatch& b, int64_t i, int64_t ts) {
                                                 inventory.AddPodUsage(b.Row(i, DateOfMillis(ts)));
                                                 return Status::OK();
                                               }));
                                           return CheckStop(stop);
                                         }));
  return inventory;
}

// koku's nodes query (docs/semantics.md "Node roles") over the whole range, before any day is
// finished: roles decide the unallocated rows' namespaces. With `pods`, the pod side comes from
// there (PodInventoryOfTables, started earlier) instead of the plan's daily pod units.
Result<NodeInventory> RunNodesQuery(const UnitSource& source, const RunPlan& plan,
                                    std::future<Result<NodeInventory>>* pods) {
  std::vector<WorkUnit> units = plan.node_label_units;
  if (pods == nullptr) {
    units.insert(units.end(), plan.pod_usage_units.begin(), plan.pod_usage_units.end());
  }
  const MillisWindow window = MillisWindow::Days(plan.start, plan.end);
  FirstError error;
  InventoryReduceBody body(source, error, units, window);
  tbb::parallel_deterministic_reduce(tbb::blocked_range<size_t>(0, units.size(), 1), body,
                                     tbb::simple_partitioner());
  ARROW_RETURN_NOT_OK(error.status());
  if (pods != nullptr) {
    ARROW_ASSIGN_OR_RAISE(NodeInventory pod_side, pods->get());
    body.inventory().Merge(std::move(pod_side));
  }
  return std::move(body.inventory());
}

// TBB's worker threads are one pool for the whole process, sized by global_control, while a
// run's concurrency is its own arena's. A run's workers all come from the pool (the calling
// thread waits outside its arena), so the pool must hold at least the workers of every run in
// flight: each run adds its threads for as long as it lasts, and the pool is raised to the most
// ever needed at once, never lowered. A global_control sized to one run (the smallest of those
// alive wins) would limit every other run of the process, such as summaries in threads of a
// Python program.
class WorkerReservation {
 public:
  explicit WorkerReservation(int threads) : threads_(threads) {
    std::lock_guard<std::mutex> lock(mu_);
    reserved_ += threads_;
    // One more than the workers: TBB counts the thread that would join an arena.
    const size_t wanted = static_cast<size_t>(reserved_) + 1;
    if (wanted > pool_) {
      // Replaced, not destroyed at exit: TBB may be gone by then.
      auto* raised = new tbb::global_control(tbb::global_control::max_allowed_parallelism, wanted);
      delete control_;
      control_ = raised;
      pool_ = wanted;
    }
  }
  ~WorkerReservation() {
    std::lock_guard<std::mutex> lock(mu_);
    reserved_ -= threads_;
  }
  WorkerReservation(const WorkerReservation&) = delete;
  WorkerReservation& operator=(const WorkerReservation&) = delete;

 private:
  static inline std::mutex mu_;
  static inline int reserved_ = 0;
  static inline size_t pool_ = 0;
  static inline tbb::global_control* control_ = nullptr;
  const int threads_;
};

Status NothingToSummarize(const SummarizeOptions& options, Date start, Date end) {
  const DatasetLocation& in = options.input;
  // A URL may hold a password: PostgreSQL input is named by its schema.
  const std::string where =
      IsPostgresUrl(in.root) ? "PostgreSQL schema " + options.input_schema : in.root;
  return MakeError(ErrorKind::kNoData,
                   fmt::format("nothing to summarize: {} holds no pod or storage rows of source {} "
                               "for {}..{}{}; nothing was written or deleted, existing rows kept",
                               where, in.source_uuid, FormatDate(start), FormatDate(end),
                               in.account.empty() ? "" : " in account " + in.account));
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

// Settings come from flags, the environment, a config file or an embedding program: each is
// checked here, once, whatever its origin.
Status ValidateOptions(const SummarizeOptions& options) {
  const auto& in = options.input;
  const PerformanceOptions& perf = options.performance;
  if (in.year < 1 || in.year > 9999) return UsageError("--year must be 1..9999, got {}", in.year);
  if (in.month < 1 || in.month > 12) return UsageError("--month must be 1..12, got {}", in.month);
  if (!IsUuid(in.source_uuid)) {
    return UsageError("--source '{}' is not a UUID (8-4-4-4-12 hexadecimal digits)",
                      in.source_uuid);
  }
  if (!in.account.empty() && !IsAccountName(in.account)) {
    return UsageError(
        "--account '{}' is not an account name (letters, digits, '_' and '-', at most 63)",
        in.account);
  }
  if (options.cluster_id.empty()) return UsageError("--cluster-id must not be empty");
  auto check = [](int64_t v, int64_t hi, std::string_view what) -> Status {
    if (v < 0 || v > hi) return UsageError("{} must be 0 (the default) to {}, got {}", what, hi, v);
    return Status::OK();
  };
  ARROW_RETURN_NOT_OK(check(perf.threads, kMaxThreads, "threads"));
  ARROW_RETURN_NOT_OK(check(perf.max_days_in_flight, kMaxDaysInFlight, "max_days_in_flight"));
  ARROW_RETURN_NOT_OK(check(perf.batch_rows, kMaxBatchRows, "batch_rows"));
  ARROW_RETURN_NOT_OK(check(perf.memory_limit_bytes, int64_t{1} << 50, "memory_limit"));
  ARROW_RETURN_NOT_OK(check(perf.max_state_bytes, int64_t{1} << 50, "max_state_memory"));
  ARROW_RETURN_NOT_OK(
      check(perf.streaming_threshold_rows, int64_t{1} << 50, "streaming_threshold_rows"));
  return Status::OK();
}

namespace {

// The plan: the range after koku's adjustment, the files, and the row groups of each day, from
// the listing and the footers only.
struct PlannedRun {
  Date month_start = 0, start = 0, end = 0;  // start/end: the range asked for
  DatasetFiles files;
  std::unique_ptr<PgLineItems> tables;  // PostgreSQL input, else null
  RunPlan plan;
};

Result<PlannedRun> PlanSummary(const SummarizeOptions& options, SummarizeReport& report) {
  const DatasetLocation& in = options.input;
  const std::optional<Date> start_date = options.start_date, end_date = options.end_date;
  PlannedRun run;
  run.month_start = MakeDate(in.year, in.month, 1);
  const Date month_end = run.month_start + DaysInMonth(run.month_start) - 1;
  run.start = start_date.value_or(run.month_start);
  run.end = end_date.value_or(month_end);
  if (run.start < run.month_start || run.end > month_end || run.start > run.end) {
    return UsageError(
        "the date range {}..{} must lie within {:04d}-{:02d} and start before it ends (koku "
        "summarizes one month at a time)",
        FormatDate(run.start), FormatDate(run.end), in.year, in.month);
  }
  if (IsPostgresUrl(in.root)) {
    ARROW_ASSIGN_OR_RAISE(run.tables,
                          PgLineItems::Open({in.root, options.input_schema, in.source_uuid, in.year,
                                             in.month, options.input_connection}));
    ARROW_ASSIGN_OR_RAISE(run.plan, PlanPostgresRun(*run.tables, run.start, run.end));
  } else {
    ARROW_ASSIGN_OR_RAISE(run.files, DiscoverDataset(in));
    ARROW_ASSIGN_OR_RAISE(run.plan, PlanRun(run.files, run.start, run.end));
  }
  // koku leaves the summary alone when there are no line items for the period; replacing the
  // range with nothing would delete an earlier run's rows (a mistyped --account, say).
  if (!run.plan.HasUsageUnits()) return NothingToSummarize(options, run.start, run.end);
  report.start = run.plan.start;
  report.end = run.plan.end;
  report.days_planned = static_cast<int>(run.plan.days.size());
  for (int t = 0; t < kInputTableCount; ++t) {
    report.files[t] = static_cast<int64_t>(run.files.files[t].size());
  }
  for (const auto& d : run.plan.days) report.row_groups += static_cast<int64_t>(d.units.size());
  return run;
}

// How the run executes: the mode, the workers, the memory shares and the days in flight.
struct RunConfig {
  ExecutionMode mode = ExecutionMode::kParallel;
  bool in_memory = false;
  bool independent_days = false;
  int threads = 1;
  int days_in_flight = 1;
  MemoryShares shares;
};

Result<RunConfig> ConfigureRun(const PerformanceOptions& perf, const RunPlan& plan,
                               int64_t limit_bytes, int64_t resident_bytes, bool independent_days) {
  RunConfig config;
  config.independent_days = independent_days;
  config.mode = perf.mode;
  if (config.mode == ExecutionMode::kAuto) {
    config.mode = plan.estimated_rows < perf.streaming_threshold_rows ? ExecutionMode::kSerial
                                                                      : ExecutionMode::kParallel;
  }
  config.in_memory = config.mode == ExecutionMode::kInMemory;
  int threads = perf.threads > 0
                    ? perf.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (config.mode == ExecutionMode::kSerial) threads = 1;

  MemoryShares& shares = config.shares;
  if (config.in_memory) {
    // The unbounded baseline: no budget at all.
    shares.limit_bytes = shares.state_bytes = std::numeric_limits<int64_t>::max() / 4;
    shares.workers = threads;
    shares.batch_rows = perf.batch_rows > 0 ? perf.batch_rows : ScanOptions{}.batch_rows;
    shares.read_buffer_bytes = 256 * 1024;
  } else {
    shares = ShareMemory(limit_bytes, resident_bytes, threads, independent_days ? threads : 1,
                         perf.batch_rows, ReadCost{plan.max_page_bytes, plan.max_columns});
    // The states must hold at least what one batch can add before it is checked.
    const int64_t least_state = std::max(kMinStateBytes, shares.batch_rows * kStateBytesPerRow *
                                                             static_cast<int64_t>(shares.workers));
    if (shares.state_bytes < least_state) {
      const int64_t least_limit =
          (shares.baseline_bytes + shares.reading_bytes + shares.writing_bytes + least_state) / 7 *
          8;
      return MakeError(
          ErrorKind::kMemoryLimit,
          fmt::format("--memory-limit {} MB is too small for this input: the process holds {} "
                      "MB before the first day, reading its largest row groups takes {} MB, "
                      "writing {} MB, and aggregating at least {} MB; give at "
                      "least {} MB",
                      shares.limit_bytes >> 20, shares.baseline_bytes >> 20,
                      shares.reading_bytes >> 20, shares.writing_bytes >> 20, least_state >> 20,
                      (least_limit >> 20) + 1));
    }
    // Fewer workers than asked when the limit cannot hold that many reads at once.
    threads = shares.workers;
    if (perf.max_state_bytes > 0) {
      shares.state_bytes = std::min(shares.state_bytes, perf.max_state_bytes);
    }
  }
  config.threads = threads;
  // Days in flight: serial mode has one worker and one day; in-memory mode one day at a time
  // after reading everything.
  config.days_in_flight = config.mode == ExecutionMode::kSerial || config.in_memory ? 1
                          : perf.max_days_in_flight > 0 ? perf.max_days_in_flight
                                                        : threads + 1;
  return config;
}

// What the day engine counted, into the report.
void ReportCounters(const DayEngineCounters& c, SummarizeReport& report) {
  for (int t = 0; t < kInputTableCount; ++t) report.rows_read[t] = c.rows_read[t].load();
  report.pod_rows = c.pod_rows.load();
  report.storage_rows = c.storage_rows.load();
  report.unallocated_rows = c.unallocated_rows.load();
  report.days_with_rows = c.days_with_rows.load();
  report.days_spilled = c.days_spilled.load();
  report.spill_bytes = c.spill_bytes.load();
  report.scan_seconds = c.scan.seconds();
  report.aggregate_seconds = c.aggregate.seconds();
  report.write_seconds = c.write.seconds();
}

}  // namespace

Result<SummarizeReport> Summarize(const SummarizeOptions& options, KokuState& state,
                                  RowSink& sink) {
  ARROW_RETURN_NOT_OK(ValidateOptions(options));
  SummarizeReport report;
  MemoryMonitor memory;
  const auto t_start = Clock::now();
  const double cpu_start = CpuSeconds();
  const DatasetLocation& in = options.input;
  const PerformanceOptions& perf = options.performance;
  report.memory_limit_bytes =
      perf.memory_limit_bytes > 0 ? perf.memory_limit_bytes : DefaultMemoryLimitBytes();

  // Plan. Every read of the input files, footers included, is counted by their filesystem.
  ARROW_ASSIGN_OR_RAISE(const PlannedRun planned, PlanSummary(options, report));
  const RunPlan& plan = planned.plan;
  ARROW_ASSIGN_OR_RAISE(const SummarySettings settings, state.LoadSettings(options.compat));
  ARROW_ASSIGN_OR_RAISE(report.report_period_id, state.ReportPeriodId(planned.month_start));

  // Configure, from what the process holds now (libraries, plan, settings).
  ARROW_ASSIGN_OR_RAISE(const RunConfig config,
                        ConfigureRun(perf, plan, report.memory_limit_bytes, memory.current_bytes(),
                                     sink.IndependentDays()));
  report.mode = config.mode;
  report.threads = config.threads;
  report.baseline_rss_bytes = memory.current_bytes();
  report.state_budget_bytes = config.in_memory ? 0 : config.shares.state_bytes;
  report.batch_rows = config.shares.batch_rows;
  MemoryBudget budget(config.shares, memory);
  const ScanOptions scan_options{config.shares.batch_rows, config.shares.read_buffer_bytes};

  // Run. `threads` workers in an arena of the run's own (another run in the same process has
  // its own); the calling thread admits days and waits outside them (day_pipeline.h).
  const WorkerReservation workers(config.threads);
  tbb::task_arena arena(config.threads, 0);
  report.plan_seconds = SecondsSince(t_start);
  // In-memory mode, the baseline kept to compare against the bounded modes: every input row
  // group is read into memory first (memory grows with the input), then aggregated day by day.
  const UnitSource read = planned.tables
                              ? UnitSource::Postgres(*planned.tables, scan_options, options.stop)
                              : UnitSource::Files(planned.files, scan_options, options.stop);
  ARROW_ASSIGN_OR_RAISE(const UnitSource source, config.in_memory ? arena.execute([&] {
    return UnitSource::Preloaded(read, plan);
  })
                                                                  : Result<UnitSource>(read));
  // koku's nodes query and the node-table upsert, then the start of the rows: needed before
  // the first day is written, not before days are read, so that the query runs beside the
  // first days' reading. Whichever worker writes first runs it; the others wait and help.
  // PostgreSQL input: the pod side of the nodes query is one query on a connection of its own,
  // started now so that the server runs it beside the first days' reading.
  std::future<Result<NodeInventory>> pod_inventory;
  if (planned.tables) {
    pod_inventory = std::async(std::launch::async, [&] {
      return PodInventoryOfTables(*planned.tables, plan, scan_options.batch_rows, options.stop);
    });
  }
  tbb::collaborative_once_flag writes_ready;
  Status writes_status;
  std::optional<NodeRoleTable> roles;
  double nodes_seconds = 0;
  auto prepare_writes = [&]() -> Result<const NodeRoleTable*> {
    tbb::collaborative_call_once(writes_ready, [&] {
      writes_status = [&]() -> Status {
        const auto t0 = Clock::now();
        ARROW_ASSIGN_OR_RAISE(
            NodeInventory inventory,
            RunNodesQuery(source, plan, pod_inventory.valid() ? &pod_inventory : nullptr));
        std::vector<NodeInventoryRow> nodes = inventory.Finish();
        ARROW_ASSIGN_OR_RAISE(roles, state.ResolveNodeRoles(nodes));
        RunIdentity identity;
        identity.source_uuid = in.source_uuid;
        identity.cluster_id = options.cluster_id;
        identity.cluster_alias = options.cluster_alias;
        identity.report_period_id = report.report_period_id;
        identity.enabled_keys = settings.enabled_keys;
        ARROW_RETURN_NOT_OK(sink.Begin(identity, plan.start, plan.end));
        ARROW_RETURN_NOT_OK(sink.WriteProjects(inventory.Namespaces()));
        nodes_seconds = SecondsSince(t0);
        return Status::OK();
      }();
    });
    ARROW_RETURN_NOT_OK(writes_status);
    return &*roles;
  };

  std::unique_ptr<SpillArea> spill;
  if (perf.spill && !config.in_memory) spill = std::make_unique<SpillArea>(perf.spill_dir);
  DayEngine engine(source, settings, budget, spill.get(), config.threads, prepare_writes, sink,
                   perf.allocator);
  int days_done = 0;
  auto progress = [&] {
    if (!options.on_progress) return;
    SummarizeProgress p;
    p.days_done = ++days_done;
    p.days_total = static_cast<int>(plan.days.size());
    for (const auto& r : engine.counters().rows_read) p.rows_read += r.load();
    p.rows_planned = plan.estimated_rows;
    p.rss_bytes = memory.current_bytes();
    p.elapsed_seconds = SecondsSince(t_start);
    options.on_progress(p);
  };

  DayPipelineOptions pipeline;
  pipeline.max_in_flight = config.days_in_flight;
  pipeline.workers = config.threads;
  pipeline.independent_days = config.independent_days;
  pipeline.on_day_written = progress;
  ARROW_RETURN_NOT_OK(RunDays(plan, engine, budget, arena, pipeline));
  // Row groups whose footers could not rule the range out may still hold none of its rows:
  // the rows read decide. Returning before Commit leaves the sink and the state as they were.
  const DayEngineCounters& c = engine.counters();
  if (c.rows_read[static_cast<size_t>(InputTable::kPodUsageDaily)].load() == 0 &&
      c.rows_read[static_cast<size_t>(InputTable::kStorageUsageDaily)].load() == 0) {
    return NothingToSummarize(options, planned.start, planned.end);
  }
  // Days without rows still run the nodes query and replace the range's rows.
  ARROW_RETURN_NOT_OK(arena.execute([&] { return prepare_writes().status(); }));
  report.plan_seconds += nodes_seconds;

  // Commit. A stop requested while the last day was written: nothing is published.
  ARROW_RETURN_NOT_OK(CheckStop(options.stop));
  const auto t_commit = Clock::now();
  ARROW_RETURN_NOT_OK(sink.Commit());
  ARROW_RETURN_NOT_OK(state.Commit());
  const double commit_seconds = SecondsSince(t_commit);

  // Report.
  ReportCounters(c, report);
  report.write_seconds += commit_seconds;
  report.wall_seconds = SecondsSince(t_start);
  report.cpu_seconds = CpuSeconds() - cpu_start;
  report.peak_rss_bytes = memory.peak_bytes();
  report.average_rss_bytes = memory.average_bytes();
  if (planned.files.reads != nullptr) {  // Parquet input: what the filesystem served
    report.reads_counted = true;
    report.bytes_read = planned.files.reads->bytes.load();
    report.read_requests = planned.files.reads->requests.load();
  }
  return report;
}

}  // namespace ocpagg
