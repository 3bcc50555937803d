#include "ocpagg/pg/connection.h"

#include <fmt/format.h>

namespace ocpagg::pg {

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& url) {
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string message = PQerrorMessage(c);
    PQfinish(c);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    return SinkError("cannot connect to PostgreSQL ({}): check --postgres and that the server runs",
                     message);
  }
  // Numbers and dates as PostgreSQL prints them by default, whatever the server's settings.
  auto conn = std::unique_ptr<Connection>(new Connection(c));
  ARROW_RETURN_NOT_OK(conn->ExecScript(
      "SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; "
      "SET extra_float_digits = 3"));
  return conn;
}

Connection::~Connection() { PQfinish(conn_); }

Status Connection::ErrorFrom(const PGresult* r, std::string_view what) const {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return SinkError("PostgreSQL {} failed{}: {}", what,
                   state ? fmt::format(" (SQLSTATE {})", state) : std::string(), message);
}

Result<QueryResult> Connection::Exec(const std::string& sql, const std::vector<Param>& params) {
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
  PGresult* r = PQexec(conn_, sql.c_str());
  QueryResult holder(r);
  auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return ErrorFrom(r, fmt::format("statement '{}'", sql.substr(0, 60)));
  }
  return Status::OK();
}

Status Connection::BeginCopy(const std::string& copy_sql) {
  PGresult* r = PQexec(conn_, copy_sql.c_str());
  QueryResult holder(r);
  if (PQresultStatus(r) != PGRES_COPY_IN) return ErrorFrom(r, "COPY");
  return Status::OK();
}

Status Connection::PutCopyData(std::string_view data) {
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

std::string Connection::QuoteIdentifier(std::string_view name) const {
  char* q = PQescapeIdentifier(conn_, name.data(), name.size());
  std::string out = q ? q : "";
  PQfreemem(q);
  return out;
}

}  // namespace ocpagg::pg
