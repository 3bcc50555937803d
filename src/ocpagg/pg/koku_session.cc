#include "ocpagg/pg/koku_session.h"

#include <fmt/format.h>

#include <chrono>

#include "ocpagg/pg/koku_schema.h"

namespace ocpagg::pg {

std::string SourceLockKey(std::string_view schema, std::string_view source_uuid) {
  return fmt::format("ocpagg summarize {} {}", schema, source_uuid);
}

Result<std::shared_ptr<KokuSession>> KokuSession::Open(KokuSessionOptions options) {
  if (options.schema.empty()) return UsageError("--schema is required with --postgres");
  std::shared_ptr<KokuSession> s(new KokuSession(std::move(options)));
  ARROW_ASSIGN_OR_RAISE(s->conn_, Connection::Open(s->options_.url, s->options_.connection));
  s->schema_sql_ = s->conn_->QuoteIdentifier(s->options_.schema);
  ARROW_RETURN_NOT_OK(s->conn_->ExecScript("BEGIN"));
  ARROW_RETURN_NOT_OK(s->LockSource());
  if (s->options_.create_schema) {
    ARROW_RETURN_NOT_OK(CreateKokuSchema(*s->conn_, s->options_.schema));
  }
  ARROW_ASSIGN_OR_RAISE(
      auto exists, s->conn_->Exec("SELECT 1 FROM information_schema.tables WHERE table_schema = "
                                  "$1 AND table_name = 'reporting_ocpusagelineitem_daily_summary'",
                                  {s->options_.schema}));
  if (exists.rows() == 0) {
    return UsageError(
        "schema {} has no reporting_ocpusagelineitem_daily_summary table: point --schema at a "
        "koku tenant schema, or add --create-schema for a stand-alone install",
        s->options_.schema);
  }
  return s;
}

KokuSession::~KokuSession() = default;

// Two runs for the same source serialize here. A run that has to wait says so, and the lock
// timeout bounds the wait.
Status KokuSession::LockSource() {
  const std::string key = SourceLockKey(options_.schema, options_.source_uuid);
  ARROW_ASSIGN_OR_RAISE(
      auto got, conn_->Exec("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))", {key}));
  if (got.rows() == 1 && got.Get(0, 0) == "t") return Status::OK();
  const int timeout = options_.connection.lock_timeout_seconds;
  if (options_.on_lock_wait) {
    options_.on_lock_wait(fmt::format(
        "another run of source {} in schema {} is writing; waiting for it to finish ({})",
        options_.source_uuid, options_.schema,
        timeout > 0 ? fmt::format("at most {} s, --lock-timeout", timeout)
                    : std::string("no limit: --lock-timeout sets one")));
  }
  const auto t0 = std::chrono::steady_clock::now();
  Status st = conn_->Exec("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", {key}).status();
  lock_wait_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!st.ok() && st.message().find("SQLSTATE 55P03") != std::string::npos) {
    return SinkError(
        "another run of source {} in schema {} held its lock for longer than --lock-timeout {} "
        "s; nothing was changed",
        options_.source_uuid, options_.schema, timeout);
  }
  return st;
}

std::string KokuSession::Table(std::string_view name) const {
  return fmt::format("{}.{}", schema_sql_, name);
}

Status KokuSession::Commit() {
  if (committed_) return Status::OK();
  ARROW_RETURN_NOT_OK(conn_->ExecScript("COMMIT"));
  committed_ = true;
  return Status::OK();
}

}  // namespace ocpagg::pg
