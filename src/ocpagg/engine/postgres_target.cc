#include "ocpagg/engine/postgres_target.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>

#include "ocpagg/pg/koku_schema.h"
#include "ocpagg/sink/summary_encoding.h"

namespace ocpagg {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

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

}  // namespace

Result<std::unique_ptr<PostgresTarget>> PostgresTarget::Open(PostgresTargetOptions options) {
  if (options.schema.empty()) return UsageError("--schema is required with --postgres");
  std::unique_ptr<PostgresTarget> t(new PostgresTarget(std::move(options)));
  ARROW_ASSIGN_OR_RAISE(t->conn_, pg::Connection::Open(t->options_.url, t->options_.connection));
  t->schema_sql_ = t->conn_->QuoteIdentifier(t->options_.schema);
  ARROW_RETURN_NOT_OK(t->conn_->ExecScript("BEGIN"));
  ARROW_RETURN_NOT_OK(t->LockSource());
  if (t->options_.create_schema) {
    ARROW_RETURN_NOT_OK(pg::CreateKokuSchema(*t->conn_, t->options_.schema));
  }
  ARROW_ASSIGN_OR_RAISE(
      auto exists, t->conn_->Exec("SELECT 1 FROM information_schema.tables WHERE table_schema = "
                                  "$1 AND table_name = 'reporting_ocpusagelineitem_daily_summary'",
                                  {t->options_.schema}));
  if (exists.rows() == 0) {
    return UsageError(
        "schema {} has no reporting_ocpusagelineitem_daily_summary table: point --schema at a "
        "koku tenant schema, or add --create-schema for a stand-alone install",
        t->options_.schema);
  }
  return t;
}

PostgresTarget::~PostgresTarget() = default;  // closing without COMMIT rolls back

// Two runs for the same source serialize here; the lock ends with the transaction. A run that
// has to wait says so, and --lock-timeout bounds the wait.
Status PostgresTarget::LockSource() {
  const std::string key =
      fmt::format("ocpagg summarize {} {}", options_.schema, options_.source_uuid);
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

std::string PostgresTarget::Table(std::string_view name) const {
  return fmt::format("{}.{}", schema_sql_, name);
}

Result<SummarySettings> PostgresTarget::LoadSettings(Compat compat) {
  SummarySettings settings;
  settings.compat = compat;
  ARROW_ASSIGN_OR_RAISE(auto keys, conn_->Exec(fmt::format("SELECT key FROM {} WHERE enabled AND "
                                                           "provider_type = 'OCP' ORDER BY key",
                                                           Table("reporting_enabledtagkeys"))));
  for (int i = 0; i < keys.rows(); ++i) settings.enabled_keys.emplace_back(keys.Get(i, 0));
  ARROW_ASSIGN_OR_RAISE(
      auto cats, conn_->Exec(fmt::format("SELECT namespace, cost_category_id FROM {} ORDER BY id",
                                         Table("reporting_ocp_cost_category_namespace"))));
  settings.cost_categories.clear();
  for (int i = 0; i < cats.rows(); ++i) {
    ARROW_ASSIGN_OR_RAISE(int32_t id, ParseNumber<int32_t>(cats.Get(i, 1), "cost_category_id"));
    settings.cost_categories.push_back({std::string(cats.Get(i, 0)), id});
  }
  return settings;
}

Result<int32_t> PostgresTarget::ReportPeriodId(Date month_start) {
  const std::string start = FormatDate(month_start) + " 00:00:00+00";
  const std::string end = FormatDate(month_start + DaysInMonth(month_start)) + " 00:00:00+00";
  ARROW_ASSIGN_OR_RAISE(auto found,
                        conn_->Exec(fmt::format("SELECT id FROM {} WHERE cluster_id = $1 AND "
                                                "report_period_start = $2 AND provider_id = $3",
                                                Table("reporting_ocpusagereportperiod")),
                                    {options_.cluster_id, start, options_.source_uuid}));
  if (found.rows() == 0) {
    ARROW_ASSIGN_OR_RAISE(
        found, conn_->Exec(fmt::format("INSERT INTO {} (cluster_id, cluster_alias, "
                                       "report_period_start, report_period_end, "
                                       "summary_data_creation_datetime, provider_id) VALUES ($1, "
                                       "$2, $3, $4, now(), $5) RETURNING id",
                                       Table("reporting_ocpusagereportperiod")),
                           {options_.cluster_id, options_.cluster_alias, start, end,
                            options_.source_uuid}));
  }
  ARROW_ASSIGN_OR_RAISE(report_period_id_,
                        ParseNumber<int32_t>(found.Get(0, 0), "reporting_ocpusagereportperiod.id"));
  return report_period_id_;
}

Result<std::string> PostgresTarget::ClusterUuid() {
  ARROW_ASSIGN_OR_RAISE(
      auto found,
      conn_->Exec(fmt::format("SELECT uuid FROM {} WHERE cluster_id = $1 AND provider_id = $2 "
                              "ORDER BY uuid LIMIT 1",
                              Table("reporting_ocp_clusters")),
                  {options_.cluster_id, options_.source_uuid}));
  if (found.rows() == 0) {
    ARROW_ASSIGN_OR_RAISE(
        found, conn_->Exec(fmt::format("INSERT INTO {} (uuid, cluster_id, cluster_alias, "
                                       "provider_id) VALUES (gen_random_uuid(), $1, $2, $3) "
                                       "RETURNING uuid",
                                       Table("reporting_ocp_clusters")),
                           {options_.cluster_id, options_.cluster_alias, options_.source_uuid}));
  }
  return std::string(found.Get(0, 0));
}

Result<NodeRoleTable> PostgresTarget::ResolveNodeRoles(
    std::span<const NodeInventoryRow> inventory) {
  ARROW_ASSIGN_OR_RAISE(std::string cluster, ClusterUuid());
  ARROW_ASSIGN_OR_RAISE(
      auto stored,
      conn_->Exec(fmt::format("SELECT uuid, node, resource_id, node_capacity_cpu_cores::float8, "
                              "node_role, architecture FROM {} WHERE cluster_id = $1 ORDER BY uuid",
                              Table("reporting_ocp_nodes")),
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
          conn_
              ->Exec(fmt::format("INSERT INTO {} (uuid, node, resource_id, "
                                 "node_capacity_cpu_cores, cluster_id, node_role, architecture) "
                                 "VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6)",
                                 Table("reporting_ocp_nodes")),
                     {n.node, n.resource_id, capacity, cluster, n.node_role, n.architecture})
              .status());
    } else if (n.changed) {
      ARROW_RETURN_NOT_OK(conn_
                              ->Exec(fmt::format("UPDATE {} SET node_role = $1, architecture = "
                                                 "$2 WHERE uuid = $3",
                                                 Table("reporting_ocp_nodes")),
                                     {n.node_role, n.architecture, uuids[i]})
                              .status());
    }
  }
  // Unallocated rows read every cluster's rows of the schema (docs/semantics.md "Unallocated
  // rows").
  ARROW_ASSIGN_OR_RAISE(auto roles,
                        conn_->Exec(fmt::format("SELECT node, resource_id, node_role FROM {}",
                                                Table("reporting_ocp_nodes"))));
  NodeRoleTable table;
  for (int i = 0; i < roles.rows(); ++i) {
    table.Add(NodeRoleRow{std::string(roles.Get(i, 0)), roles.GetOptional(i, 1).value_or(""),
                          roles.GetOptional(i, 2)});
  }
  return table;
}

