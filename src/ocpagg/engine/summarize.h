#pragma once
// `summarize`: koku's daily summary for one source and one month (docs/semantics.md "The summary
// run", "The summary SQL", "One day at a time"), from koku's Parquet layout to a RowSink, with
// settings and node roles from a KokuState.
//
// How it runs (docs/engine.md): plan from the footers (row groups per day), then days through
// a bounded pipeline (engine/day_pipeline.h): each day read by the free workers into partial
// states, merged, finished and streamed to the sink while later days are read; koku's nodes
// query (docs/semantics.md "Node roles") runs before the first day is written. One memory limit
// bounds it all (engine/memory_budget.h): memory follows the days in flight, not the input size,
// and a day too large for the limit spills to disk.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "ocpagg/common/status.h"
#include "ocpagg/common/stop_token.h"
#include "ocpagg/engine/allocator_hooks.h"
#include "ocpagg/engine/koku_state.h"
#include "ocpagg/engine/row_sink.h"
#include "ocpagg/source/koku_dataset.h"
#include "ocpagg/source/postgres_line_items.h"

namespace ocpagg {

enum class ExecutionMode : uint8_t {
  kAuto,      // serial below streaming_threshold_rows, else parallel
  kInMemory,  // read every input row first, then aggregate (the unbounded baseline)
  kSerial,    // one worker, bounded
  kParallel,  // all workers, bounded
};
std::string_view ExecutionModeName(ExecutionMode m);
std::optional<ExecutionMode> ParseExecutionMode(std::string_view name);

// Upper bounds of the performance settings (0 means the default for each).
inline constexpr int kMaxThreads = 256;
inline constexpr int kMaxDaysInFlight = 1024;
inline constexpr int64_t kMaxBatchRows = 1 << 20;

struct PerformanceOptions {
  ExecutionMode mode = ExecutionMode::kParallel;
  int threads = 0;                               // 0: every core
  int64_t memory_limit_bytes = 0;                // 0: DefaultMemoryLimitBytes()
  int64_t streaming_threshold_rows = 2'000'000;  // kAuto: serial below this many input rows
  int max_days_in_flight = 0;                    // 0: threads + 1
  int64_t batch_rows = 0;                        // rows per decoded batch; 0: from the limit
  int64_t max_state_bytes = 0;  // cap on aggregation state before days spill; 0: what the limit
                                // leaves after reading and writing
  bool spill = true;            // a day too large for the limit spills to disk (else: exit code 5)
  std::string spill_dir;        // where spill files go; empty: $TMPDIR or /tmp
  AllocatorHooks allocator;     // none by default
};

// Progress after each finished day (for a terminal display).
struct SummarizeProgress {
  int days_done = 0, days_total = 0;
  int64_t rows_read = 0;
  int64_t rows_planned = 0;  // the plan's estimate of the rows to read (from footers)
  int64_t rss_bytes = 0;
  double elapsed_seconds = 0;
};

struct SummarizeOptions {
  // source uuid, year, month, and where: a root holding koku's Parquet layout (and account), or
  // a PostgreSQL URL (IsPostgresUrl) whose `input_schema` holds koku's on-prem tables.
  DatasetLocation input;
  std::string input_schema;
  pg::ConnectionOptions input_connection;  // PostgreSQL input: timeouts and the stop token
  std::optional<Date> start_date;          // default: first day of the month
  std::optional<Date> end_date;            // default: last day of the month (inclusive)
  std::string cluster_id;                  // stamped on every row
  std::optional<std::string> cluster_alias;
  Compat compat = Compat::kPostgres;
  PerformanceOptions performance;
  std::function<void(const SummarizeProgress&)> on_progress;  // optional
  // Optional: a stop request ends the run between batches with ErrorKind::kInterrupted,
  // nothing committed. Must outlive the run.
  StopToken* stop = nullptr;
};

struct SummarizeReport {
  Date start = 0, end = 0;  // the range summarized, after koku's start adjustment
                            // (docs/semantics.md "The summary run")
  int32_t report_period_id = 0;
  int days_planned = 0, days_with_rows = 0;
  ExecutionMode mode = ExecutionMode::kParallel;
  int threads = 0;
  int64_t memory_limit_bytes = 0;
  std::array<int64_t, kInputTableCount> rows_read{};
  std::array<int64_t, kInputTableCount> files{};
  int64_t row_groups = 0;
  // What was asked of the storage (footers, pages, coalesced ranges), counted at the files:
  // bytes and requests (read calls on local disk, GET requests on S3). Not counted
  // (reads_counted false) for PostgreSQL input, whose rows arrive over a connection.
  bool reads_counted = false;
  int64_t bytes_read = 0;
  int64_t read_requests = 0;
  int64_t pod_rows = 0, storage_rows = 0, unallocated_rows = 0;
  int64_t spill_bytes = 0;
  int days_spilled = 0;
  int64_t baseline_rss_bytes = 0;  // resident before the first day (libraries, plan, settings)
  int64_t state_budget_bytes = 0;  // the share of the limit left to aggregation states
  int64_t batch_rows = 0;
  double plan_seconds = 0, scan_seconds = 0, aggregate_seconds = 0, write_seconds = 0;
  double wall_seconds = 0, cpu_seconds = 0;
  double lock_wait_seconds = 0;  // waiting for another run of the source (set by the caller)
  int64_t peak_rss_bytes = 0, average_rss_bytes = 0;
};

// Runs the whole summary: settings and the report period from `state`, rows to `sink`, then
// sink.Commit() and state.Commit(). On error nothing is committed; the caller drops both.
Result<SummarizeReport> Summarize(const SummarizeOptions& options, KokuState& state, RowSink& sink);

}  // namespace ocpagg
