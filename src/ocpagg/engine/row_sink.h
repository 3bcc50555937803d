#pragma once
// Where a summary run's rows go. The engine drives a sink through these steps, in this order:
//   Begin -> WriteProjects -> (WriteRows* EndDay)* -> Commit,   or Abort at any point after Begin.
// A sink only consumes rows: what it needs of koku's state (the report period, the cluster)
// arrives in the RunIdentity; settings and node roles come from a KokuState (koku_state.h).
// A sink destroyed without Commit() must leave its destination as it was.
//
// A new sink is one file under sinks/ implementing this class (sinks/files_sink.h and
// sinks/postgres_sink.h are the two there are); rows are encoded with sinks/summary_encoding.h,
// which follows the one column table of koku/summary_columns.h.

#include <span>
#include <string>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/summary_row.h"

namespace ocpagg {

class RowSink {
 public:
  virtual ~RowSink() = default;

  // Starts writing the rows of [start, end]: they replace what an earlier run wrote there.
  virtual Status Begin(const RunIdentity& identity, Date start, Date end) = 0;
  // koku's projects query over the run's range: the distinct namespaces of the daily pod rows,
  // pods on no node included (docs/semantics.md "Cluster tables"), for reporting_ocp_projects.
  // Called once, after Begin. A sink that writes only the summary ignores it.
  virtual Status WriteProjects(std::span<const std::string> /*namespaces*/) { return Status::OK(); }
  // Rows of `day`, in any order, as the engine produces them: a day arrives in bounded chunks
  // (any number of calls), days in increasing order unless IndependentDays(). `rows` is only
  // valid during the call.
  virtual Status WriteRows(Date day, std::span<const SummaryRow> rows) = 0;
  // No more rows of `day` follow. Called once for each day the engine summarized, rows or not.
  virtual Status EndDay(Date day) = 0;
  // True when days may be written at the same time from different threads (one thread per day:
  // a day's WriteRows and EndDay calls never overlap, and days may come in any order). Files
  // are per day; a database stream is not.
  virtual bool IndependentDays() const { return false; }
  // Makes the rows visible atomically.
  virtual Status Commit() = 0;
  // Drops everything written since Begin; the destination stays as it was. Also what the
  // destructor does when Commit() did not run.
  virtual void Abort() = 0;
};

}  // namespace ocpagg
