#include "ocpagg/pg/connection.h"

#include <fmt/format.h>

#include <cstdlib>
#include <utility>
#include <vector>

namespace ocpagg::pg {

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& url,
                                                     const ConnectionOptions& options) {
  ARROW_RETURN_NOT_OK(CheckStop(options.stop));
  // libpq keeps the last value of a repeated keyword: defaults go before the URL (which may
  // override them), explicit settings after it.
  std::vector<std::pair<std::string, std::string>> params;
  if (!std::getenv("PGCONNECT_TIMEOUT")) params.emplace_back("connect_timeout", "10");
  if (options.keepalives) {
    params.insert(params.end(), {{"keepalives", "1"},
                                 {"keepalives_idle", "30"},
                                 {"keepalives_interval", "10"},
                                 {"keepalives_count", "6"},
                                 {"tcp_user_timeout", "120000"}});
  }
  params.emplace_back("dbname", url);
  if (options.connect_timeout_seconds) {
    params.emplace_back("connect_timeout", std::to_string(*options.connect_timeout_seconds));
  }
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : params) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* c = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (PQstatus(c) != CONNECTION_OK) {
    std::string message = PQerrorMessage(c);
    PQfinish(c);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    return SinkError(
        "cannot connect to PostgreSQL ({}): check --postgres, that the server runs and answers "
        "(--connect-timeout)",
        message);
  }
  auto conn = std::unique_ptr<Connection>(new Connection(c));
  conn->stop_ = options.stop;
  conn->cancel_ = PQgetCancel(c);
  if (options.stop && conn->cancel_) {
    PGcancel* cancel = conn->cancel_;
    conn->interrupter_ = options.stop->AddInterrupter([cancel] {
      char err[256];
      PQcancel(cancel, err, sizeof(err));  // best effort: the run stops either way
    });
  }
  // Numbers and dates as PostgreSQL prints them by default, whatever the server's settings.
  ARROW_RETURN_NOT_OK(conn->ExecScript(fmt::format(
      "SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; "
      "SET extra_float_digits = 3; SET statement_timeout = '{}s'; SET lock_timeout = '{}s'",
      options.statement_timeout_seconds, options.lock_timeout_seconds)));
  return conn;
}

Connection::~Connection() {
  if (interrupter_ >= 0) stop_->RemoveInterrupter(interrupter_);
  if (cancel_) PQfreeCancel(cancel_);
  PQfinish(conn_);
}

Status Connection::ErrorFrom(const PGresult* r, std::string_view what) const {
  // A statement cancelled because the run is stopping: say why, not what the server said.
  ARROW_RETURN_NOT_OK(CheckStop(stop_));
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return SinkError("PostgreSQL {} failed{}: {}", what,
                   state ? fmt::format(" (SQLSTATE {})", state) : std::string(), message);
}

Result<QueryResult> Connection::Exec(const std::string& sql, const std::vector<Param>& params) {
  ARROW_RETURN_NOT_OK(CheckStop(stop_));
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  PGresult* r = PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                             values.data(), nullptr, nullptr, 0);
  QueryResult result(r);
  auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return ErrorFrom(r, fmt::format("statement '{}'", sql.substr(0, 60)));
  }
  return result;
}

Status Connection::ExecScript(const std::string& sql) {
  ARROW_RETURN_NOT_OK(CheckStop(stop_));
  PGresult* r = PQexec(conn_, sql.c_str());
  QueryResult holder(r);
  auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return ErrorFrom(r, fmt::format("statement '{}'", sql.substr(0, 60)));
  }
  return Status::OK();
}

Status Connection::BeginCopy(const std::string& copy_sql) {
  ARROW_RETURN_NOT_OK(CheckStop(stop_));
  PGresult* r = PQexec(conn_, copy_sql.c_str());
  QueryResult holder(r);
  if (PQresultStatus(r) != PGRES_COPY_IN) return ErrorFrom(r, "COPY");
  return Status::OK();
}

Status Connection::PutCopyData(std::string_view data) {
  ARROW_RETURN_NOT_OK(CheckStop(stop_));
  if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1) {
    return ErrorFrom(nullptr, "COPY data");
  }
  return Status::OK();
}

Status Connection::EndCopy() {
  if (PQputCopyEnd(conn_, nullptr) != 1) return ErrorFrom(nullptr, "COPY end");
  Status st;
  while (PGresult* r = PQgetResult(conn_)) {
    QueryResult holder(r);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && st.ok()) st = ErrorFrom(r, "COPY");
  }
  return st;
}

Status Connection::CopyOut(const std::string& copy_sql,
                           absl::FunctionRef<Status(std::string_view)> on_data) {
  ARROW_RETURN_NOT_OK(CheckStop(stop_));
  {
    PGresult* r = PQexec(conn_, copy_sql.c_str());
    QueryResult holder(r);
    if (PQresultStatus(r) != PGRES_COPY_OUT) return ErrorFrom(r, "COPY");
  }
  for (;;) {
    char* buffer = nullptr;
    const int n = PQgetCopyData(conn_, &buffer, /*async=*/0);
    if (n == -1) break;
    if (n < 0) return ErrorFrom(nullptr, "COPY");
    Status st = on_data(std::string_view(buffer, static_cast<size_t>(n)));
    PQfreemem(buffer);
    ARROW_RETURN_NOT_OK(st);
  }
  Status st;
  while (PGresult* r = PQgetResult(conn_)) {
    QueryResult holder(r);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && st.ok()) st = ErrorFrom(r, "COPY");
  }
  return st;
}

std::string Connection::QuoteIdentifier(std::string_view name) const {
  char* q = PQescapeIdentifier(conn_, name.data(), name.size());
  std::string out = q ? q : "";
  PQfreemem(q);
  return out;
}

}  // namespace ocpagg::pg
