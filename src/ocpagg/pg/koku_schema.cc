#include "ocpagg/pg/koku_schema.h"

#include <fmt/format.h>

#include <vector>

#include "ocpagg/koku/summary_columns.h"
#include "ocpagg/koku/table_columns.h"
#include "ocpagg/koku/tables.h"

namespace ocpagg::pg {
namespace {

// {s} is the quoted schema name.
constexpr std::string_view kDdl = R"sql(
CREATE SCHEMA IF NOT EXISTS {s};
CREATE TABLE IF NOT EXISTS {s}.reporting_enabledtagkeys (
    uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    key varchar(512) NOT NULL,
    enabled boolean NOT NULL DEFAULT false,
    provider_type varchar(50) NOT NULL,
    UNIQUE (key, provider_type));
CREATE TABLE IF NOT EXISTS {s}.reporting_ocp_cost_category (
    id serial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    description text NOT NULL,
    source_type text NOT NULL,
    system_default boolean NOT NULL DEFAULT false,
    label text[] NOT NULL);
CREATE TABLE IF NOT EXISTS {s}.reporting_ocp_cost_category_namespace (
    id serial PRIMARY KEY,
    namespace text NOT NULL UNIQUE,
    system_default boolean NOT NULL DEFAULT false,
    cost_category_id integer NOT NULL REFERENCES {s}.reporting_ocp_cost_category (id));
CREATE TABLE IF NOT EXISTS {s}.reporting_ocpusagereportperiod (
    id serial PRIMARY KEY,
    cluster_id varchar(50) NOT NULL,
    cluster_alias varchar(256),
    report_period_start timestamptz NOT NULL,
    report_period_end timestamptz NOT NULL,
    summary_data_creation_datetime timestamptz,
    summary_data_updated_datetime timestamptz,
    ocp_on_cloud_updated_datetime timestamptz,
    derived_cost_datetime timestamptz,
    provider_id uuid NOT NULL,
    UNIQUE (cluster_id, report_period_start, provider_id));
)sql";

// reporting_ocp_nodes: koku's state (node roles), written by state/postgres_state.h.
constexpr std::string_view kNodesDdl = R"sql(
CREATE TABLE IF NOT EXISTS {s}.reporting_ocp_nodes (
    uuid uuid PRIMARY KEY,
    node text NOT NULL,
    resource_id text,
    node_capacity_cpu_cores numeric(18, 2),
    cluster_id uuid NOT NULL REFERENCES {s}.reporting_ocp_clusters (uuid),
    node_role text,
    architecture text);
)sql";

// The summary table: the columns ocpagg writes come from kSummaryColumns; these are the ones
// koku fills later (costs, OCP on cloud), which ocpagg leaves NULL.
constexpr std::string_view kSummaryKokuOnlyColumns = R"sql(
    infrastructure_raw_cost numeric(33, 15),
    infrastructure_project_raw_cost numeric(33, 15),
    infrastructure_markup_cost numeric(33, 15),
    infrastructure_project_markup_cost numeric(33, 15),
    infrastructure_monthly_cost_json jsonb,
    infrastructure_project_monthly_cost jsonb,
    supplementary_usage_cost jsonb,
    supplementary_monthly_cost_json jsonb,
    supplementary_project_monthly_cost jsonb,
    supplementary_monthly_cost numeric(33, 15),
    infrastructure_monthly_cost numeric(33, 15),
    infrastructure_data_in_gigabytes numeric(33, 15),
    infrastructure_data_out_gigabytes numeric(33, 15),
    cost_model_cpu_cost numeric(33, 15),
    cost_model_memory_cost numeric(33, 15),
    cost_model_volume_cost numeric(33, 15),
    cost_model_gpu_cost numeric(33, 15),
    cost_model_rate_type text,
    monthly_cost_type text,
    raw_currency text,
    distributed_cost numeric(33, 15),
    FOREIGN KEY (report_period_id) REFERENCES {s}.reporting_ocpusagereportperiod (id),
    FOREIGN KEY (cost_category_id) REFERENCES {s}.reporting_ocp_cost_category (id),
    PRIMARY KEY (usage_start, uuid)
) PARTITION BY RANGE (usage_start);
)sql";

constexpr std::string_view kDdlAfterSummary = R"sql(
CREATE TABLE IF NOT EXISTS {s}.reporting_ocpusagelineitem_daily_summary_default
    PARTITION OF {s}.reporting_ocpusagelineitem_daily_summary DEFAULT;
