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
#include <string>
#include <string_view>

#include "ocpagg/common/status.h"
#include "ocpagg/sinks/files_publish.h"
#include "ocpagg/tables/run_tables.h"

namespace ocpagg {

// {output}/{table}/source={uuid}, and /year=YYYY/month=MM for the month of `month`.
std::string TableFolder(const std::string& output_dir, std::string_view table,
                        const std::string& source_uuid, std::optional<Date> month = std::nullopt);

// Writes the new files of every table of `tables` (a finished run) into `staging_dir` and adds
// their folders to `publication`; the rows earlier runs left are read from `output_dir` where
// koku merges into them. The caller holds the output folder's lock from here to the publication.
Status StageTableFiles(const RunTables& tables, const std::string& output_dir,
                       const std::string& staging_dir, Publication& publication);

}  // namespace ocpagg
