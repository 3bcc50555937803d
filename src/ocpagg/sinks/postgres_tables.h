#pragma once
// The tables beside the summary (docs/semantics.md "Tables beside the summary") into koku's
// PostgreSQL tables, in the session's transaction (pg/koku_session.h), each changed the way
// koku's SQL or Python changes it, in koku's order:
//   - reporting_ocp_pvcs, reporting_ocp_projects: upserted for the source's cluster (its row in
//     reporting_ocp_clusters is the koku state's, state/postgres_state.h);
//   - the UI summary tables: koku's DELETE for the source and date range, then the run's rows;
//   - the label summaries of the report period: rows of disabled keys deleted, the run's values
//     merged in; reporting_ocptags_values: the run's keys and values rewritten, disabled keys
//     deleted.

#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/settings.h"
#include "ocpagg/pg/koku_session.h"
#include "ocpagg/tables/run_tables.h"

namespace ocpagg {

// The tables of one run for PostgresSink. The UI summary rows of each finished day wait as COPY
// text in an unnamed temporary file per table (the connection streams the summary rows until
// the commit), so that memory holds only the day being written.
class PostgresTables {
 public:
  PostgresTables(std::shared_ptr<pg::KokuSession> session, Compat compat,
                 const RunIdentity& identity, Date start, Date end);
  PostgresTables(const PostgresTables&) = delete;
  PostgresTables& operator=(const PostgresTables&) = delete;

  // Fails, naming the first one, when the schema lacks one of the tables.
  Status CheckSchema();
  Status AddRows(Date day, std::span<const SummaryRow> rows) { return run_.AddRows(day, rows); }
  void SetProjects(std::span<const std::string> namespaces) { run_.SetProjects(namespaces); }
  // Encodes the UI summary rows of `day`, whose rows are all in.
  Status EndDay(Date day);
  // Writes every table in the session's open transaction; nothing is visible before the
  // session commits.
  Status Write();

 private:
  Status WriteClusterTables();
  Status WriteUiSummaries();
  Status WriteLabelSummaries();

  std::shared_ptr<pg::KokuSession> session_;
  Compat compat_;
  RunTables run_;
  // COPY text of the finished days, one file per UI summary table (UiSummaryTables() order).
  std::vector<std::unique_ptr<std::FILE, int (*)(std::FILE*)>> spools_;
};

}  // namespace ocpagg
