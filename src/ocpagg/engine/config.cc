#include "ocpagg/engine/config.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdlib>
#include <set>

#include "ocpagg/engine/memory_monitor.h"

namespace ocpagg {
namespace {

Result<int64_t> ParseInt(std::string_view text, std::string_view what) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < 0) {
    return UsageError("{} expects a non-negative integer, got '{}'", what, text);
  }
  return v;
}

Result<int64_t> ParseSeconds(std::string_view text, std::string_view what) {
  ARROW_ASSIGN_OR_RAISE(int64_t v, ParseInt(text, what));
  if (v > kMaxTimeoutSeconds) {
    return UsageError("{} must be 0..{} seconds, got {}", what, kMaxTimeoutSeconds, v);
  }
  return v;
}

Result<bool> ParseBool(std::string_view text, std::string_view what) {
  if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
  if (text == "0" || text == "false" || text == "no" || text == "off") return false;
  return UsageError("{} must be true or false, got '{}'", what, text);
}

Result<ExecutionMode> ParseMode(std::string_view text, std::string_view what) {
  auto m = ParseExecutionMode(text);
  if (!m) return UsageError("{} must be auto, in-memory, serial or parallel, got '{}'", what, text);
  return *m;
}

Result<Compat> ParseCompat(std::string_view text, std::string_view what) {
  if (text == "postgres") return Compat::kPostgres;
  if (text == "trino") return Compat::kTrino;
  return UsageError("{} must be postgres or trino, got '{}'", what, text);
}

Status CheckKeys(const YAML::Node& node, const std::set<std::string>& known,
                 const std::string& where) {
  for (const auto& kv : node) {
    auto key = kv.first.as<std::string>();
    if (!known.count(key)) return UsageError("{}: unknown setting '{}'", where, key);
  }
  return Status::OK();
}

}  // namespace

Result<Config> LoadConfigFile(const std::string& path) {
  Config c;
  try {
    YAML::Node root = YAML::LoadFile(path);
    if (!root || root.IsNull()) return c;
    ARROW_RETURN_NOT_OK(CheckKeys(root, {"performance", "postgres", "s3", "summary"}, path));
    if (auto s3 = root["s3"]) {
      const std::string where = path + ": s3";
      ARROW_RETURN_NOT_OK(CheckKeys(
          s3, {"endpoint", "region", "access_key", "secret_key", "addressing", "scheme"}, where));
      for (auto [key, out] :
           {std::pair{"endpoint", &c.s3.endpoint}, std::pair{"region", &c.s3.region},
            std::pair{"access_key", &c.s3.access_key}, std::pair{"secret_key", &c.s3.secret_key},
            std::pair{"scheme", &c.s3.scheme}}) {
        if (s3[key]) *out = s3[key].as<std::string>();
      }
      if (s3["addressing"]) {
        ARROW_ASSIGN_OR_RAISE(c.s3.path_style, ParseS3Addressing(s3["addressing"].as<std::string>(),
                                                                 where + ".addressing"));
      }
    }
    if (auto pg = root["postgres"]) {
      const std::string where = path + ": postgres";
      ARROW_RETURN_NOT_OK(
          CheckKeys(pg, {"connect_timeout", "statement_timeout", "lock_timeout"}, where));
      auto seconds = [&](const char* key, std::optional<int>& out) -> Status {
        if (!pg[key]) return Status::OK();
        ARROW_ASSIGN_OR_RAISE(int64_t v,
                              ParseSeconds(pg[key].as<std::string>(), where + "." + key));
        out = static_cast<int>(v);
        return Status::OK();
      };
      ARROW_RETURN_NOT_OK(seconds("connect_timeout", c.connect_timeout_seconds));
      ARROW_RETURN_NOT_OK(seconds("statement_timeout", c.statement_timeout_seconds));
      ARROW_RETURN_NOT_OK(seconds("lock_timeout", c.lock_timeout_seconds));
    }
    if (auto perf = root["performance"]) {
      const std::string where = path + ": performance";
      ARROW_RETURN_NOT_OK(
          CheckKeys(perf,
                    {"threads", "memory_limit", "mode", "streaming_threshold_rows",
                     "max_days_in_flight", "batch_rows", "spill", "spill_dir", "max_state_memory"},
                    where));
      if (perf["threads"]) c.threads = perf["threads"].as<int>();
      if (perf["memory_limit"]) {
        ARROW_ASSIGN_OR_RAISE(
            c.memory_limit_bytes,
            ParseByteSize(perf["memory_limit"].as<std::string>(), where + ".memory_limit"));
      }
      if (perf["mode"]) {
        ARROW_ASSIGN_OR_RAISE(c.mode, ParseMode(perf["mode"].as<std::string>(), where + ".mode"));
      }
      if (perf["streaming_threshold_rows"]) {
        c.streaming_threshold_rows = perf["streaming_threshold_rows"].as<int64_t>();
      }
      if (perf["max_days_in_flight"]) c.max_days_in_flight = perf["max_days_in_flight"].as<int>();
      if (perf["batch_rows"]) c.batch_rows = perf["batch_rows"].as<int64_t>();
      if (perf["spill"]) c.spill = perf["spill"].as<bool>();
      if (perf["spill_dir"]) c.spill_dir = perf["spill_dir"].as<std::string>();
      if (perf["max_state_memory"]) {
        ARROW_ASSIGN_OR_RAISE(
            c.max_state_bytes,
            ParseByteSize(perf["max_state_memory"].as<std::string>(), where + ".max_state_memory"));
      }
    }
    if (auto summary = root["summary"]) {
      const std::string where = path + ": summary";
      ARROW_RETURN_NOT_OK(CheckKeys(summary, {"compat", "enabled_keys", "cost_categories"}, where));
      if (summary["compat"]) {
        ARROW_ASSIGN_OR_RAISE(c.compat,
                              ParseCompat(summary["compat"].as<std::string>(), where + ".compat"));
      }
      if (summary["enabled_keys"]) {
        c.enabled_keys = summary["enabled_keys"].as<std::vector<std::string>>();
      }
      if (summary["cost_categories"]) {
        std::vector<CostCategoryPattern> cats;
        for (const auto& item : summary["cost_categories"]) {
          cats.push_back({item["pattern"].as<std::string>(), item["id"].as<int32_t>()});
        }
        c.cost_categories = std::move(cats);
      }
    }
  } catch (const YAML::Exception& e) {
    return UsageError("{}: {}", path, e.what());
  }
  return c;
}

