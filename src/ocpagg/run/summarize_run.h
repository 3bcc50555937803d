#pragma once
// A summary run as a program asks for it: the options by the names the `ocpagg summarize` flags
// and the Python keyword arguments give them (--cluster-id: cluster_id), mapped once, here, to
// the engine's SummarizeOptions, a koku state and a row sink. The command (src/cli) and the
// Python module (src/python) both run summaries through this, so that a setting means the same
// thing, with the same precedence (option, then OCPAGG_* environment, then the --config file)
// and the same messages, whichever way it came in.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/common/stop_token.h"
#include "ocpagg/engine/allocator_hooks.h"
#include "ocpagg/engine/summarize.h"

namespace ocpagg {

class FilesSink;

// The named options of `ocpagg summarize`. An empty string or optional is an option not given.
struct SummarizeRequest {
  std::string input;
  std::string source;
  int year = 0;
  int month = 0;
  std::string start_date, end_date;  // YYYY-MM-DD
  std::string account;
  std::string cluster_id, cluster_alias;
  std::string compat;  // postgres | trino
  // Where rows go: PostgreSQL (settings from koku's tables) or files.
  std::string output;
  std::string postgres, schema;
  bool create_schema = false;
  std::string format;  // csv | parquet | both (the default)
  std::string tables;  // all (the default) | daily
  // Settings without a database: files, or the values themselves (an embedding program's
  // lists; they win over the files).
  std::string enabled_keys;     // --enabled-keys FILE
  std::string cost_categories;  // --cost-categories FILE
  std::optional<std::vector<std::string>> enabled_key_list;
  std::optional<std::vector<CostCategoryPattern>> cost_category_list;
  int64_t report_period_id = 0;
  std::string nodes_file;
  std::string config;  // --config FILE
  // Performance.
  std::optional<int> threads;
  std::string mode;
  std::string memory_limit;  // "256MB"
  std::optional<int> max_days_in_flight;
  std::optional<int64_t> batch_rows;
  bool no_spill = false;
  std::string spill_dir;
  std::string max_state_memory;
  // PostgreSQL timeouts, seconds.
  std::optional<int> connect_timeout, statement_timeout, lock_timeout;
};

// What the calling program supplies to a run: none of it is required.
struct SummarizeHooks {
  StopToken* stop = nullptr;  // must outlive the run
  AllocatorHooks allocator;   // process-wide allocator actions, the program's to choose
  std::function<void(const SummarizeProgress&)> on_progress;
  std::function<void(const std::string&)> on_lock_wait;  // waiting for another run of the source
};

// Where the run's rows go.
enum class RowDestination {
  kRequested,  // the request's --postgres or --output (exactly one of them)
  kCaller,     // a sink of the caller's; --postgres, if given, holds koku's state only
};

class SummarizeRun {
 public:
  // Maps the request to the engine's options (usage errors name the option), then opens koku's
  // state and, for kRequested, the sink: the PostgreSQL session (connection, transaction, the
  // source's lock) or the files settings.
  static Result<std::unique_ptr<SummarizeRun>> Open(
      const SummarizeRequest& request, SummarizeHooks hooks,
      RowDestination destination = RowDestination::kRequested);
  ~SummarizeRun();
  SummarizeRun(const SummarizeRun&) = delete;
  SummarizeRun& operator=(const SummarizeRun&) = delete;

  const SummarizeOptions& options() const { return options_; }
  // The request's sink (null for kCaller).
  RowSink* sink() { return sink_.get(); }
  // The files sink when rows go to files, else null.
  const FilesSink* files_sink() const { return files_sink_; }

  // Runs the summary, rows to `rows` (the request's sink, a sink wrapping it, or the caller's),
  // and commits. Once per run.
  Result<SummarizeReport> Run(RowSink& rows);

 private:
  SummarizeRun() = default;

  SummarizeOptions options_;
  std::unique_ptr<KokuState> state_;
  std::unique_ptr<RowSink> sink_;
  FilesSink* files_sink_ = nullptr;
  double lock_wait_seconds_ = 0;
  bool ran_ = false;
};

}  // namespace ocpagg
