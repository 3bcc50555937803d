#include "ocpagg/sinks/files_tables.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ocpagg/sinks/table_encoding.h"
#include "ocpagg/tables/typed_rows.h"

namespace ocpagg {
namespace fs = std::filesystem;
namespace {

// The rows of a table's CSV file; none when there is no such file.
Result<std::vector<TableRow>> ReadTableFile(const TableSpec& spec, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::vector<TableRow>{};
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return SinkError("cannot read {}", path);
  return ParseTableCsv(spec, text.str(), path);
}

Status WriteTableFile(const TableSpec& spec, const std::string& path,
                      const std::vector<TableRow>& rows) {
  std::string text;
  AppendTableCsvHeader(spec, text);
  for (const TableRow& row : rows) AppendTableCsvRow(spec, row, text);
  std::ofstream out(path, std::ios::binary);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return SinkError("cannot write {} (disk full?)", path);
  return Status::OK();
}

template <typename Row>
Result<std::vector<Row>> ReadRows(const TableSpec& spec, const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto rows, ReadTableFile(spec, path));
  return FromTableRows<Row>(rows);
}

// Where a table's new folder is assembled inside the staging folder.
std::string NewFolder(const std::string& staging_dir, const TableSpec& spec) {
  return (fs::path(staging_dir) / spec.name).string();
}

class Stager {
 public:
  Stager(const RunTables& tables, const std::string& output_dir, const std::string& staging_dir,
         Publication& publication)
      : tables_(tables),
        output_dir_(output_dir),
        staging_dir_(staging_dir),
        publication_(publication) {}

  // A folder holding the table's one file, replacing `folder` as a whole; `rows` become the file.
  template <typename Row, typename... Args>
  Status StageFile(ReportingTable table, const std::string& folder, const std::vector<Row>& rows,
                   const Args&... args) {
    const TableSpec& spec = SpecOf(table);
    const std::string next = NewFolder(staging_dir_, spec);
    std::error_code ec;
    fs::create_directories(next, ec);
    if (ec) return SinkError("cannot create {}: {}", next, ec.message());
    std::vector<TableRow> cells = ToTableRows(rows, args...);
    AssignKeys(cells, uuids_);
    ARROW_RETURN_NOT_OK(WriteTableFile(spec, FilePath(next, spec), cells));
    publication_.Add(next, folder);
    return Status::OK();
  }

  // The published file of `table` in `folder`.
  static std::string FilePath(const std::string& folder, const TableSpec& spec) {
    return (fs::path(folder) / (std::string(spec.name) + ".csv")).string();
  }

  // koku's populate_openshift_cluster_information_tables, nodes aside.
  Status ClusterTables() {
    const RunIdentity& run = tables_.identity();
    const std::string clusters_dir = Folder(ReportingTable::kClusters);
    ARROW_ASSIGN_OR_RAISE(
        auto clusters,
        ReadRows<ClusterRow>(SpecOf(ReportingTable::kClusters),
                             FilePath(clusters_dir, SpecOf(ReportingTable::kClusters))));
    std::sort(clusters.begin(), clusters.end(),
              [](const ClusterRow& a, const ClusterRow& b) { return a.uuid < b.uuid; });
    const ClusterUpsert upsert =
        UpsertCluster(clusters, run.cluster_id, run.cluster_alias, run.source_uuid);
    const std::string cluster = clusters[upsert.cluster].cluster_id;
    ARROW_RETURN_NOT_OK(StageFile(ReportingTable::kClusters, clusters_dir, clusters));

    const std::string pvcs_dir = Folder(ReportingTable::kPvcs);
    ARROW_ASSIGN_OR_RAISE(auto pvcs,
                          ReadRows<PvcRow>(SpecOf(ReportingTable::kPvcs),
                                           FilePath(pvcs_dir, SpecOf(ReportingTable::kPvcs))));
    UpsertPvcs(pvcs, tables_.Pvcs());
    ARROW_RETURN_NOT_OK(StageFile(ReportingTable::kPvcs, pvcs_dir, pvcs, cluster));

    const std::string projects_dir = Folder(ReportingTable::kProjects);
    ARROW_ASSIGN_OR_RAISE(
        auto projects,
        ReadRows<ProjectRow>(SpecOf(ReportingTable::kProjects),
                             FilePath(projects_dir, SpecOf(ReportingTable::kProjects))));
    UpsertProjects(projects, tables_.projects());
    return StageFile(ReportingTable::kProjects, projects_dir, projects, cluster);
  }