Status ApplyEnvironment(Config& c) {
  auto env = [](const char* name) -> std::optional<std::string_view> {
    const char* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    return std::string_view(v);
  };
  if (auto v = env("OCPAGG_THREADS")) {
    ARROW_ASSIGN_OR_RAISE(int64_t n, ParseInt(*v, "OCPAGG_THREADS"));
    c.threads = static_cast<int>(n);
  }
  if (auto v = env("OCPAGG_MEMORY_LIMIT")) {
    ARROW_ASSIGN_OR_RAISE(c.memory_limit_bytes, ParseByteSize(*v, "OCPAGG_MEMORY_LIMIT"));
  }
  if (auto v = env("OCPAGG_MODE")) {
    ARROW_ASSIGN_OR_RAISE(c.mode, ParseMode(*v, "OCPAGG_MODE"));
  }
  if (auto v = env("OCPAGG_STREAMING_THRESHOLD_ROWS")) {
    ARROW_ASSIGN_OR_RAISE(c.streaming_threshold_rows,
                          ParseInt(*v, "OCPAGG_STREAMING_THRESHOLD_ROWS"));
  }
  if (auto v = env("OCPAGG_MAX_DAYS_IN_FLIGHT")) {
    ARROW_ASSIGN_OR_RAISE(int64_t n, ParseInt(*v, "OCPAGG_MAX_DAYS_IN_FLIGHT"));
    c.max_days_in_flight = static_cast<int>(n);
  }
  if (auto v = env("OCPAGG_BATCH_ROWS")) {
    ARROW_ASSIGN_OR_RAISE(c.batch_rows, ParseInt(*v, "OCPAGG_BATCH_ROWS"));
  }
  if (auto v = env("OCPAGG_SPILL")) {
    ARROW_ASSIGN_OR_RAISE(c.spill, ParseBool(*v, "OCPAGG_SPILL"));
  }
  if (auto v = env("OCPAGG_SPILL_DIR")) c.spill_dir = std::string(*v);
  if (auto v = env("OCPAGG_MAX_STATE_MEMORY")) {
    ARROW_ASSIGN_OR_RAISE(c.max_state_bytes, ParseByteSize(*v, "OCPAGG_MAX_STATE_MEMORY"));
  }
  for (auto [name, out] : {std::pair{"OCPAGG_CONNECT_TIMEOUT", &c.connect_timeout_seconds},
                           std::pair{"OCPAGG_STATEMENT_TIMEOUT", &c.statement_timeout_seconds},
                           std::pair{"OCPAGG_LOCK_TIMEOUT", &c.lock_timeout_seconds}}) {
    if (auto v = env(name)) {
      ARROW_ASSIGN_OR_RAISE(int64_t seconds, ParseSeconds(*v, name));
      *out = static_cast<int>(seconds);
    }
  }
  for (auto [name, out] : {std::pair{"OCPAGG_S3_ENDPOINT", &c.s3.endpoint},
                           std::pair{"OCPAGG_S3_REGION", &c.s3.region},
                           std::pair{"OCPAGG_S3_ACCESS_KEY", &c.s3.access_key},
                           std::pair{"OCPAGG_S3_SECRET_KEY", &c.s3.secret_key},
                           std::pair{"OCPAGG_S3_SCHEME", &c.s3.scheme}}) {
    if (auto v = env(name)) *out = std::string(*v);
  }
  if (auto v = env("OCPAGG_S3_ADDRESSING")) {
    ARROW_ASSIGN_OR_RAISE(c.s3.path_style, ParseS3Addressing(*v, "OCPAGG_S3_ADDRESSING"));
  }
  if (auto v = env("OCPAGG_COMPAT")) {
    ARROW_ASSIGN_OR_RAISE(c.compat, ParseCompat(*v, "OCPAGG_COMPAT"));
  }
  return Status::OK();
}

Result<bool> ParseS3Addressing(std::string_view text, std::string_view what) {
  if (text == "path") return true;
  if (text == "virtual") return false;
  return UsageError("{} must be path or virtual, got '{}'", what, text);
}

void ApplyPerformance(const Config& c, PerformanceOptions& perf) {
  if (c.threads) perf.threads = *c.threads;
  if (c.memory_limit_bytes) perf.memory_limit_bytes = *c.memory_limit_bytes;
  if (c.mode) perf.mode = *c.mode;
  if (c.streaming_threshold_rows) perf.streaming_threshold_rows = *c.streaming_threshold_rows;
  if (c.max_days_in_flight) perf.max_days_in_flight = *c.max_days_in_flight;
  if (c.batch_rows) perf.batch_rows = *c.batch_rows;
  if (c.spill) perf.spill = *c.spill;
  if (c.spill_dir) perf.spill_dir = *c.spill_dir;
  if (c.max_state_bytes) perf.max_state_bytes = *c.max_state_bytes;
}

}  // namespace ocpagg
