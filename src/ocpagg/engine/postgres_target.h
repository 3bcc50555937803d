#pragma once
// The SummaryTarget for koku's PostgreSQL tables (docs/semantics.md "The summary run", "koku's
// tables"). One run is one transaction: an advisory lock per (schema, source) serializes concurrent
// runs for the same source; the report period and cluster rows are found or created; node roles are
// upserted koku's way and read back (sticky roles, docs/semantics.md "Node roles"); koku's DELETE
// for the report period and date range runs before the rows stream in with COPY. Nothing is visible
// until Commit(); a failure or a killed process leaves the database as it was.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ocpagg/common/uuid.h"
#include "ocpagg/engine/summary_target.h"
#include "ocpagg/pg/connection.h"

namespace ocpagg {

struct PostgresTargetOptions {
  std::string url;     // libpq URL or keyword string
  std::string schema;  // koku tenant schema, e.g. org1234567
  bool create_schema = false;
  std::string source_uuid;  // provider uuid
  std::string cluster_id;
  std::optional<std::string> cluster_alias;
  Compat compat = Compat::kPostgres;  // how numbers are sent (docs/semantics.md "PostgreSQL and
                                      // Trino differences": numbers)
  pg::ConnectionOptions connection;   // timeouts, keepalives, stop token
  // Told (once) when another run of the same source holds the lock and this one waits.
  std::function<void(const std::string&)> on_lock_wait;
};

class PostgresTarget : public SummaryTarget {
 public:
  // Connects, begins the transaction, takes the advisory lock, and creates the schema when
  // asked to.
  static Result<std::unique_ptr<PostgresTarget>> Open(PostgresTargetOptions options);
  ~PostgresTarget() override;

  Result<SummarySettings> LoadSettings(Compat compat) override;
  Result<int32_t> ReportPeriodId(Date month_start) override;
  Result<NodeRoleTable> ResolveNodeRoles(std::span<const NodeInventoryRow> inventory) override;
  Status BeginRows(const RunIdentity& identity, Date start, Date end) override;
  Status WriteRows(Date day, std::span<const SummaryRow> rows) override;
  Status EndDay(Date) override { return Status::OK(); }
  Status Commit() override;

  int64_t rows_written() const { return rows_written_; }
  // How long Open() waited for another run of the same source to release its lock.
  double lock_wait_seconds() const { return lock_wait_seconds_; }

 private:
  explicit PostgresTarget(PostgresTargetOptions options) : options_(std::move(options)) {}
  std::string Table(std::string_view name) const;
  Result<std::string> ClusterUuid();
  Status Flush();
  Status LockSource();

  PostgresTargetOptions options_;
  std::unique_ptr<pg::Connection> conn_;
  std::string schema_sql_;  // quoted schema
  int32_t report_period_id_ = 0;
  RunIdentity identity_;
  bool copying_ = false;
  bool committed_ = false;
  std::string buffer_;
  UuidGenerator uuids_;
  int64_t rows_written_ = 0;
  double lock_wait_seconds_ = 0;
};

}  // namespace ocpagg
