#pragma once
// Where a summary run gets koku's settings from and where its rows go: PostgreSQL (koku's own
// tables) or files. The engine drives a target through these steps, in this order:
//   LoadSettings -> ReportPeriodId -> ResolveNodeRoles -> BeginRows -> (WriteRows* EndDay)*
//   -> Commit.
// A target that is destroyed without Commit() must leave its destination as it was.

#include <span>

#include "ocpagg/aggregate/node_inventory.h"
#include "ocpagg/aggregate/node_roles.h"
#include "ocpagg/common/status.h"
#include "ocpagg/koku/settings.h"
#include "ocpagg/koku/summary_row.h"

namespace ocpagg {

class SummaryTarget {
 public:
  virtual ~SummaryTarget() = default;

  // Enabled tag keys and cost-category patterns (docs/semantics.md "Settings tables"), with
  // `compat` filled in.
  virtual Result<SummarySettings> LoadSettings(Compat compat) = 0;

  // The report period of the month starting at `month_start` for the run's cluster; created
  // when missing (docs/semantics.md "Settings tables"). Targets without report periods return 0
  // (NULL).
  virtual Result<int32_t> ReportPeriodId(Date month_start) = 0;

  // Records the nodes query result (docs/semantics.md "Node roles": sticky roles) and returns the
  // role table the unallocated rows read (max role per (node, resource_id), all clusters).
  virtual Result<NodeRoleTable> ResolveNodeRoles(std::span<const NodeInventoryRow> inventory) = 0;

  // Starts writing the rows of [start, end]: replaces what an earlier run wrote there.
  virtual Status BeginRows(const RunIdentity& identity, Date start, Date end) = 0;
  // Rows of `day`, in any order, as the engine produces them: a day arrives in bounded chunks
  // (any number of calls), days in increasing order. `rows` is only valid during the call.
  virtual Status WriteRows(Date day, std::span<const SummaryRow> rows) = 0;
  // No more rows of `day` follow. Called once for each day the engine summarized, rows or not.
  virtual Status EndDay(Date day) = 0;
  // True when days may be written at the same time from different threads (one thread per day:
  // a day's WriteRows and EndDay calls never overlap, and days may come in any order). Files
  // are per day; a database stream is not.
  virtual bool IndependentDays() const { return false; }
  // Makes the run visible atomically.
  virtual Status Commit() = 0;
};

}  // namespace ocpagg