CREATE INDEX IF NOT EXISTS summary_ocp_usage_idx
    ON {s}.reporting_ocpusagelineitem_daily_summary (usage_start);
CREATE INDEX IF NOT EXISTS summary_namespace_idx
    ON {s}.reporting_ocpusagelineitem_daily_summary (namespace varchar_pattern_ops);
CREATE INDEX IF NOT EXISTS summary_node_idx
    ON {s}.reporting_ocpusagelineitem_daily_summary (node varchar_pattern_ops);
CREATE INDEX IF NOT EXISTS summary_data_source_idx
    ON {s}.reporting_ocpusagelineitem_daily_summary (data_source);
CREATE INDEX IF NOT EXISTS summary_report_period_idx
    ON {s}.reporting_ocpusagelineitem_daily_summary (report_period_id);
CREATE INDEX IF NOT EXISTS summary_all_labels_idx
    ON {s}.reporting_ocpusagelineitem_daily_summary USING gin (all_labels);
CREATE INDEX IF NOT EXISTS summary_pod_labels_idx
    ON {s}.reporting_ocpusagelineitem_daily_summary USING gin (pod_labels);
CREATE INDEX IF NOT EXISTS summary_volume_labels_idx
    ON {s}.reporting_ocpusagelineitem_daily_summary USING gin (volume_labels);
INSERT INTO {s}.reporting_ocp_cost_category (name, description, source_type, system_default, label)
    VALUES ('Platform', 'OpenShift default Platform cost category', 'OCP', true, '{}')
    ON CONFLICT (name) DO NOTHING;
INSERT INTO {s}.reporting_ocp_cost_category_namespace (namespace, system_default, cost_category_id)
    SELECT p, true, c.id FROM {s}.reporting_ocp_cost_category c,
        unnest(ARRAY['openshift-%', 'kube-%', 'Platform unallocated', 'openshift']) AS p
    WHERE c.name = 'Platform'
    ON CONFLICT (namespace) DO NOTHING;
)sql";

// koku's on-prem line-item tables (koku's reporting/provider/ocp/self_hosted_models.py): the
// columns every one has, then each report type's; a report type's hourly and daily tables have
// the same columns. Range-partitioned by month on usage_start, which the primary key includes.
constexpr std::string_view kLineItemCommonColumns = R"sql(
    id uuid NOT NULL,
    report_period_start timestamptz,
    report_period_end timestamptz,
    interval_start timestamptz,
    interval_end timestamptz,
    usage_start date NOT NULL,
    source varchar(64),
    year varchar(4),
    month varchar(2),
    manifestid varchar(256),
    reportnumhours integer,)sql";

// HourlyCapacityIndexDdl, with {s} and {i} for the schema and the index's name: keyed by the
// hourly read's WHERE, holding what it selects (source/koku_tables.cc kPodHourly).
constexpr std::string_view kHourlyCapacityIndex =
    "CREATE INDEX IF NOT EXISTS {i}\n"
    "    ON {s}.openshift_pod_usage_line_items (source, year, month, usage_start)\n"
    "    INCLUDE (interval_start, node, node_capacity_cpu_core_seconds,\n"
    "             node_capacity_memory_byte_seconds);\n";

struct LineItemTableDdl {
  ReportType type;
  std::string_view columns;
  std::string_view index_prefix[2];  // koku's (source, year, month) index, hourly and daily
};

