#include "ocpagg/sinks/postgres_tables.h"

#include <fmt/format.h>

#include <set>

#include "ocpagg/pg/koku_schema.h"
#include "ocpagg/sinks/table_encoding.h"
#include "ocpagg/tables/typed_rows.h"

namespace ocpagg {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

// The rows of one koku table, read and replaced by a WHERE clause with $1.. parameters.
class TableAccess {
 public:
  TableAccess(pg::KokuSession& session, KokuTable table, Compat compat)
      : session_(session), spec_(SpecOf(table)), compat_(compat) {}

  Result<std::vector<TableRow>> Read(std::string_view where, const std::vector<pg::Param>& params) {
    ARROW_ASSIGN_OR_RAISE(
        auto result,
        session_.conn().Exec(fmt::format("SELECT {} FROM {} WHERE {} ORDER BY 1",
                                         TableColumnList(spec_), session_.Table(spec_.name), where),
                             params));
    std::vector<TableRow> rows;
    rows.reserve(static_cast<size_t>(result.rows()));
    for (int r = 0; r < result.rows(); ++r) {
      TableRow row(spec_.columns.size());
      for (size_t c = 0; c < spec_.columns.size(); ++c) {
        const int col = static_cast<int>(c);
        auto cell =
            ParseCell(spec_.columns[c].type,
                      result.IsNull(r, col) ? std::nullopt : std::optional(result.Get(r, col)));
        if (!cell.ok()) {
          return SinkError("{}.{}: {}", spec_.name, spec_.columns[c].name, cell.status().message());
        }
        row[c] = std::move(*cell);
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  // Deletes the rows `where` selects, then COPYs `rows` in (a NULL key gets a new uuid).
  Status Replace(std::string_view where, const std::vector<pg::Param>& params,
                 std::vector<TableRow> rows) {
    pg::Connection& conn = session_.conn();
    const std::string table = session_.Table(spec_.name);
    ARROW_RETURN_NOT_OK(
        conn.Exec(fmt::format("DELETE FROM {} WHERE {}", table, where), params).status());
    return Insert(std::move(rows));
  }

  Status Insert(std::vector<TableRow> rows) {
    if (rows.empty()) return Status::OK();
    pg::Connection& conn = session_.conn();
    AssignKeys(rows, uuids_);
    ARROW_RETURN_NOT_OK(conn.BeginCopy(fmt::format(
        "COPY {} ({}) FROM STDIN", session_.Table(spec_.name), TableColumnList(spec_))));
    std::string buffer;
    for (const TableRow& row : rows) {
      ARROW_RETURN_NOT_OK(AppendTableCopyRow(spec_, row, compat_, buffer));
      if (buffer.size() >= kFlushBytes) {
        ARROW_RETURN_NOT_OK(conn.PutCopyData(buffer));
        buffer.clear();
      }
    }
    if (!buffer.empty()) ARROW_RETURN_NOT_OK(conn.PutCopyData(buffer));
    return conn.EndCopy();
  }

  // Deletes the rows of keys disabled in reporting_enabledtagkeys (`extra`: more conditions).
  Status DeleteDisabledKeys(std::string_view extra, const std::vector<pg::Param>& params) {
    return session_.conn()
        .Exec(fmt::format("DELETE FROM {} WHERE key IN (SELECT key FROM {} WHERE NOT enabled AND "
                          "provider_type = 'OCP'){}",
                          session_.Table(spec_.name), session_.Table("reporting_enabledtagkeys"),
                          extra),
              params)
        .status();
  }

 private:
  pg::KokuSession& session_;
  const TableSpec& spec_;
  Compat compat_;
  UuidGenerator uuids_;
};

// reporting_ocp_pvcs and reporting_ocp_projects of the source's cluster (populate_pvc_table,
// populate_project_table).
Status WriteClusterTables(pg::KokuSession& session, const RunTables& tables, Compat compat) {
  ARROW_ASSIGN_OR_RAISE(
      auto cluster,
      session.conn().Exec(fmt::format("SELECT uuid FROM {} WHERE provider_id = $1 ORDER BY uuid "
                                      "LIMIT 1",
                                      session.Table("reporting_ocp_clusters")),
                          {tables.identity().source_uuid}));
  if (cluster.rows() == 0) {
    return InternalError("no reporting_ocp_clusters row for source {}",
                         tables.identity().source_uuid);
  }
  const std::string cluster_uuid(cluster.Get(0, 0));
  const std::vector<pg::Param> of_cluster = {cluster_uuid};

  TableAccess pvcs(session, KokuTable::kPvcs, compat);
  ARROW_ASSIGN_OR_RAISE(auto stored_pvcs, pvcs.Read("cluster_id = $1", of_cluster));
  ARROW_ASSIGN_OR_RAISE(std::vector<PvcRow> pvc_rows, FromTableRows<PvcRow>(stored_pvcs));
  UpsertPvcs(pvc_rows, tables.Pvcs());
  ARROW_RETURN_NOT_OK(
      pvcs.Replace("cluster_id = $1", of_cluster, ToTableRows(pvc_rows, cluster_uuid)));

  TableAccess projects(session, KokuTable::kProjects, compat);
  ARROW_ASSIGN_OR_RAISE(auto stored_projects, projects.Read("cluster_id = $1", of_cluster));
  ARROW_ASSIGN_OR_RAISE(std::vector<ProjectRow> project_rows,
                        FromTableRows<ProjectRow>(stored_projects));
  UpsertProjects(project_rows, tables.projects());
  return projects.Replace("cluster_id = $1", of_cluster, ToTableRows(project_rows, cluster_uuid));
}

// The UI summary tables: koku's DELETE for the source and date range, then the run's rows.
Status WriteUiSummaries(pg::KokuSession& session, const RunTables& tables, Compat compat) {
  const RunIdentity& run = tables.identity();
  const std::vector<pg::Param> range = {FormatDate(tables.start()), FormatDate(tables.end()),
                                        run.source_uuid};
  for (KokuTable t : UiSummaryTables()) {
    const TableSpec& spec = SpecOf(t);
    ARROW_RETURN_NOT_OK(pg::EnsureMonthPartition(session.conn(), session.options().schema,
                                                 spec.name, tables.start()));
    TableAccess table(session, t, compat);
    ARROW_RETURN_NOT_OK(
        table.Replace("usage_start >= $1::date AND usage_start <= $2::date AND source_uuid = $3",
                      range, tables.ui().Rows(t, run)));
  }
  return Status::OK();
}

// The label summaries of the report period and the tag values they rewrite.
Status WriteLabelSummaries(pg::KokuSession& session, const RunTables& tables, Compat compat) {
  const int32_t period = tables.identity().report_period_id;
  const std::vector<pg::Param> of_period = {std::to_string(period)};
  // The tag values name the report period's cluster (cte_kv_cluster_agg joins it).
  ARROW_ASSIGN_OR_RAISE(
      auto rp, session.conn().Exec(fmt::format("SELECT cluster_id, cluster_alias FROM {} WHERE "
                                               "id = $1",
                                               session.Table("reporting_ocpusagereportperiod")),
                                   of_period));
  if (rp.rows() == 0) return InternalError("no report period {}", period);
  const std::string cluster_id(rp.Get(0, 0));
  const std::optional<std::string> cluster_alias = rp.GetOptional(0, 1);

  std::vector<TagValuesRow> run_tags;
  for (auto [table, labels] :
       {std::pair{KokuTable::kPodLabelSummary, &tables.pod_labels()},
        std::pair{KokuTable::kVolumeLabelSummary, &tables.volume_labels()}}) {
    TableAccess summary(session, table, compat);
    ARROW_RETURN_NOT_OK(summary.DeleteDisabledKeys(" AND report_period_id = $1", of_period));
    ARROW_ASSIGN_OR_RAISE(auto stored, summary.Read("report_period_id = $1", of_period));
    ARROW_ASSIGN_OR_RAISE(std::vector<LabelSummaryRow> rows,
                          FromTableRows<LabelSummaryRow>(stored));
    rows = MergeLabelSummary(std::move(rows), labels->SummaryRows(period));
    ARROW_RETURN_NOT_OK(summary.Replace("report_period_id = $1", of_period, ToTableRows(rows)));
    auto step = labels->TagValues(cluster_id, cluster_alias);
    // The volume step runs after the pod step and rewrites what both found.
    ApplyTagValues(run_tags, step);
  }

  TableAccess tags(session, KokuTable::kTagsValues, compat);
  std::set<std::string> keys;
  for (const TagValuesRow& r : run_tags) keys.insert(r.key);
  TextArray key_array(keys.begin(), keys.end());
  std::string keys_text;
  AppendArrayText(key_array, keys_text);
  const std::vector<pg::Param> of_keys = {keys_text};
  ARROW_ASSIGN_OR_RAISE(auto stored, tags.Read("key = ANY($1::text[])", of_keys));
  ARROW_ASSIGN_OR_RAISE(std::vector<TagValuesRow> rows, FromTableRows<TagValuesRow>(stored));
  ApplyTagValues(rows, run_tags);
  ARROW_RETURN_NOT_OK(tags.Replace("key = ANY($1::text[])", of_keys, ToTableRows(rows)));
  return tags.DeleteDisabledKeys("", {});
}

}  // namespace

Status WriteTablesToPostgres(pg::KokuSession& session, const RunTables& tables, Compat compat) {
  ARROW_RETURN_NOT_OK(WriteClusterTables(session, tables, compat));
  ARROW_RETURN_NOT_OK(WriteUiSummaries(session, tables, compat));
  return WriteLabelSummaries(session, tables, compat);
}

}  // namespace ocpagg
