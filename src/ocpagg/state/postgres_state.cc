#include "ocpagg/state/postgres_state.h"

#include <fmt/format.h>

#include "ocpagg/tables/cluster_tables.h"

namespace ocpagg {

using pg::ParseNumber;

Result<SummarySettings> PostgresState::LoadSettings(Compat compat) {
  pg::Connection& conn = session_->conn();
  SummarySettings settings;
  settings.compat = compat;
  ARROW_ASSIGN_OR_RAISE(auto keys,
                        conn.Exec(fmt::format("SELECT key FROM {} WHERE enabled AND "
                                              "provider_type = 'OCP' ORDER BY key",
                                              session_->Table("reporting_enabledtagkeys"))));
  for (int i = 0; i < keys.rows(); ++i) settings.enabled_keys.emplace_back(keys.Get(i, 0));
  ARROW_ASSIGN_OR_RAISE(
      auto cats, conn.Exec(fmt::format("SELECT namespace, cost_category_id FROM {} ORDER BY id",
                                       session_->Table("reporting_ocp_cost_category_namespace"))));
  settings.cost_categories.clear();
  for (int i = 0; i < cats.rows(); ++i) {
    ARROW_ASSIGN_OR_RAISE(int32_t id, ParseNumber<int32_t>(cats.Get(i, 1), "cost_category_id"));
    settings.cost_categories.push_back({std::string(cats.Get(i, 0)), id});
  }
  return settings;
}

Result<int32_t> PostgresState::ReportPeriodId(Date month_start) {
  pg::Connection& conn = session_->conn();
  const std::string table = session_->Table("reporting_ocpusagereportperiod");
  const std::string start = FormatDate(month_start) + " 00:00:00+00";
  const std::string end = FormatDate(month_start + DaysInMonth(month_start)) + " 00:00:00+00";
  ARROW_ASSIGN_OR_RAISE(auto found,
                        conn.Exec(fmt::format("SELECT id FROM {} WHERE cluster_id = $1 AND "
                                              "report_period_start = $2 AND provider_id = $3",
                                              table),
                                  {options_.cluster_id, start, options_.source_uuid}));
  if (found.rows() == 0) {
    ARROW_ASSIGN_OR_RAISE(
        found,
        conn.Exec(fmt::format("INSERT INTO {} (cluster_id, cluster_alias, "
                              "report_period_start, report_period_end, "
                              "summary_data_creation_datetime, provider_id) VALUES ($1, "
                              "$2, $3, $4, now(), $5) RETURNING id",
                              table),
                  {options_.cluster_id, options_.cluster_alias, start, end, options_.source_uuid}));
  }
  return ParseNumber<int32_t>(found.Get(0, 0), "reporting_ocpusagereportperiod.id");
}

// koku's populate_cluster_table (docs/semantics.md "Cluster tables"): the source's cluster row,
// created or given the run's alias. Rows it deletes take their nodes, PVCs and projects with
// them (Django's on_delete=CASCADE).
Result<std::string> PostgresState::ClusterUuid() {
  pg::Connection& conn = session_->conn();
  const std::string table = session_->Table("reporting_ocp_clusters");
  ARROW_ASSIGN_OR_RAISE(auto found,
                        conn.Exec(fmt::format("SELECT uuid, cluster_id, cluster_alias, provider_id "
                                              "FROM {} WHERE provider_id = $1 ORDER BY uuid",
                                              table),
                                  {options_.source_uuid}));
  std::vector<ClusterRow> rows;
  for (int i = 0; i < found.rows(); ++i) {
    rows.push_back(ClusterRow{std::string(found.Get(i, 0)), std::string(found.Get(i, 1)),
                              found.GetOptional(i, 2), std::string(found.Get(i, 3))});
  }
  const ClusterUpsert upsert =
      UpsertCluster(rows, options_.cluster_id, options_.cluster_alias, options_.source_uuid);
  for (const std::string& uuid : upsert.deleted) {
    for (const char* dependent :
         {"reporting_ocp_nodes", "reporting_ocp_pvcs", "reporting_ocp_projects"}) {
      ARROW_RETURN_NOT_OK(
          conn.Exec(fmt::format("DELETE FROM {} WHERE cluster_id = $1", session_->Table(dependent)),
                    {uuid})
              .status());
    }
    ARROW_RETURN_NOT_OK(
        conn.Exec(fmt::format("DELETE FROM {} WHERE uuid = $1", table), {uuid}).status());
  }
  const ClusterRow& cluster = rows[upsert.cluster];
  if (upsert.created) {
    ARROW_ASSIGN_OR_RAISE(
        auto inserted, conn.Exec(fmt::format("INSERT INTO {} (uuid, cluster_id, cluster_alias, "
                                             "provider_id) VALUES (gen_random_uuid(), $1, $2, $3) "
                                             "RETURNING uuid",
                                             table),
                                 {cluster.cluster_id, cluster.cluster_alias, cluster.provider_id}));
    return std::string(inserted.Get(0, 0));
  }
  if (upsert.alias_changed) {
    ARROW_RETURN_NOT_OK(
        conn.Exec(fmt::format("UPDATE {} SET cluster_alias = $1 WHERE uuid = $2", table),
                  {cluster.cluster_alias, *cluster.uuid})
            .status());
  }
  return *cluster.uuid;
}

Result<NodeRoleTable> PostgresState::ResolveNodeRoles(std::span<const NodeInventoryRow> inventory) {
  pg::Connection& conn = session_->conn();
  const std::string table = session_->Table("reporting_ocp_nodes");
  ARROW_ASSIGN_OR_RAISE(std::string cluster, ClusterUuid());
  ARROW_ASSIGN_OR_RAISE(
      auto stored,
      conn.Exec(fmt::format("SELECT uuid, node, resource_id, node_capacity_cpu_cores::float8, "
                            "node_role, architecture FROM {} WHERE cluster_id = $1 ORDER BY uuid",
                            table),
                {cluster}));
  std::vector<StoredNode> nodes;
  std::vector<std::string> uuids;
  for (int i = 0; i < stored.rows(); ++i) {
    StoredNode n;
    uuids.emplace_back(stored.Get(i, 0));
    n.node = std::string(stored.Get(i, 1));
    n.resource_id = stored.GetOptional(i, 2).value_or("");
    if (!stored.IsNull(i, 3)) {
      ARROW_ASSIGN_OR_RAISE(n.node_capacity_cpu_cores,
                            ParseNumber<double>(stored.Get(i, 3), "node_capacity_cpu_cores"));
    }
    n.node_role = stored.GetOptional(i, 4);
    n.architecture = stored.GetOptional(i, 5);
    nodes.push_back(std::move(n));
  }
  ApplyNodeInventory(nodes, inventory);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const StoredNode& n = nodes[i];
    std::optional<std::string> capacity;
    if (n.node_capacity_cpu_cores) capacity = fmt::format("{}", *n.node_capacity_cpu_cores);
    if (n.is_new) {
      ARROW_RETURN_NOT_OK(
          conn.Exec(fmt::format("INSERT INTO {} (uuid, node, resource_id, "
                                "node_capacity_cpu_cores, cluster_id, node_role, architecture) "
                                "VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6)",
                                table),
                    {n.node, n.resource_id, capacity, cluster, n.node_role, n.architecture})
              .status());
    } else if (n.changed) {
      ARROW_RETURN_NOT_OK(
          conn.Exec(fmt::format("UPDATE {} SET node_role = $1, architecture = $2 WHERE uuid = $3",
                                table),
                    {n.node_role, n.architecture, uuids[i]})
              .status());
    }
  }
  // Unallocated rows read every cluster's rows of the schema (docs/semantics.md "Unallocated
  // rows").
  ARROW_ASSIGN_OR_RAISE(
      auto roles, conn.Exec(fmt::format("SELECT node, resource_id, node_role FROM {}", table)));
  NodeRoleTable result;
  for (int i = 0; i < roles.rows(); ++i) {
    result.Add(NodeRoleRow{std::string(roles.Get(i, 0)), roles.GetOptional(i, 1).value_or(""),
                           roles.GetOptional(i, 2)});
  }
  return result;
}

}  // namespace ocpagg
