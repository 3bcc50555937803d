#include "ocpagg/sinks/postgres_tables.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
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
  TableAccess(pg::KokuSession& session, ReportingTable table, Compat compat)
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

  Status Delete(std::string_view where, const std::vector<pg::Param>& params) {
    return session_.conn()
        .Exec(fmt::format("DELETE FROM {} WHERE {}", session_.Table(spec_.name), where), params)
        .status();
  }

  // Deletes the rows `where` selects, then COPYs `rows` in (a NULL key gets a new uuid).
  Status Replace(std::string_view where, const std::vector<pg::Param>& params,
                 std::vector<TableRow> rows) {
    ARROW_RETURN_NOT_OK(Delete(where, params));
    if (rows.empty()) return Status::OK();
    AssignKeys(rows, uuids_);
    ARROW_RETURN_NOT_OK(BeginCopy());
    std::string buffer;
    for (const TableRow& row : rows) {
      ARROW_RETURN_NOT_OK(AppendTableCopyRow(spec_, row, compat_, buffer));
      if (buffer.size() >= kFlushBytes) {
        ARROW_RETURN_NOT_OK(session_.conn().PutCopyData(buffer));
        buffer.clear();
      }
    }
    if (!buffer.empty()) ARROW_RETURN_NOT_OK(session_.conn().PutCopyData(buffer));
    return session_.conn().EndCopy();
  }

  // COPYs the COPY text of `spool` in.
  Status CopyFrom(std::FILE* spool) {
    if (std::fflush(spool) != 0 || std::fseek(spool, 0, SEEK_END) != 0) {
      return SinkError("cannot read a temporary file: {}", std::strerror(errno));
    }
    if (std::ftell(spool) == 0) return Status::OK();
    std::rewind(spool);
    ARROW_RETURN_NOT_OK(BeginCopy());
    std::string buffer(kFlushBytes, '\0');
    while (size_t n = std::fread(buffer.data(), 1, buffer.size(), spool)) {
      ARROW_RETURN_NOT_OK(session_.conn().PutCopyData(std::string_view(buffer.data(), n)));
    }
    if (std::ferror(spool)) return SinkError("cannot read a temporary file");
    return session_.conn().EndCopy();
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
  Status BeginCopy() {
    return session_.conn().BeginCopy(
        fmt::format("COPY {} ({}) FROM STDIN", session_.Table(spec_.name), TableColumnList(spec_)));
  }

  pg::KokuSession& session_;
  const TableSpec& spec_;
  Compat compat_;
  UuidGenerator uuids_;
};

}  // namespace

PostgresTables::PostgresTables(std::shared_ptr<pg::KokuSession> session, Compat compat,
                               const RunIdentity& identity, Date start, Date end)
    : session_(std::move(session)), compat_(compat), run_(identity, start, end) {}

Status PostgresTables::CheckSchema() {
  ARROW_ASSIGN_OR_RAISE(auto found,
                        session_->conn().Exec("SELECT table_name FROM information_schema.tables "
                                              "WHERE table_schema = $1",
                                              {session_->options().schema}));
  std::set<std::string, std::less<>> tables;
  for (int i = 0; i < found.rows(); ++i) tables.emplace(found.Get(i, 0));
  for (ReportingTable t : AllReportingTables()) {
    if (!tables.contains(SpecOf(t).name)) {
      return UsageError(
          "schema {} has no table {}: add --create-schema to create the tables koku's summary "
          "step fills, or --tables daily to write the daily summary only",
          session_->options().schema, SpecOf(t).name);
    }
  }
  return Status::OK();
}

Status PostgresTables::EndDay(Date day) {
  std::unique_ptr<UiSummaries> ui = run_.TakeDay(day);
  if (!ui) return Status::OK();
  const auto tables = UiSummaryTables();
  if (spools_.empty()) {
    for (size_t i = 0; i < tables.size(); ++i) {
      std::FILE* f = std::tmpfile();
      if (!f) return SinkError("cannot create a temporary file: {}", std::strerror(errno));
      spools_.emplace_back(f, &std::fclose);
    }
  }
  UuidGenerator uuids;
  std::string text;
  for (size_t i = 0; i < tables.size(); ++i) {
    std::vector<TableRow> rows = ui->Rows(tables[i], run_.identity());
    AssignKeys(rows, uuids);
    text.clear();
    for (const TableRow& row : rows) {
      ARROW_RETURN_NOT_OK(AppendTableCopyRow(SpecOf(tables[i]), row, compat_, text));
    }
    if (std::fwrite(text.data(), 1, text.size(), spools_[i].get()) != text.size()) {
      return SinkError("cannot write a temporary file: {}", std::strerror(errno));
    }
  }
  return Status::OK();
}

Status PostgresTables::Write() {
  ARROW_RETURN_NOT_OK(WriteClusterTables());
  ARROW_RETURN_NOT_OK(WriteUiSummaries());
  return WriteLabelSummaries();
}

