#pragma once
// Summary rows into koku's reporting_ocpusagelineitem_daily_summary, in the session's
// transaction (pg/koku_session.h): Begin creates the month's partition when the table is
// partitioned and runs koku's DELETE for the report period and date range; rows stream in with
// COPY; Commit writes the tables beside the summary when asked to (sinks/postgres_tables.h),
// stamps the report period's summary_data_updated_datetime and commits. Nothing is visible
// before that.

#include <memory>
#include <string>

#include "ocpagg/common/uuid.h"
#include "ocpagg/engine/row_sink.h"
#include "ocpagg/koku/settings.h"
#include "ocpagg/pg/koku_session.h"
#include "ocpagg/sinks/postgres_tables.h"

namespace ocpagg {

class PostgresSink : public RowSink {
 public:
  // `compat` decides how numbers are sent (docs/semantics.md "PostgreSQL and Trino differences":
  // numbers).
  // `write_tables`: also fill the tables koku's summary step fills besides the daily summary
  // (docs/semantics.md "Tables beside the summary"), from the rows as they stream by.
  PostgresSink(std::shared_ptr<pg::KokuSession> session, Compat compat, bool write_tables = false)
      : session_(std::move(session)), compat_(compat), write_tables_(write_tables) {}
  ~PostgresSink() override;

  Status Begin(const RunIdentity& identity, Date start, Date end) override;
  Status WriteProjects(std::span<const std::string> namespaces) override;
  Status WriteRows(Date day, std::span<const SummaryRow> rows) override;
  Status EndDay(Date day) override;
  Status Commit() override;
  void Abort() override;

  int64_t rows_written() const { return rows_written_; }

 private:
  Status Flush();

  std::shared_ptr<pg::KokuSession> session_;
  Compat compat_;
  bool write_tables_;
  std::unique_ptr<PostgresTables> tables_;  // with write_tables_, from Begin on
  RunIdentity identity_;
  bool copying_ = false;
  std::string buffer_;
  UuidGenerator uuids_;
  int64_t rows_written_ = 0;
};

}  // namespace ocpagg
