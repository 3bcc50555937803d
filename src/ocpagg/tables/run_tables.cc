#include "ocpagg/tables/run_tables.h"

namespace ocpagg {

RunTables::RunTables(RunIdentity identity, Date start, Date end)
    : identity_(std::move(identity)),
      start_(start),
      end_(end),
      pod_labels_(DataSource::kPod, identity_.enabled_keys),
      volume_labels_(DataSource::kStorage, identity_.enabled_keys) {}

Status RunTables::AddRows(std::span<const SummaryRow> rows) {
  std::lock_guard<std::mutex> lock(mu_);
  ui_.Add(rows);
  for (const SummaryRow& row : rows) {
    ARROW_RETURN_NOT_OK(pod_labels_.Add(row));
    ARROW_RETURN_NOT_OK(volume_labels_.Add(row));
    pvcs_.Add(row);
  }
  return Status::OK();
}

void RunTables::SetProjects(std::span<const std::string> namespaces) {
  projects_.assign(namespaces.begin(), namespaces.end());
}

}  // namespace ocpagg