// reporting_ocp_pvcs and reporting_ocp_projects of the source's cluster (populate_pvc_table,
// populate_project_table).
Status PostgresTables::WriteClusterTables() {
  pg::KokuSession& session = *session_;
  ARROW_ASSIGN_OR_RAISE(
      auto cluster,
      session.conn().Exec(fmt::format("SELECT uuid FROM {} WHERE provider_id = $1 ORDER BY uuid "
                                      "LIMIT 1",
                                      session.Table("reporting_ocp_clusters")),
                          {run_.identity().source_uuid}));
  if (cluster.rows() == 0) {
    return InternalError("no reporting_ocp_clusters row for source {}",
                         run_.identity().source_uuid);
  }
  const std::string cluster_uuid(cluster.Get(0, 0));
  const std::vector<pg::Param> of_cluster = {cluster_uuid};

  TableAccess pvcs(session, ReportingTable::kPvcs, compat_);
  ARROW_ASSIGN_OR_RAISE(auto stored_pvcs, pvcs.Read("cluster_id = $1", of_cluster));
  ARROW_ASSIGN_OR_RAISE(std::vector<PvcRow> pvc_rows, FromTableRows<PvcRow>(stored_pvcs));
  UpsertPvcs(pvc_rows, run_.Pvcs());
  ARROW_RETURN_NOT_OK(
      pvcs.Replace("cluster_id = $1", of_cluster, ToTableRows(pvc_rows, cluster_uuid)));

  TableAccess projects(session, ReportingTable::kProjects, compat_);
  ARROW_ASSIGN_OR_RAISE(auto stored_projects, projects.Read("cluster_id = $1", of_cluster));
  ARROW_ASSIGN_OR_RAISE(std::vector<ProjectRow> project_rows,
                        FromTableRows<ProjectRow>(stored_projects));
  UpsertProjects(project_rows, run_.projects());
  return projects.Replace("cluster_id = $1", of_cluster, ToTableRows(project_rows, cluster_uuid));
}

// The UI summary tables: koku's DELETE for the source and date range, then the run's rows.
Status PostgresTables::WriteUiSummaries() {
  pg::KokuSession& session = *session_;
  const std::vector<pg::Param> range = {FormatDate(run_.start()), FormatDate(run_.end()),
                                        run_.identity().source_uuid};
  const auto tables = UiSummaryTables();
  for (size_t i = 0; i < tables.size(); ++i) {
    const TableSpec& spec = SpecOf(tables[i]);
    ARROW_RETURN_NOT_OK(pg::EnsureMonthPartition(session.conn(), session.options().schema,
                                                 spec.name, run_.start()));
    TableAccess table(session, tables[i], compat_);
    ARROW_RETURN_NOT_OK(table.Delete(
        "usage_start >= $1::date AND usage_start <= $2::date AND source_uuid = $3", range));
    if (i < spools_.size()) ARROW_RETURN_NOT_OK(table.CopyFrom(spools_[i].get()));
  }
  return Status::OK();
}

// The label summaries of the report period and the tag values they rewrite.
Status PostgresTables::WriteLabelSummaries() {
  pg::KokuSession& session = *session_;
  const int32_t period = run_.identity().report_period_id;
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
       {std::pair{ReportingTable::kPodLabelSummary, &run_.pod_labels()},
        std::pair{ReportingTable::kVolumeLabelSummary, &run_.volume_labels()}}) {
    TableAccess summary(session, table, compat_);
    ARROW_RETURN_NOT_OK(summary.DeleteDisabledKeys(" AND report_period_id = $1", of_period));
    ARROW_ASSIGN_OR_RAISE(auto stored, summary.Read("report_period_id = $1", of_period));
    ARROW_ASSIGN_OR_RAISE(std::vector<LabelSummaryRow> rows,
                          FromTableRows<LabelSummaryRow>(stored));
    rows = MergeLabelSummary(std::move(rows), labels->SummaryRows(period));
    ARROW_RETURN_NOT_OK(summary.Replace("report_period_id = $1", of_period, ToTableRows(rows)));
    // The volume step runs after the pod step and rewrites what both found.
    ApplyTagValues(run_tags, labels->TagValues(cluster_id, cluster_alias));
  }

  TableAccess tags(session, ReportingTable::kTagsValues, compat_);
  std::set<std::string> keys;
  for (const TagValuesRow& r : run_tags) keys.insert(r.key);
  std::string keys_text;
  AppendArrayText(TextArray(keys.begin(), keys.end()), keys_text);
  const std::vector<pg::Param> of_keys = {keys_text};
  ARROW_ASSIGN_OR_RAISE(auto stored, tags.Read("key = ANY($1::text[])", of_keys));
  ARROW_ASSIGN_OR_RAISE(std::vector<TagValuesRow> rows, FromTableRows<TagValuesRow>(stored));
  ApplyTagValues(rows, run_tags);
  ARROW_RETURN_NOT_OK(tags.Replace("key = ANY($1::text[])", of_keys, ToTableRows(rows)));
  return tags.DeleteDisabledKeys("", {});
}

}  // namespace ocpagg
