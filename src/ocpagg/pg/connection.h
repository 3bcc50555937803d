#pragma once
// A libpq connection with errors as values. Every failure is a SinkError carrying the SQL
// state and server message (exit code 4): the database is a sink, whatever the statement.

#include <absl/functional/function_ref.h>
#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/common/stop_token.h"

namespace ocpagg::pg {

// Owns a PGresult.
class QueryResult {
 public:
  explicit QueryResult(PGresult* r) : r_(r, &PQclear) {}
  int rows() const { return PQntuples(r_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col); }
  std::string_view Get(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<size_t>(PQgetlength(r_.get(), row, col))};
  }
  std::optional<std::string> GetOptional(int row, int col) const {
    if (IsNull(row, col)) return std::nullopt;
    return std::string(Get(row, col));
  }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

// A query parameter: text, or NULL.
using Param = std::optional<std::string>;

// How long to wait for a server, and how to notice one that went away. Settings in the URL
// win over these defaults except where a field is set explicitly (std::optional engaged).
struct ConnectionOptions {
  // libpq's connect_timeout: a host that accepts TCP but never answers fails after this long.
  // Default 10 s unless the URL or PGCONNECT_TIMEOUT sets one; an explicit value wins over
  // both (0: wait forever).
  std::optional<int> connect_timeout_seconds;
  // PostgreSQL's statement_timeout and lock_timeout for the whole run (0 or unset: none).
  int statement_timeout_seconds = 0;
  int lock_timeout_seconds = 0;
  // TCP keepalives (probe after 30 s idle, every 10 s, 6 misses) and tcp_user_timeout (120 s of
  // unacknowledged data): a server or network that dies mid-run ends the run within minutes
  // instead of never. Ignored on unix sockets.
  bool keepalives = true;
  // Checked before every statement and every COPY chunk; a stop request also cancels the
  // statement running on the server (PQcancel). May be null; must outlive the connection.
  StopToken* stop = nullptr;
};

class Connection {
 public:
  // Connects with a libpq URL or keyword string ("postgresql:///db?host=/tmp").
  static Result<std::unique_ptr<Connection>> Open(const std::string& url,
                                                  const ConnectionOptions& options = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement (with $1.. parameters as text) and returns its rows.
  Result<QueryResult> Exec(const std::string& sql, const std::vector<Param>& params = {});
  // Runs statements without parameters (may hold several separated by ';').
  Status ExecScript(const std::string& sql);

  // COPY ... FROM STDIN: start, send data in chunks, finish.
  Status BeginCopy(const std::string& copy_sql);
  Status PutCopyData(std::string_view data);
  Status EndCopy();
  // COPY ... TO STDOUT: `on_data` gets the stream's bytes in the chunks the server sent (one
  // row each, in practice). An error from `on_data` ends the COPY early: the connection is
  // then unusable (the caller drops it).
  Status CopyOut(const std::string& copy_sql, absl::FunctionRef<Status(std::string_view)> on_data);

  // Quotes an identifier (schema, table) for SQL text.
  std::string QuoteIdentifier(std::string_view name) const;
  PGconn* raw() { return conn_; }

 private:
  explicit Connection(PGconn* c) : conn_(c) {}
  Status ErrorFrom(const PGresult* r, std::string_view what) const;
  PGconn* conn_;
  PGcancel* cancel_ = nullptr;  // for the stop token's interrupter
  StopToken* stop_ = nullptr;
  int interrupter_ = -1;
};

}  // namespace ocpagg::pg
