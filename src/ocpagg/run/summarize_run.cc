#include "ocpagg/run/summarize_run.h"

#include <limits>

#include "ocpagg/engine/config.h"
#include "ocpagg/engine/memory_monitor.h"
#include "ocpagg/sinks/files_sink.h"
#include "ocpagg/sinks/postgres_sink.h"
#include "ocpagg/state/files_state.h"
#include "ocpagg/state/postgres_state.h"

namespace ocpagg {
namespace {

Result<std::optional<Date>> OptionalDate(const std::string& text, std::string_view flag) {
  if (text.empty()) return std::nullopt;
  auto d = ParseDate(text);
  if (!d) return UsageError("{} expects YYYY-MM-DD, got '{}'", flag, text);
  return d;
}

// The checks the command's parser makes before a request exists; an embedding program's request
// meets them here, with messages that name the option.
Status CheckRange(const std::optional<int64_t>& value, int64_t lo, int64_t hi,
                  std::string_view flag) {
  if (value && (*value < lo || *value > hi)) {
    return UsageError("{} must be {}..{}, got {}", flag, lo, hi, *value);
  }
  return Status::OK();
}

template <typename T>
std::optional<int64_t> Widen(const std::optional<T>& v) {
  return v ? std::optional<int64_t>(*v) : std::nullopt;
}

Status CheckRequest(const SummarizeRequest& r) {
  ARROW_RETURN_NOT_OK(CheckRange(r.month, 1, 12, "--month"));
  ARROW_RETURN_NOT_OK(CheckRange(Widen(r.threads), 1, kMaxThreads, "--threads"));
  ARROW_RETURN_NOT_OK(
      CheckRange(Widen(r.max_days_in_flight), 1, kMaxDaysInFlight, "--max-days-in-flight"));
  ARROW_RETURN_NOT_OK(CheckRange(r.batch_rows, 1, kMaxBatchRows, "--batch-rows"));
  ARROW_RETURN_NOT_OK(
      CheckRange(r.report_period_id, 0, std::numeric_limits<int32_t>::max(), "--report-period-id"));
  ARROW_RETURN_NOT_OK(
      CheckRange(Widen(r.connect_timeout), 0, kMaxTimeoutSeconds, "--connect-timeout"));
  ARROW_RETURN_NOT_OK(
      CheckRange(Widen(r.statement_timeout), 0, kMaxTimeoutSeconds, "--statement-timeout"));
  ARROW_RETURN_NOT_OK(CheckRange(Widen(r.lock_timeout), 0, kMaxTimeoutSeconds, "--lock-timeout"));
  if (!r.compat.empty() && r.compat != "postgres" && r.compat != "trino") {
    return UsageError("--compat must be postgres or trino, got '{}'", r.compat);
  }
  if (!r.format.empty() && r.format != "csv" && r.format != "parquet" && r.format != "both") {
    return UsageError("--format must be csv, parquet or both, got '{}'", r.format);
  }
  if (!r.tables.empty() && r.tables != "all" && r.tables != "daily") {
    return UsageError("--tables must be all or daily, got '{}'", r.tables);
  }
  if (!r.mode.empty() && !ParseExecutionMode(r.mode)) {
    return UsageError("--mode must be auto, in-memory, serial or parallel, got '{}'", r.mode);
  }
  return Status::OK();
}

}  // namespace

SummarizeRun::~SummarizeRun() = default;

Result<std::unique_ptr<SummarizeRun>> SummarizeRun::Open(const SummarizeRequest& request,
                                                         SummarizeHooks hooks,
                                                         RowDestination destination) {
  const SummarizeRequest& r = request;
  ARROW_RETURN_NOT_OK(CheckRequest(r));
  Config config;
  if (!r.config.empty()) {
    ARROW_ASSIGN_OR_RAISE(config, LoadConfigFile(r.config));
  }
  ARROW_RETURN_NOT_OK(ApplyEnvironment(config));

  std::unique_ptr<SummarizeRun> run(new SummarizeRun());
  SummarizeOptions& options = run->options_;
  options.stop = hooks.stop;
  options.input.root = r.input;
  ARROW_ASSIGN_OR_RAISE(options.input.s3, S3SettingsFor(r, config));
  options.input.account = r.account;
  options.input.source_uuid = r.source;
  options.input.year = r.year;
  options.input.month = static_cast<unsigned>(r.month);
  ARROW_ASSIGN_OR_RAISE(options.start_date, OptionalDate(r.start_date, "--start-date"));
  ARROW_ASSIGN_OR_RAISE(options.end_date, OptionalDate(r.end_date, "--end-date"));
  options.cluster_id = r.cluster_id;
  if (!r.cluster_alias.empty()) options.cluster_alias = r.cluster_alias;
  options.compat = config.compat.value_or(Compat::kPostgres);
  if (!r.compat.empty()) options.compat = r.compat == "trino" ? Compat::kTrino : Compat::kPostgres;

  PerformanceOptions& perf = options.performance;
  ApplyPerformance(config, perf);
  perf.allocator = std::move(hooks.allocator);
  if (r.threads) perf.threads = *r.threads;
  if (!r.mode.empty()) perf.mode = *ParseExecutionMode(r.mode);
  if (!r.memory_limit.empty()) {
    ARROW_ASSIGN_OR_RAISE(perf.memory_limit_bytes, ParseByteSize(r.memory_limit, "--memory-limit"));
  }
  if (r.max_days_in_flight) perf.max_days_in_flight = *r.max_days_in_flight;
  if (r.batch_rows) perf.batch_rows = *r.batch_rows;
  if (r.no_spill) perf.spill = false;
  if (!r.spill_dir.empty()) perf.spill_dir = r.spill_dir;
  if (!r.max_state_memory.empty()) {
    ARROW_ASSIGN_OR_RAISE(perf.max_state_bytes,
                          ParseByteSize(r.max_state_memory, "--max-state-memory"));
  }
  options.on_progress = std::move(hooks.on_progress);

  pg::ConnectionOptions connection;
  connection.connect_timeout_seconds = config.connect_timeout_seconds;
  if (r.connect_timeout) connection.connect_timeout_seconds = *r.connect_timeout;
  connection.statement_timeout_seconds =
      r.statement_timeout.value_or(config.statement_timeout_seconds.value_or(0));
  connection.lock_timeout_seconds =
      r.lock_timeout.value_or(config.lock_timeout_seconds.value_or(0));
  connection.stop = options.stop;
  // koku's on-prem tables as input: the summary goes to the same database unless told otherwise.
  std::string postgres = r.postgres;
  if (IsPostgresUrl(r.input)) {
    if (r.schema.empty()) {
      return UsageError("--input postgresql://... needs --schema (the koku tenant schema)");
    }
    if (!r.account.empty()) return UsageError("--account has no use with --input postgresql://");
    options.input_schema = r.schema;
    options.input_connection = connection;
    if (postgres.empty() && r.output.empty() && destination == RowDestination::kRequested) {
      postgres = r.input;
    }
  }
  if (destination == RowDestination::kRequested) {
    if (postgres.empty() == r.output.empty()) {
      return UsageError("give either --postgres URL (with --schema) or --output DIR");
    }
  } else if (!r.output.empty()) {
    return UsageError("--output has no use when the rows go to the caller");
  }
  if (!postgres.empty()) {
    pg::KokuSessionOptions pg;
    pg.url = postgres;
    pg.schema = r.schema;
    pg.create_schema = r.create_schema;
    pg.source_uuid = r.source;
    pg.connection = connection;
    pg.on_lock_wait = std::move(hooks.on_lock_wait);
    ARROW_ASSIGN_OR_RAISE(auto session, pg::KokuSession::Open(std::move(pg)));
    run->lock_wait_seconds_ = session->lock_wait_seconds();
    run->state_ = std::make_unique<PostgresState>(
        session, PostgresStateOptions{r.source, r.cluster_id, options.cluster_alias});
    if (destination == RowDestination::kRequested) {
      run->sink_ = std::make_unique<PostgresSink>(session, options.compat, r.tables != "daily");
    }
    return run;
  }
  FilesStateOptions files;
  files.report_period_id = static_cast<int32_t>(r.report_period_id);
  files.cluster_id = r.cluster_id;
  files.nodes_state_file = r.nodes_file;
  if (config.enabled_keys) files.enabled_keys = *config.enabled_keys;
  if (r.enabled_key_list) {
    files.enabled_keys = *r.enabled_key_list;
  } else if (!r.enabled_keys.empty()) {
    ARROW_ASSIGN_OR_RAISE(files.enabled_keys, ReadEnabledKeysFile(r.enabled_keys));
  }
  if (config.cost_categories) files.cost_categories = *config.cost_categories;
  if (r.cost_category_list) {
    files.cost_categories = *r.cost_category_list;
  } else if (!r.cost_categories.empty()) {
    ARROW_ASSIGN_OR_RAISE(files.cost_categories, ReadCostCategoriesFile(r.cost_categories));
  }
  run->state_ = std::make_unique<FilesState>(std::move(files));
  if (destination == RowDestination::kRequested) {
    FilesSinkOptions out;
    const std::string format = r.format.empty() ? "both" : r.format;
    out.output_dir = r.output;
    out.s3 = options.input.s3;
    out.write_csv = format == "csv" || format == "both";
    out.write_parquet = format == "parquet" || format == "both";
    out.write_tables = r.tables != "daily";
    auto sink = std::make_unique<FilesSink>(std::move(out));
    run->files_sink_ = sink.get();
    run->sink_ = std::move(sink);
  }
  return run;
}

Result<SummarizeReport> SummarizeRun::Run(RowSink& rows) {
  if (ran_) return InternalError("SummarizeRun::Run called twice");
  ran_ = true;
  ARROW_ASSIGN_OR_RAISE(SummarizeReport report, Summarize(options_, *state_, rows));
  report.lock_wait_seconds = lock_wait_seconds_;
  return report;
}

}  // namespace ocpagg
