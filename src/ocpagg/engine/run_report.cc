#include "ocpagg/engine/run_report.h"

#include <fmt/format.h>

#include <fstream>

namespace ocpagg {
namespace {

// A read counter's value; null where the input is not read as files (PostgreSQL).
std::string Counted(const SummarizeReport& r, int64_t value) {
  return r.reads_counted ? std::to_string(value) : "null";
}

}  // namespace

std::string RunReportJson(const SummarizeReport& r) {
  std::string rows_read, files;
  for (int t = 0; t < kInputTableCount; ++t) {
    auto name = InputTableName(static_cast<InputTable>(t));
    rows_read += fmt::format("{}\n    \"{}\": {}", t ? "," : "", name, r.rows_read[t]);
    files += fmt::format("{}\n    \"{}\": {}", t ? "," : "", name, r.files[t]);
  }
  const int64_t total_rows_read = [&] {
    int64_t n = 0;
    for (auto v : r.rows_read) n += v;
    return n;
  }();
  return fmt::format(
      R"({{
  "start_date": "{}",
  "end_date": "{}",
  "report_period_id": {},
  "mode": "{}",
  "threads": {},
  "memory_limit_bytes": {},
  "days_planned": {},
  "days_with_rows": {},
  "row_groups": {},
  "bytes_read": {},
  "read_requests": {},
  "files": {{{}
  }},
  "rows_read": {{{}
  }},
  "rows_read_total": {},
  "rows_written": {{
    "Pod": {},
    "Storage": {},
    "unallocated": {}
  }},
  "seconds": {{
    "plan": {:.6f},
    "scan": {:.6f},
    "aggregate": {:.6f},
    "write": {:.6f},
    "wall": {:.6f},
    "cpu": {:.6f},
    "lock_wait": {:.6f}
  }},
  "rows_per_second": {:.1f},
  "peak_rss_bytes": {},
  "average_rss_bytes": {},
  "spill_bytes": {},
  "days_spilled": {},
  "baseline_rss_bytes": {},
  "state_budget_bytes": {},
  "batch_rows": {}
}}
)",
      FormatDate(r.start), FormatDate(r.end), r.report_period_id, ExecutionModeName(r.mode),
      r.threads, r.memory_limit_bytes, r.days_planned, r.days_with_rows, r.row_groups,
      Counted(r, r.bytes_read), Counted(r, r.read_requests), files, rows_read, total_rows_read,
      r.pod_rows, r.storage_rows, r.unallocated_rows, r.plan_seconds, r.scan_seconds,
      r.aggregate_seconds, r.write_seconds, r.wall_seconds, r.cpu_seconds, r.lock_wait_seconds,
      r.wall_seconds > 0 ? total_rows_read / r.wall_seconds : 0.0, r.peak_rss_bytes,
      r.average_rss_bytes, r.spill_bytes, r.days_spilled, r.baseline_rss_bytes,
      r.state_budget_bytes, r.batch_rows);
}

Status WriteRunReport(const SummarizeReport& report, const std::string& path) {
  std::ofstream out(path);
  out << RunReportJson(report);
  out.close();
  if (!out) return SinkError("cannot write the run report {}", path);
  return Status::OK();
}

}  // namespace ocpagg