constexpr LineItemTableDdl kLineItemTables[] = {
    {ReportType::kPodUsage,
     R"sql(
    pod varchar(253),
    namespace varchar(253),
    node varchar(253),
    resource_id varchar(256),
    pod_labels text,
    node_role varchar(64),
    pod_usage_cpu_core_seconds double precision,
    pod_request_cpu_core_seconds double precision,
    pod_effective_usage_cpu_core_seconds double precision,
    pod_limit_cpu_core_seconds double precision,
    pod_usage_memory_byte_seconds double precision,
    pod_request_memory_byte_seconds double precision,
    pod_effective_usage_memory_byte_seconds double precision,
    pod_limit_memory_byte_seconds double precision,
    node_capacity_cpu_cores double precision,
    node_capacity_cpu_core_seconds double precision,
    node_capacity_memory_bytes double precision,
    node_capacity_memory_byte_seconds double precision,)sql",
     {"ocp_pod", "ocp_pod_daily"}},
    {ReportType::kStorageUsage,
     R"sql(
    namespace varchar(253),
    pod varchar(253),
    node varchar(253),
    persistentvolumeclaim varchar(253),
    persistentvolume varchar(253),
    storageclass varchar(253),
    csi_driver varchar(256),
    csi_volume_handle varchar(256),
    persistentvolumeclaim_capacity_bytes double precision,
    persistentvolumeclaim_capacity_byte_seconds double precision,
    volume_request_storage_byte_seconds double precision,
    persistentvolumeclaim_usage_byte_seconds double precision,
    persistentvolume_labels text,
    persistentvolumeclaim_labels text,)sql",
     {"ocp_storage", "ocp_stor_daily"}},
    {ReportType::kNodeLabels,
     R"sql(
    node varchar(253),
    node_labels text,)sql",
     {"ocp_node_lbl", "ocp_node_lbl_dy"}},
    {ReportType::kNamespaceLabels,
     R"sql(
    namespace varchar(253),
    namespace_labels text,)sql",
     {"ocp_ns_lbl", "ocp_ns_lbl_dy"}},
};

std::string ReplaceAll(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t hit = text.find(from, pos);
    if (hit == std::string_view::npos) break;
    out.append(text.substr(pos, hit - pos));
    out.append(to);
    pos = hit + from.size();
  }
  out.append(text.substr(pos));
  return out;
}

// Creates what `ddl` creates, in the caller's transaction, unless every one of `tables` is
// there already. Runs creating the same schema at once take turns (an advisory lock held to
// the end of the transaction): concurrent CREATE ... IF NOT EXISTS of one name can fail on
// PostgreSQL's catalog, and the run that waited then finds the tables and creates nothing.
// Tables that exist are not touched, not even locked.
Status CreateWhenMissing(Connection& conn, const std::string& schema,
                         const std::vector<std::string>& tables, const std::string& ddl) {
  std::string names = "{";
  for (const auto& t : tables) names += (names.size() > 1 ? "," : "") + t;
  names += "}";
  const std::string missing_sql =
      "SELECT count(*) FROM unnest($2::text[]) t WHERE to_regclass(quote_ident($1) || '.' || "
      "quote_ident(t)) IS NULL";
  ARROW_ASSIGN_OR_RAISE(auto missing, conn.Exec(missing_sql, {schema, names}));
  if (missing.Get(0, 0) == "0") return Status::OK();
  ARROW_RETURN_NOT_OK(conn.Exec("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                                {"ocpagg create-schema " + schema})
                          .status());
  return conn.ExecScript(ReplaceAll(ddl, "{s}", conn.QuoteIdentifier(schema)));
}

// CREATE TABLE of one of the tables beside the summary, from its description; its first column
// is the primary key.
std::string TableDdl(const TableSpec& spec) {
  std::string ddl = fmt::format("CREATE TABLE IF NOT EXISTS {{s}}.{} (", spec.name);
  for (const auto& col : spec.columns) {
    ddl +=
        fmt::format("\n    \"{}\" {}{},", col.name, col.sql_type, col.nullable ? "" : " NOT NULL");
  }
  ddl += fmt::format("\n    PRIMARY KEY (\"{}\")", spec.columns.front().name);
  if (!spec.constraints.empty()) ddl += fmt::format(",\n    {}", spec.constraints);
  return ddl + ");\n";
}

}  // namespace

std::string SummaryTableDdl() {
  std::string ddl = "CREATE TABLE IF NOT EXISTS {s}.reporting_ocpusagelineitem_daily_summary (";
  for (const auto& col : kSummaryColumns) {
    ddl += fmt::format("\n    {} {}{},", col.name, col.sql_type, col.nullable ? "" : " NOT NULL");
  }
  ddl += kSummaryKokuOnlyColumns;
  return ddl;
}