  // The UI summaries' month folders: the days EndDay staged, and the old month's other days.
  Status UiSummaries() {
    for (ReportingTable t : UiSummaryTables()) {
      const TableSpec& spec = SpecOf(t);
      const std::string month = Folder(t, tables_.start());
      const std::string next = NewFolder(staging_dir_, spec);
      if (!fs::exists(next) && !fs::exists(month)) continue;  // nothing to write or delete
      ARROW_RETURN_NOT_OK(KeepDaysOutside(month, next, tables_.start(), tables_.end()));
      publication_.Add(next, month);
    }
    return Status::OK();
  }

  // The label summaries of the report period (the month) and the tag values they rewrite.
  Status LabelSummaries() {
    const RunIdentity& run = tables_.identity();
    const std::optional<int32_t> period =
        run.report_period_id > 0 ? std::optional(run.report_period_id) : std::nullopt;
    std::vector<TagValuesRow> run_tags;
    for (auto [table, labels] :
         {std::pair{ReportingTable::kPodLabelSummary, &tables_.pod_labels()},
          std::pair{ReportingTable::kVolumeLabelSummary, &tables_.volume_labels()}}) {
      const std::string month = Folder(table, tables_.start());
      ARROW_ASSIGN_OR_RAISE(
          auto rows, ReadRows<LabelSummaryRow>(SpecOf(table), FilePath(month, SpecOf(table))));
      rows = MergeLabelSummary(std::move(rows), labels->SummaryRows(period));
      ARROW_RETURN_NOT_OK(StageFile(table, month, rows));
      // The volume step runs after the pod step and rewrites what both found.
      ApplyTagValues(run_tags, labels->TagValues(run.cluster_id, run.cluster_alias));
    }
    const std::string tags_dir = Folder(ReportingTable::kTagsValues);
    ARROW_ASSIGN_OR_RAISE(
        auto tags, ReadRows<TagValuesRow>(SpecOf(ReportingTable::kTagsValues),
                                          FilePath(tags_dir, SpecOf(ReportingTable::kTagsValues))));
    ApplyTagValues(tags, run_tags);
    return StageFile(ReportingTable::kTagsValues, tags_dir, tags);
  }

 private:
  std::string Folder(ReportingTable table, std::optional<Date> month = std::nullopt) const {
    return TableFolder(output_dir_, SpecOf(table).name, tables_.identity().source_uuid, month);
  }

  const RunTables& tables_;
  const std::string& output_dir_;
  const std::string& staging_dir_;
  Publication& publication_;
  UuidGenerator uuids_;
};

}  // namespace

std::string TableFolder(const std::string& output_dir, std::string_view table,
                        const std::string& source_uuid, std::optional<Date> month) {
  fs::path folder = fs::path(output_dir) / table / fmt::format("source={}", source_uuid);
  if (month) {
    const auto ymd = ToYmd(*month);
    folder = folder / fmt::format("year={:04d}", static_cast<int>(ymd.year())) /
             fmt::format("month={:02d}", static_cast<unsigned>(ymd.month()));
  }
  return folder.string();
}

Status FilesTables::EndDay(Date day, const std::string& staging_dir) {
  std::unique_ptr<UiSummaries> ui = run_.TakeDay(day);
  if (!ui) return Status::OK();
  UuidGenerator uuids;
  for (ReportingTable t : UiSummaryTables()) {
    std::vector<TableRow> rows = ui->Rows(t, run_.identity());
    if (rows.empty()) continue;
    const TableSpec& spec = SpecOf(t);
    const std::string folder = NewFolder(staging_dir, spec);
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) return SinkError("cannot create {}: {}", folder, ec.message());
    AssignKeys(rows, uuids);
    ARROW_RETURN_NOT_OK(
        WriteTableFile(spec, (fs::path(folder) / (FormatDate(day) + ".csv")).string(), rows));
  }
  return Status::OK();
}

Status FilesTables::Stage(const std::string& staging_dir, Publication& publication) {
  Stager stager(run_, output_dir_, staging_dir, publication);
  ARROW_RETURN_NOT_OK(stager.ClusterTables());
  ARROW_RETURN_NOT_OK(stager.UiSummaries());
  return stager.LabelSummaries();
}

}  // namespace ocpagg
