#include <fmt/format.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <tuple>

#include "cli/commands.h"
#include "cli/row_table.h"
#include "ocpagg/engine/config.h"
#include "ocpagg/engine/run_report.h"
#include "ocpagg/run/summarize_run.h"
#include "ocpagg/sinks/files_sink.h"

namespace ocpagg::cli {
namespace {

// The request, bound to the flags as CLI11 parses them, and what only the command does with a
// run: its report file and what it prints.
struct SummarizeFlags {
  SummarizeRequest request;
  int32_t report_period_id = 0;
  int threads = 0;
  int max_days_in_flight = 0;
  int64_t batch_rows = 0;
  int connect_timeout = 0, statement_timeout = 0, lock_timeout = 0;
  std::string report_file;
  bool quiet = false;
  bool progress = false;
  bool print = false;
  CLI::Option* threads_opt = nullptr;
  CLI::Option* max_days_opt = nullptr;
  CLI::Option* batch_rows_opt = nullptr;
  CLI::Option* connect_timeout_opt = nullptr;
  CLI::Option* statement_timeout_opt = nullptr;
  CLI::Option* lock_timeout_opt = nullptr;
};

// Forwards to another sink and keeps a copy of the rows, to print them after the commit.
class PrintingSink : public RowSink {
 public:
  explicit PrintingSink(RowSink& inner) : inner_(inner) {}
  Status Begin(const RunIdentity& identity, Date start, Date end) override {
    return inner_.Begin(identity, start, end);
  }
  Status WriteRows(Date day, std::span<const SummaryRow> rows) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      rows_.insert(rows_.end(), rows.begin(), rows.end());
      total_ += static_cast<int64_t>(rows.size());
      if (rows_.size() >= 2 * kMaxRows) KeepFirstRows();
    }
    return inner_.WriteRows(day, rows);
  }
  Status WriteProjects(std::span<const std::string> namespaces) override {
    return inner_.WriteProjects(namespaces);
  }
  Status EndDay(Date day) override { return inner_.EndDay(day); }
  bool IndependentDays() const override { return inner_.IndependentDays(); }
  Status Commit() override { return inner_.Commit(); }
  void Abort() override { inner_.Abort(); }

  void Print(std::FILE* out) {
    KeepFirstRows();
    PrintRowTable(rows_, out);
    if (total_ > static_cast<int64_t>(rows_.size())) {
      fmt::print(out, "... and {} more rows\n", total_ - static_cast<int64_t>(rows_.size()));
    }
  }

 private:
  // The first kMaxRows rows in (day, kind, namespace, node, claim, labels) order, whatever the
  // order in which days and chunks arrived.
  void KeepFirstRows() {
    auto key = [](const SummaryRow& r) {
      return std::tie(r.usage_start, r.data_source, r.has_infrastructure_usage_cost, r.namespace_,
                      r.node, r.persistentvolumeclaim, r.all_labels);
    };
    std::sort(rows_.begin(), rows_.end(),
              [&](const SummaryRow& a, const SummaryRow& b) { return key(a) < key(b); });
    if (rows_.size() > kMaxRows) rows_.resize(kMaxRows);
  }

  static constexpr size_t kMaxRows = 200;
  RowSink& inner_;
  std::mutex mu_;  // days may be written at once
  std::vector<SummaryRow> rows_;
  int64_t total_ = 0;
};

// The command owns its process, so it may tune glibc's allocator for the engine. Not under
// AddressSanitizer, whose malloc replaces glibc's: malloc_trim then walks arenas that are not
// in use, and was seen to crash there.
AllocatorHooks GlibcAllocatorHooks() {
  AllocatorHooks hooks;
#if defined(__SANITIZE_ADDRESS__)  // GCC
  return hooks;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)  // clang
  return hooks;
#endif
#endif
  // The limit is tight. Large blocks (pages, dictionaries) kept in the heap when freed (main.cc)
  // fragment it: at a 64 MB limit that cost 8 MB. Small thresholds give them back to the system
  // at once, for some system time (which runs that never spill do not pay).
  hooks.on_first_spill = [] {
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    mallopt(M_TRIM_THRESHOLD, 512 * 1024);
  };
  hooks.release_free_memory = [] { malloc_trim(0); };
  return hooks;
}

