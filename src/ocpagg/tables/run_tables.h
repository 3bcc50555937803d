#pragma once
// The tables koku's summary step fills besides the daily summary (docs/semantics.md "Tables
// beside the summary"), gathered from one run: a row sink feeds it the summary rows as they
// stream by and the result of koku's projects query, and at its commit writes what it computed
// (sinks/postgres_tables.h, sinks/files_tables.h) next to the summary rows. Nothing here reads
// the input a second time; memory follows the size of those tables (rows grouped by day and
// namespace, node or claim; distinct label values; PVCs), not the number of summary rows.

#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/summary_row.h"
#include "ocpagg/tables/cluster_tables.h"
#include "ocpagg/tables/label_summaries.h"
#include "ocpagg/tables/ui_summaries.h"

namespace ocpagg {

class RunTables {
 public:
  // The run writing [start, end]; its enabled keys decide the label summaries.
  RunTables(RunIdentity identity, Date start, Date end);

  // Folds summary rows in. Thread-safe: days may be written at once.
  Status AddRows(std::span<const SummaryRow> rows);
  // koku's projects query: the distinct namespaces of the range's daily pod rows.
  void SetProjects(std::span<const std::string> namespaces);

  const RunIdentity& identity() const { return identity_; }
  Date start() const { return start_; }
  Date end() const { return end_; }
  // The results; call once every row is in.
  const UiSummaries& ui() const { return ui_; }
  const RunLabels& pod_labels() const { return pod_labels_; }
  const RunLabels& volume_labels() const { return volume_labels_; }
  std::vector<PvcRow> Pvcs() const { return pvcs_.Found(); }
  std::span<const std::string> projects() const { return projects_; }

 private:
  RunIdentity identity_;
  Date start_, end_;
  std::mutex mu_;  // guards the accumulators below during AddRows
  UiSummaries ui_;
  RunLabels pod_labels_;
  RunLabels volume_labels_;
  RunPvcs pvcs_;
  std::vector<std::string> projects_;
};

}  // namespace ocpagg
