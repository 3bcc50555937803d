#include "ocpagg/tables/run_tables.h"

namespace ocpagg {

RunTables::RunTables(RunIdentity identity, Date start, Date end)
    : identity_(std::move(identity)),
      start_(start),
      end_(end),
      pod_labels_(DataSource::kPod, identity_.enabled_keys),
      volume_labels_(DataSource::kStorage, identity_.enabled_keys) {}

Status RunTables::AddRows(Date day, std::span<const SummaryRow> rows) {
  UiSummaries* ui = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = days_[day];
    if (!slot) slot = std::make_unique<UiSummaries>();
    ui = slot.get();
    for (const SummaryRow& row : rows) {
      ARROW_RETURN_NOT_OK(pod_labels_.Add(row));
      ARROW_RETURN_NOT_OK(volume_labels_.Add(row));
      pvcs_.Add(row);
    }
  }
  ui->Add(rows);  // the day's own state: only this thread writes the day
  return Status::OK();
}

std::unique_ptr<UiSummaries> RunTables::TakeDay(Date day) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = days_.find(day);
  if (it == days_.end()) return nullptr;
  std::unique_ptr<UiSummaries> ui = std::move(it->second);
  days_.erase(it);
  return ui;
}

void RunTables::SetProjects(std::span<const std::string> namespaces) {
  projects_.assign(namespaces.begin(), namespaces.end());
}

}  // namespace ocpagg