// "[#########...........]  45%  day 14/31  4.6M of 10.2M rows  ETA 0:03  RSS 144 MB" on one
// line of stderr, redrawn after each day. The share done is the larger of the days' and the
// rows' (the plan's row count comes from footers and counts rows once per file, so it is an
// estimate); the ETA assumes the rest goes at the pace so far.
void PrintProgress(const SummarizeProgress& p) {
  const bool done = p.days_done == p.days_total;
  double share = p.days_total > 0 ? static_cast<double>(p.days_done) / p.days_total : 1.0;
  if (p.rows_planned > 0) {
    share = std::max(share, std::min(0.99, static_cast<double>(p.rows_read) / p.rows_planned));
  }
  if (done) share = 1.0;
  constexpr int kWidth = 20;
  const int filled = static_cast<int>(share * kWidth);
  const double eta = share > 0 ? p.elapsed_seconds * (1 - share) / share : 0;
  const int eta_s = static_cast<int>(eta + 0.5);
  fmt::print(stderr,
             "\r  [{}{}] {:3.0f}%  day {}/{}  {:.1f}M of {:.1f}M rows  {}  RSS {:.0f} MB   ",
             std::string(filled, '#'), std::string(kWidth - filled, '.'), share * 100, p.days_done,
             p.days_total, p.rows_read / 1e6, std::max(p.rows_planned, p.rows_read) / 1e6,
             done ? fmt::format("{:.1f}s", p.elapsed_seconds)
                  : fmt::format("ETA {}:{:02d}", eta_s / 60, eta_s % 60),
             p.rss_bytes / 1048576.0);
  if (done) fmt::print(stderr, "\n");
}

void PrintReport(const SummarizeReport& r, std::FILE* out) {
  fmt::print(out, "summarized {}..{} (report period {}), mode {}, {} thread(s)\n",
             FormatDate(r.start), FormatDate(r.end), r.report_period_id, ExecutionModeName(r.mode),
             r.threads);
  int64_t total = 0;
  for (int t = 0; t < kInputTableCount; ++t) {
    total += r.rows_read[t];
    fmt::print(out, "  read {:>12} rows from {:>5} files  {}\n", r.rows_read[t], r.files[t],
               InputTableName(static_cast<InputTable>(t)));
  }
  if (r.reads_counted) {
    fmt::print(out, "  read {:.1f} MB in {} requests from storage\n", r.bytes_read / 1e6,
               r.read_requests);
  }
  fmt::print(out, "  wrote {} Pod rows, {} Storage rows, {} unallocated rows over {} days\n",
             r.pod_rows, r.storage_rows, r.unallocated_rows, r.days_with_rows);
  fmt::print(out,
             "  {:.3f}s wall ({:.0f} rows/s), {:.3f}s CPU; plan {:.3f}s, scan {:.3f}s, aggregate "
             "{:.3f}s, write {:.3f}s; peak RSS {:.1f} MB (limit {:.0f} MB)\n",
             r.wall_seconds, r.wall_seconds > 0 ? total / r.wall_seconds : 0.0, r.cpu_seconds,
             r.plan_seconds, r.scan_seconds, r.aggregate_seconds, r.write_seconds,
             r.peak_rss_bytes / 1048576.0, r.memory_limit_bytes / 1048576.0);
}

Status Run(const SummarizeFlags& f) {
  SummarizeRequest request = f.request;
  request.report_period_id = f.report_period_id;
  if (f.threads_opt->count()) request.threads = f.threads;
  if (f.max_days_opt->count()) request.max_days_in_flight = f.max_days_in_flight;
  if (f.batch_rows_opt->count()) request.batch_rows = f.batch_rows;
  if (f.connect_timeout_opt->count()) request.connect_timeout = f.connect_timeout;
  if (f.statement_timeout_opt->count()) request.statement_timeout = f.statement_timeout;
  if (f.lock_timeout_opt->count()) request.lock_timeout = f.lock_timeout;

  SummarizeHooks hooks;
  hooks.stop = &ProcessStopToken();
  hooks.allocator = GlibcAllocatorHooks();
  if (!f.quiet && (f.progress || isatty(STDERR_FILENO))) {
    hooks.on_progress = [](const SummarizeProgress& p) { PrintProgress(p); };
  }
  hooks.on_lock_wait = [](const std::string& message) {
    fmt::print(stderr, "ocpagg: {}\n", message);
  };
  ARROW_ASSIGN_OR_RAISE(auto run, SummarizeRun::Open(request, std::move(hooks)));
  PrintingSink printing(*run->sink());
  RowSink& rows = f.print ? static_cast<RowSink&>(printing) : *run->sink();
  ARROW_ASSIGN_OR_RAISE(SummarizeReport report, run->Run(rows));
  if (f.print) printing.Print(stdout);
  if (!f.report_file.empty()) ARROW_RETURN_NOT_OK(WriteRunReport(report, f.report_file));
  if (!f.quiet) {
    PrintReport(report, stdout);
    if (const FilesSink* files = run->files_sink()) {
      fmt::print("  files under {}\n", files->MonthDir());
    } else {
      fmt::print("  rows committed to PostgreSQL schema {}\n", request.schema);
    }
  }
  return Status::OK();
}

}  // namespace

void AddSummarizeCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<SummarizeFlags>();
  auto* cmd = app.add_subcommand(
      "summarize",
      "Build koku's reporting_ocpusagelineitem_daily_summary rows (pod, storage and unallocated) "
      "for one source and month from koku's Parquet layout");
  cmd->add_option(
         "--input", flags->request.input,
         "Directory or s3://bucket/prefix holding koku's data/parquet/... layout, e.g. ingest's "
         "--output; or a PostgreSQL URL (postgresql://...) whose --schema holds koku's on-prem "
         "line-item tables (ingest --postgres); the summary then goes to that database unless "
         "--postgres or --output says otherwise")
      ->required();
  cmd->add_option("--source", flags->request.source, "Source (provider) UUID of the data")
      ->required();
  cmd->add_option("--year", flags->request.year, "Year of the month to summarize (1-9999)")
      ->required()
      ->check(CLI::Range(1, 9999));
  cmd->add_option("--month", flags->request.month, "Month to summarize (1-12)")
      ->required()
      ->check(CLI::Range(1, 12));
  cmd->add_option("--start-date", flags->request.start_date,
                  "First day to summarize, YYYY-MM-DD (default: first day of the month; moved "
                  "forward to the first day with pod data, as koku does)");
  cmd->add_option("--end-date", flags->request.end_date,
                  "Last day to summarize, inclusive, YYYY-MM-DD (default: last day of the month)");
  cmd->add_option("--account", flags->request.account,
                  "Account folder under data/parquet (default: the only one present)");
  cmd->add_option("--cluster-id", flags->request.cluster_id, "Cluster id stamped on every row")
      ->required();
  cmd->add_option("--cluster-alias", flags->request.cluster_alias,
                  "Cluster alias stamped on every row");
  cmd->add_option("--compat", flags->request.compat,
                  "Whose semantics to reproduce where koku's two SQL versions differ: postgres "
                  "(koku's self-hosted SQL, default) or trino (koku SaaS)")
      ->check(CLI::IsMember({"postgres", "trino"}));
  cmd->add_option("--output", flags->request.output,
                  "Directory or s3://bucket/prefix for the summary files (when no --postgres is "
                  "given)");
  cmd->add_option("--postgres", flags->request.postgres,
                  "PostgreSQL to write to (libpq URL, e.g. postgresql://user@host/db); settings "
                  "(enabled keys, cost categories, node roles) then come from koku's tables");
  cmd->add_option("--schema", flags->request.schema,
                  "koku tenant schema with --postgres or --input postgresql://..., e.g. "
                  "org1234567");
  cmd->add_flag("--create-schema", flags->request.create_schema,
                "With --postgres: create the koku tables the run needs when missing (stand-alone "
                "install; koku's default cost categories included)");
  cmd->add_option("--format", flags->request.format,
                  "Summary file format: csv, parquet or both (default)")
      ->check(CLI::IsMember({"csv", "parquet", "both"}));
  cmd->add_option("--tables", flags->request.tables,
                  "all (default): also fill the tables koku's summary step fills besides the "
                  "daily summary (clusters, PVCs, projects, the UI summaries, the label summaries "
                  "and tag values), in the same transaction or file swap; daily: the daily "
                  "summary only")
      ->check(CLI::IsMember({"daily", "all"}));
  cmd->add_option("--enabled-keys", flags->request.enabled_keys,
                  "File of enabled tag keys, one per line (default: none enabled)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--cost-categories", flags->request.cost_categories,
                  "File of cost-category namespace patterns, lines 'ID,LIKE-PATTERN' (default: "
                  "koku's Platform patterns)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--report-period-id", flags->report_period_id,
                  "report_period_id written on every row (default: NULL)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--nodes-file", flags->request.nodes_file,
                  "YAML file keeping node roles between runs, like koku's reporting_ocp_nodes "
                  "(created if missing; default: roles from this run's data only)");
  cmd->add_option("--config", flags->request.config,
                  "YAML settings file (performance:, postgres:, s3: and summary: sections); "
                  "OCPAGG_* environment variables override it and flags override both")
      ->check(CLI::ExistingFile);
  flags->threads_opt =
      cmd->add_option("--threads", flags->threads,
                      fmt::format("Worker threads, 1-{} (default: every core)", kMaxThreads))
          ->check(CLI::Range(1, kMaxThreads));
  cmd->add_option("--mode", flags->request.mode,
                  "parallel (default: bounded memory, all cores), serial (bounded, one worker), "
                  "in-memory (everything at once, the baseline) or auto (serial for small inputs)")
      ->check(CLI::IsMember({"auto", "in-memory", "serial", "parallel"}));
  cmd->add_option("--memory-limit", flags->request.memory_limit,
                  "Memory budget, e.g. 256MB or 1GiB, in powers of 1024 (default: a quarter of "
                  "the machine or cgroup limit, at least 256MB)");
  flags->max_days_opt =
      cmd->add_option(
             "--max-days-in-flight", flags->max_days_in_flight,
             fmt::format("Days read at once, 1-{} (default: threads + 1)", kMaxDaysInFlight))
          ->check(CLI::Range(1, kMaxDaysInFlight));
  flags->batch_rows_opt =
      cmd->add_option("--batch-rows", flags->batch_rows,
                      "Rows per decoded Parquet batch, at most 1048576 (default: 16384, less "
                      "under small limits)")
          ->check(CLI::Range(int64_t{1}, kMaxBatchRows));
  cmd->add_flag("--no-spill", flags->request.no_spill,
                "Stop with exit code 5 when a day does not fit the memory limit, instead of "
                "spilling its partial groups to disk");
  cmd->add_option("--max-state-memory", flags->request.max_state_memory,
                  "Cap on the memory aggregation states may hold before days spill, e.g. 32MB "
                  "(default: what --memory-limit leaves after reading and writing)");
  cmd->add_option("--spill-dir", flags->request.spill_dir,
                  "Directory for spill files (default: $TMPDIR or /tmp); removed after the run");
  flags->connect_timeout_opt =
      cmd->add_option("--connect-timeout", flags->connect_timeout,
                      "With --postgres: seconds to wait for the server to answer when connecting "
                      "(default 10, or the URL's connect_timeout; 0: forever)")
          ->check(CLI::Range(0, kMaxTimeoutSeconds));
  flags->statement_timeout_opt =
      cmd->add_option("--statement-timeout", flags->statement_timeout,
                      "With --postgres: PostgreSQL statement_timeout for every statement of the "
                      "run, in seconds (default 0: none)")
          ->check(CLI::Range(0, kMaxTimeoutSeconds));
  flags->lock_timeout_opt =
      cmd->add_option("--lock-timeout", flags->lock_timeout,
                      "With --postgres: give up (exit 4, nothing changed) after waiting this many "
                      "seconds for a lock, such as another run of the same source (default 0: "
                      "wait)")
          ->check(CLI::Range(0, kMaxTimeoutSeconds));
  AddS3Options(*cmd, flags->request);
  cmd->add_option("--report", flags->report_file,
                  "Write a JSON run report (rows, time per phase, peak RSS, ...) to this file");
  cmd->add_flag("--progress", flags->progress, "Show progress on stderr even when not a terminal");
  cmd->add_flag("--print", flags->print,
                "Print the summary rows as a compact table (the first 200 rows)");
  cmd->add_flag("--quiet,-q", flags->quiet, "Print nothing on success");
  cmd->callback([flags, exit_code] {
    Status st = Run(*flags);
    *exit_code = st.ok() ? 0 : ReportError(st);
  });
}

}  // namespace ocpagg::cli