Status CreateKokuSchema(Connection& conn, const std::string& schema) {
  std::string ddl = std::string(kDdl) + TableDdl(SpecOf(ReportingTable::kClusters)) +
                    std::string(kNodesDdl) + SummaryTableDdl() + std::string(kDdlAfterSummary);
  std::vector<std::string> tables = {"reporting_enabledtagkeys",
                                     "reporting_ocp_cost_category",
                                     "reporting_ocp_cost_category_namespace",
                                     "reporting_ocpusagereportperiod",
                                     "reporting_ocp_nodes",
                                     "reporting_ocpusagelineitem_daily_summary"};
  for (ReportingTable t : AllReportingTables()) {
    if (t != ReportingTable::kClusters) ddl += TableDdl(SpecOf(t));
    tables.emplace_back(SpecOf(t).name);
  }
  return CreateWhenMissing(conn, schema, tables, ddl);
}

std::vector<std::string> LineItemTableNames() {
  std::vector<std::string> names;
  for (const LineItemTableDdl& t : kLineItemTables) {
    for (bool daily : {false, true}) names.push_back(TableName(KokuTable{t.type, daily}));
  }
  return names;
}

Status CreateLineItemTables(Connection& conn, const std::string& schema) {
  std::string ddl = "CREATE SCHEMA IF NOT EXISTS {s};\n";
  for (const LineItemTableDdl& t : kLineItemTables) {
    for (bool daily : {false, true}) {
      const std::string name = TableName(KokuTable{t.type, daily});
      ddl += fmt::format(
          "CREATE TABLE IF NOT EXISTS {{s}}.{0} ({1}{2}\n    PRIMARY KEY (usage_start, id)\n) "
          "PARTITION BY RANGE (usage_start);\n"
          "CREATE TABLE IF NOT EXISTS {{s}}.{0}_default PARTITION OF {{s}}.{0} DEFAULT;\n"
          "CREATE INDEX IF NOT EXISTS {3}_src_yr_mo_idx ON {{s}}.{0} (source, year, month);\n",
          name, kLineItemCommonColumns, t.columns, t.index_prefix[daily ? 1 : 0]);
      for (std::string_view column : {"interval_start", "usage_start", "source"}) {
        ddl += fmt::format("CREATE INDEX IF NOT EXISTS {0}_{1}_idx ON {{s}}.{0} ({1});\n", name,
                           column);
      }
    }
  }
  ddl += HourlyCapacityIndexDdl("{s}");
  return CreateWhenMissing(conn, schema, LineItemTableNames(), ddl);
}

std::string HourlyCapacityIndexDdl(std::string_view quoted_schema) {
  return ReplaceAll(ReplaceAll(kHourlyCapacityIndex, "{i}", kHourlyCapacityIndexName), "{s}",
                    quoted_schema);
}

Result<bool> RelationExists(Connection& conn, const std::string& schema, std::string_view name) {
  ARROW_ASSIGN_OR_RAISE(auto r, conn.Exec("SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = "
                                          "c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
                                          {schema, std::string(name)}));
  return r.rows() > 0;
}

std::string MonthPartitionName(std::string_view table, Date day) {
  const auto ymd = ToYmd(day);
  return fmt::format("{}_{:04d}_{:02d}", table, static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()));
}

Status EnsureMonthPartition(Connection& conn, const std::string& schema, std::string_view table,
                            Date day) {
  const std::string qualified = conn.QuoteIdentifier(schema) + "." + std::string(table);
  ARROW_ASSIGN_OR_RAISE(
      auto partitioned,
      conn.Exec("SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND "
                "c.relname = $2",
                {schema, std::string(table)}));
  if (partitioned.rows() == 0) return Status::OK();
  auto ymd = ToYmd(day);
  const Date first = MakeDate(static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), 1);
  const Date next = first + DaysInMonth(first);
  const std::string name = MonthPartitionName(table, day);
  ARROW_ASSIGN_OR_RAISE(const bool exists, RelationExists(conn, schema, name));
  if (exists) return Status::OK();
  // Rows of that month already in the default partition would make the new partition fail;
  // they then stay where they are, as in koku.
  ARROW_RETURN_NOT_OK(conn.ExecScript("SAVEPOINT ocpagg_partition"));
  Status st = conn.ExecScript(fmt::format(
      "CREATE TABLE {}.{} PARTITION OF {} FOR VALUES FROM ('{}') TO ('{}')",
      conn.QuoteIdentifier(schema), name, qualified, FormatDate(first), FormatDate(next)));
  return conn.ExecScript(st.ok() ? "RELEASE SAVEPOINT ocpagg_partition"
                                 : "ROLLBACK TO SAVEPOINT ocpagg_partition");
}

}  // namespace ocpagg::pg
