#pragma once
// The tables beside the summary (docs/semantics.md "Tables beside the summary") as CSV files
// under the output folder, each the file twin of koku's table:
//   UI summaries, one file per day (koku deletes the source's rows of the range):
//     {output}/{table}/source={uuid}/year=YYYY/month=MM/YYYY-MM-DD.csv
//   label summaries, one file per report period (a month), merged into:
//     {output}/{table}/source={uuid}/year=YYYY/month=MM/{table}.csv
//   clusters, PVCs, projects and tag values, one file per source, upserted:
//     {output}/{table}/source={uuid}/{table}.csv
// CSV as the summary's (PostgreSQL's CSV conventions), arrays as PostgreSQL's array text, the
// cluster as its text id. Tag values are kept per source: koku's table is one per schema.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ocpagg/common/status.h"
#include "ocpagg/sinks/files_publish.h"
#include "ocpagg/tables/run_tables.h"

namespace ocpagg {

// {output}/{table}/source={uuid}, and /year=YYYY/month=MM for the month of `month`.
std::string TableFolder(const std::string& output_dir, std::string_view table,
                        const std::string& source_uuid, std::optional<Date> month = std::nullopt);

// The tables of one run for FilesSink: the UI summary files of each day are written into the
// run's staging folder when the day ends (days may end at once, from different threads); the
// other tables, which koku merges into, are read, merged and staged at the commit, under the
// output folder's lock.
class FilesTables {
 public:
  FilesTables(std::string output_dir, const RunIdentity& identity, Date start, Date end)
      : output_dir_(std::move(output_dir)), run_(identity, start, end) {}

  Status AddRows(Date day, std::span<const SummaryRow> rows) { return run_.AddRows(day, rows); }
  void SetProjects(std::span<const std::string> namespaces) { run_.SetProjects(namespaces); }
  // Writes the UI summary files of `day`, whose rows are all in, into `staging_dir`.
  Status EndDay(Date day, const std::string& staging_dir);
  // Stages the files of the other tables into `staging_dir`, reading the rows earlier runs
  // left where koku merges into them, and adds every table's folder to `publication`.
  Status Stage(const std::string& staging_dir, Publication& publication);

 private:
  std::string output_dir_;
  RunTables run_;
};

}  // namespace ocpagg
