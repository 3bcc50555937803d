#pragma once
// The tables koku's summary step fills besides the daily summary (docs/semantics.md "Tables
// beside the summary"), gathered from one run: a row sink's table writer
// (sinks/postgres_tables.h, sinks/files_tables.h) feeds it the summary rows as they stream by
// and the result of koku's projects query. Nothing here reads the input a second time. The UI
// summaries are per day: a day's groups are handed over when the day ends and forgotten, so
// memory holds the days being written; what is kept for the whole run (label values per
// namespace and node, PVCs, namespaces) follows the size of those tables.

#include <map>
#include <memory>
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

  // Folds in summary rows of `day`. Days may be written at once from different threads; the
  // rows of one day come from one thread at a time (engine/row_sink.h).
  Status AddRows(Date day, std::span<const SummaryRow> rows);
  // The UI summaries of `day` once its rows are all in (nullptr when it had none); the run
  // forgets the day.
  std::unique_ptr<UiSummaries> TakeDay(Date day);
  // koku's projects query: the distinct namespaces of the range's daily pod rows.
  void SetProjects(std::span<const std::string> namespaces);

  const RunIdentity& identity() const { return identity_; }
  Date start() const { return start_; }
  Date end() const { return end_; }
  // The run-wide results; call once every row is in.
  const RunLabels& pod_labels() const { return pod_labels_; }
  const RunLabels& volume_labels() const { return volume_labels_; }
  std::vector<PvcRow> Pvcs() const { return pvcs_.Found(); }
  std::span<const std::string> projects() const { return projects_; }

 private:
  RunIdentity identity_;
  Date start_, end_;
  std::mutex mu_;  // guards days_ and the run-wide accumulators during AddRows
  std::map<Date, std::unique_ptr<UiSummaries>> days_;
  RunLabels pod_labels_;
  RunLabels volume_labels_;
  RunPvcs pvcs_;
  std::vector<std::string> projects_;
};

}  // namespace ocpagg
