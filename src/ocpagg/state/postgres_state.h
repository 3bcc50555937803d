#pragma once
// koku's state in its PostgreSQL tables: enabled tag keys (reporting_enabledtagkeys), cost
// categories (reporting_ocp_cost_category_namespace), the report period
// (reporting_ocpusagereportperiod, created when missing), and the cluster and node rows
// (reporting_ocp_clusters, reporting_ocp_nodes) upserted koku's way, roles sticky. Everything is
// written in the session's transaction (pg/koku_session.h).

#include <memory>
#include <optional>
#include <string>

#include "ocpagg/engine/koku_state.h"
#include "ocpagg/pg/koku_session.h"

namespace ocpagg {

struct PostgresStateOptions {
  std::string source_uuid;  // provider uuid
  std::string cluster_id;
  std::optional<std::string> cluster_alias;
};

class PostgresState : public KokuState {
 public:
  PostgresState(std::shared_ptr<pg::KokuSession> session, PostgresStateOptions options)
      : session_(std::move(session)), options_(std::move(options)) {}

  Result<SummarySettings> LoadSettings(Compat compat) override;
  Result<int32_t> ReportPeriodId(Date month_start) override;
  Result<NodeRoleTable> ResolveNodeRoles(std::span<const NodeInventoryRow> inventory) override;
  // Commits the session (nothing to do when the row sink of the same session already did).
  Status Commit() override { return session_->Commit(); }

 private:
  Result<std::string> ClusterUuid();
  std::shared_ptr<pg::KokuSession> session_;
  PostgresStateOptions options_;
};

}  // namespace ocpagg
