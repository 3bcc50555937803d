#pragma once
// Settings from a YAML file (`--config ocpagg.yaml`) and OCPAGG_* environment variables. The
// precedence is: command-line flags, then environment, then the file, then defaults.
//
//   performance:
//     threads: 2                      # OCPAGG_THREADS
//     memory_limit: 256MB             # OCPAGG_MEMORY_LIMIT
//     mode: parallel                  # OCPAGG_MODE: auto | in-memory | serial | parallel
//     streaming_threshold_rows: 2000000   # OCPAGG_STREAMING_THRESHOLD_ROWS
//     max_days_in_flight: 3           # OCPAGG_MAX_DAYS_IN_FLIGHT
//     batch_rows: 16384               # OCPAGG_BATCH_ROWS: rows per decoded batch (default: from
//                                     #   the memory limit)
//     spill: true                     # OCPAGG_SPILL: a day too large for the limit goes to disk
//                                     #   (false: stop with exit code 5 instead)
//     spill_dir: /var/tmp             # OCPAGG_SPILL_DIR (default: $TMPDIR or /tmp)
//     max_state_memory: 64MB          # OCPAGG_MAX_STATE_MEMORY: cap on aggregation state before
//                                     #   days spill (default: what memory_limit leaves)
//   postgres:
//     connect_timeout: 10             # OCPAGG_CONNECT_TIMEOUT, seconds (0: wait forever)
//     statement_timeout: 0            # OCPAGG_STATEMENT_TIMEOUT, seconds (0: none)
//     lock_timeout: 0                 # OCPAGG_LOCK_TIMEOUT, seconds (0: none)
//   s3:                               # for s3:// --input and --output (README "S3")
//     endpoint: http://minio:9000     # OCPAGG_S3_ENDPOINT
//     region: us-east-1               # OCPAGG_S3_REGION
//     access_key: KEY                 # OCPAGG_S3_ACCESS_KEY
//     secret_key: SECRET              # OCPAGG_S3_SECRET_KEY
//     addressing: path                # OCPAGG_S3_ADDRESSING: path | virtual
//     scheme: https                   # OCPAGG_S3_SCHEME: http | https
//   summary:
//     compat: postgres                # OCPAGG_COMPAT
//     enabled_keys: [app, team]       # used when no database is given
//     cost_categories:                # likewise; default koku's Platform patterns
//       - {id: 1, pattern: "openshift-%"}

#include <optional>
#include <string>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/common/storage.h"
#include "ocpagg/engine/summarize.h"
#include "ocpagg/koku/settings.h"

namespace ocpagg {

struct Config {
  std::optional<int> threads;
  std::optional<int64_t> memory_limit_bytes;
  std::optional<ExecutionMode> mode;
  std::optional<int64_t> streaming_threshold_rows;
  std::optional<int> max_days_in_flight;
  std::optional<int64_t> batch_rows;
  std::optional<bool> spill;
  std::optional<std::string> spill_dir;
  std::optional<int64_t> max_state_bytes;
  std::optional<int> connect_timeout_seconds;
  std::optional<int> statement_timeout_seconds;
  std::optional<int> lock_timeout_seconds;
  std::optional<Compat> compat;
  std::optional<std::vector<std::string>> enabled_keys;
  std::optional<std::vector<CostCategoryPattern>> cost_categories;
  S3Settings s3;
};

// "path" (true) or "virtual" (false): S3 addressing as --s3-addressing and the config say it.
Result<bool> ParseS3Addressing(std::string_view text, std::string_view what);

// Reads a config file; unknown keys are errors (a typo must not pass silently).
Result<Config> LoadConfigFile(const std::string& path);
// Overrides `config` with the OCPAGG_* variables that are set.
Status ApplyEnvironment(Config& config);
// Fills `perf` from the settings present in `config`.
void ApplyPerformance(const Config& config, PerformanceOptions& perf);

// Bounds of the PostgreSQL timeouts, in seconds.
inline constexpr int kMaxTimeoutSeconds = 7 * 24 * 3600;

}  // namespace ocpagg
