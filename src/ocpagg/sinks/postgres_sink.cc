#include "ocpagg/sinks/postgres_sink.h"

#include <fmt/format.h>

#include "ocpagg/pg/koku_schema.h"
#include "ocpagg/sinks/summary_encoding.h"

namespace ocpagg {
namespace {

constexpr size_t kFlushBytes = 1 << 20;
constexpr std::string_view kSummaryTable = "reporting_ocpusagelineitem_daily_summary";

}  // namespace

PostgresSink::~PostgresSink() { Abort(); }

Status PostgresSink::Begin(const RunIdentity& identity, Date start, Date end) {
  identity_ = identity;
  if (write_tables_) {
    tables_ = std::make_unique<PostgresTables>(session_, compat_, identity, start, end);
    ARROW_RETURN_NOT_OK(tables_->CheckSchema());
  }
  pg::Connection& conn = session_->conn();
  const std::string table = session_->Table(kSummaryTable);
  ARROW_RETURN_NOT_OK(
      pg::EnsureMonthPartition(conn, session_->options().schema, kSummaryTable, start));
  // docs/semantics.md "The summary run": by report period, not by source; OCP-on-cloud rows
  // (non-zero infrastructure_raw_cost) survive.
  ARROW_RETURN_NOT_OK(
      conn.Exec(fmt::format("DELETE FROM {} WHERE usage_start >= $1 AND usage_start <= $2 AND "
                            "report_period_id = $3 AND (infrastructure_raw_cost IS NULL OR "
                            "infrastructure_raw_cost = 0)",
                            table),
                {FormatDate(start), FormatDate(end), std::to_string(identity.report_period_id)})
          .status());
  ARROW_RETURN_NOT_OK(
      conn.BeginCopy(fmt::format("COPY {} ({}) FROM STDIN", table, SummaryColumnList())));
  copying_ = true;
  buffer_.reserve(kFlushBytes + 4096);
  return Status::OK();
}

Status PostgresSink::WriteProjects(std::span<const std::string> namespaces) {
  if (tables_) tables_->SetProjects(namespaces);
  return Status::OK();
}

Status PostgresSink::WriteRows(Date day, std::span<const SummaryRow> rows) {
  if (tables_) ARROW_RETURN_NOT_OK(tables_->AddRows(day, rows));
  std::array<char, 36> uuid;
  for (const auto& r : rows) {
    uuids_.Next(uuid);
    ARROW_RETURN_NOT_OK(AppendCopyRow(
        RowContext{r, identity_, std::string_view(uuid.data(), uuid.size())}, compat_, buffer_));
    ++rows_written_;
    if (buffer_.size() >= kFlushBytes) ARROW_RETURN_NOT_OK(Flush());
  }
  return Status::OK();
}

Status PostgresSink::EndDay(Date day) {
  if (tables_) return tables_->EndDay(day);
  return Status::OK();
}

Status PostgresSink::Flush() {
  if (buffer_.empty()) return Status::OK();
  ARROW_RETURN_NOT_OK(session_->conn().PutCopyData(buffer_));
  buffer_.clear();
  return Status::OK();
}

Status PostgresSink::Commit() {
  pg::Connection& conn = session_->conn();
  if (copying_) {
    ARROW_RETURN_NOT_OK(Flush());
    ARROW_RETURN_NOT_OK(conn.EndCopy());
    copying_ = false;
  }
  if (tables_) ARROW_RETURN_NOT_OK(tables_->Write());
  if (identity_.report_period_id > 0) {
    ARROW_RETURN_NOT_OK(
        conn.Exec(fmt::format("UPDATE {} SET summary_data_updated_datetime = now() WHERE id = $1",
                              session_->Table("reporting_ocpusagereportperiod")),
                  {std::to_string(identity_.report_period_id)})
            .status());
  }
  return session_->Commit();
}

// The transaction rolls back when the session closes without COMMIT; dropping the buffered
// rows is all that is left to do here.
void PostgresSink::Abort() {
  tables_.reset();
  buffer_.clear();
  buffer_.shrink_to_fit();
}

}  // namespace ocpagg
