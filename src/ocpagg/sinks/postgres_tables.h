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

#include "ocpagg/common/status.h"
#include "ocpagg/koku/settings.h"
#include "ocpagg/pg/koku_session.h"
#include "ocpagg/tables/run_tables.h"

namespace ocpagg {

// Writes every table of `tables` (a finished run) in the session's open transaction; nothing
// is visible before the session commits. `compat` decides how numbers are sent.
Status WriteTablesToPostgres(pg::KokuSession& session, const RunTables& tables, Compat compat);

}  // namespace ocpagg
