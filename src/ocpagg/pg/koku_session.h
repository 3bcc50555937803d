#pragma once
// One summary run's hold on a koku tenant schema: a connection, one transaction, and an
// advisory lock per (schema, source) that serializes concurrent runs of the same source (it
// ends with the transaction). The koku state (state/postgres_state.h) and the row sink
// (sinks/postgres_sink.h) share a session, so that node rows, the report period and the summary
// rows commit together, or not at all: a failure or a killed process leaves the schema as it
// was.

#include <charconv>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "ocpagg/common/status.h"
#include "ocpagg/pg/connection.h"

namespace ocpagg::pg {

struct KokuSessionOptions {
  std::string url;     // libpq URL or keyword string
  std::string schema;  // koku tenant schema, e.g. org1234567
  bool create_schema = false;
  std::string source_uuid;  // the source whose runs the lock serializes
  ConnectionOptions connection;
  // Told (once) when another run of the same source holds the lock and this one waits.
  std::function<void(const std::string&)> on_lock_wait;
};

class KokuSession {
 public:
  // Connects, begins the transaction, takes the source's lock (waiting at most the connection's
  // lock timeout), creates the schema when asked to, and checks that it is a koku schema.
  static Result<std::shared_ptr<KokuSession>> Open(KokuSessionOptions options);
  ~KokuSession();  // closing without COMMIT rolls back

  Connection& conn() { return *conn_; }
  const KokuSessionOptions& options() const { return options_; }
  // `name` qualified with the quoted schema.
  std::string Table(std::string_view name) const;
  // How long Open() waited for another run of the same source to release its lock.
  double lock_wait_seconds() const { return lock_wait_seconds_; }

  // Commits the transaction; later calls do nothing.
  Status Commit();
  bool committed() const { return committed_; }

 private:
  explicit KokuSession(KokuSessionOptions options) : options_(std::move(options)) {}
  Status LockSource();

  KokuSessionOptions options_;
  std::unique_ptr<Connection> conn_;
  std::string schema_sql_;
  double lock_wait_seconds_ = 0;
  bool committed_ = false;
};

// The text of the source's advisory lock key (hashed with hashtextextended(key, 0)).
std::string SourceLockKey(std::string_view schema, std::string_view source_uuid);

// A number the database returned as text; anything else is a schema that is not koku's.
template <typename T>
Result<T> ParseNumber(std::string_view text, std::string_view column) {
  T value{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || p != text.data() + text.size()) {
    return SinkError("PostgreSQL returned '{}' for {}, which is not a number", text, column);
  }
  return value;
}

}  // namespace ocpagg::pg
