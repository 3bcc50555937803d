#pragma once
// What a summary run reads of koku's state, and what it records there: the enabled tag keys
// and cost categories (docs/semantics.md), the month's report period, and the node table whose
// roles stay sticky across runs. Read before the first row is written; the engine hands the
// report period to the row sink in the RunIdentity and the node roles to the unallocated step.
//
// Backed by koku's PostgreSQL tables (state/postgres_state.h) or by local files
// (state/files_state.h); any state goes with any sink (row_sink.h).

#include <span>

#include "ocpagg/aggregate/node_inventory.h"
#include "ocpagg/aggregate/node_roles.h"
#include "ocpagg/common/status.h"
#include "ocpagg/koku/settings.h"

namespace ocpagg {

class KokuState {
 public:
  virtual ~KokuState() = default;

  // Enabled tag keys and cost-category patterns, with `compat` filled in.
  virtual Result<SummarySettings> LoadSettings(Compat compat) = 0;

  // The report period of the month starting at `month_start` for the run's cluster; created
  // when missing. States without report periods return 0 (NULL in the rows).
  virtual Result<int32_t> ReportPeriodId(Date month_start) = 0;

  // Records the nodes query result (new nodes, changed roles; roles are sticky) and returns
  // the role table the unallocated rows read (max role per (node, resource_id), all clusters).
  virtual Result<NodeRoleTable> ResolveNodeRoles(std::span<const NodeInventoryRow> inventory) = 0;

  // Makes what ReportPeriodId and ResolveNodeRoles recorded durable. The engine calls it after
  // the row sink's Commit, so that a run that fails before that records nothing.
  virtual Status Commit() = 0;
};

}  // namespace ocpagg