Status PostgresTarget::BeginRows(const RunIdentity& identity, Date start, Date end) {
  identity_ = identity;
  ARROW_RETURN_NOT_OK(pg::EnsureSummaryPartition(*conn_, options_.schema, start));
  // docs/semantics.md "The summary run": by report period, not by source; OCP-on-cloud rows
  // (non-zero infrastructure_raw_cost) survive.
  ARROW_RETURN_NOT_OK(
      conn_
          ->Exec(fmt::format("DELETE FROM {} WHERE usage_start >= $1 AND usage_start <= $2 AND "
                             "report_period_id = $3 AND (infrastructure_raw_cost IS NULL OR "
                             "infrastructure_raw_cost = 0)",
                             Table("reporting_ocpusagelineitem_daily_summary")),
                 {FormatDate(start), FormatDate(end), std::to_string(report_period_id_)})
          .status());
  ARROW_RETURN_NOT_OK(conn_->BeginCopy(
      fmt::format("COPY {} ({}) FROM STDIN", Table("reporting_ocpusagelineitem_daily_summary"),
                  SummaryColumnList())));
  copying_ = true;
  buffer_.reserve(kFlushBytes + 4096);
  return Status::OK();
}

Status PostgresTarget::WriteRows(Date, std::span<const SummaryRow> rows) {
  std::array<char, 36> uuid;
  for (const auto& r : rows) {
    uuids_.Next(uuid);
    ARROW_RETURN_NOT_OK(
        AppendCopyRow(RowContext{r, identity_, std::string_view(uuid.data(), uuid.size())},
                      options_.compat, buffer_));
    ++rows_written_;
    if (buffer_.size() >= kFlushBytes) ARROW_RETURN_NOT_OK(Flush());
  }
  return Status::OK();
}

Status PostgresTarget::Flush() {
  if (buffer_.empty()) return Status::OK();
  ARROW_RETURN_NOT_OK(conn_->PutCopyData(buffer_));
  buffer_.clear();
  return Status::OK();
}

Status PostgresTarget::Commit() {
  if (copying_) {
    ARROW_RETURN_NOT_OK(Flush());
    ARROW_RETURN_NOT_OK(conn_->EndCopy());
    copying_ = false;
  }
  if (report_period_id_ > 0) {
    ARROW_RETURN_NOT_OK(conn_
                            ->Exec(fmt::format("UPDATE {} SET summary_data_updated_datetime = "
                                               "now() WHERE id = $1",
                                               Table("reporting_ocpusagereportperiod")),
                                   {std::to_string(report_period_id_)})
                            .status());
  }
  ARROW_RETURN_NOT_OK(conn_->ExecScript("COMMIT"));
  committed_ = true;
  return Status::OK();
}

}  // namespace ocpagg
