#include "ocpagg/aggregate/day_finalize.h"

namespace ocpagg {

Result<std::unique_ptr<DayFinalize>> DayFinalize::Make(const SummarySettings& settings, Date day,
                                                       const NodeRoleTable& roles,
                                                       uint32_t partitions, bool in_order) {
  ARROW_ASSIGN_OR_RAISE(CostCategoryMatcher categories,
                        CostCategoryMatcher::Make(settings.cost_categories, settings.compat));
  return std::unique_ptr<DayFinalize>(
      new DayFinalize(std::move(categories), day, roles, partitions, in_order));
}

DayFinalize::DayFinalize(CostCategoryMatcher categories, Date day, const NodeRoleTable& roles,
                         uint32_t partitions, bool in_order)
    : categories_(std::move(categories)),
      day_(day),
      roles_(roles),
      partitions_(partitions),
      in_order_(in_order),
      day_fold_(roles) {}

void DayFinalize::AddVolumeNodes(const DaySummary& storage) {
  VolumeNodes local;
  storage.CollectVolumeNodes(local);
  std::lock_guard<std::mutex> lock(volume_mu_);
  for (auto& [volume, nodes] : local) volume_nodes_[volume].insert(nodes.begin(), nodes.end());
}

const VolumeNodeCounts* DayFinalize::Counts() {
  // A day of one partition: its state counts its volumes' nodes itself.
  if (partitions_ == 1) return nullptr;
  std::call_once(counted_, [this] {
    for (const auto& [volume, nodes] : volume_nodes_) {
      counts_[volume] = static_cast<int64_t>(nodes.size());
    }
    volume_nodes_ = VolumeNodes();
  });
  return &counts_;
}

Status DayFinalize::FinishPartition(uint32_t p, DaySummary&& piece, RowChunker& out) {
  UnallocatedCapacity own_fold(roles_);
  UnallocatedCapacity& fold = in_order_ ? day_fold_ : own_fold;
  {
    // The piece goes as soon as its rows are out, before the day's unallocated rows.
    DaySummary finishing = std::move(piece);
    ARROW_RETURN_NOT_OK(std::move(finishing).FinishPiece(categories_, Counts(), fold, out));
  }
  std::unique_lock<std::mutex> lock(fold_mu_);
  if (!in_order_) {
    // Each fold holds every node of its partition: merged as soon as its turn comes, rather than
    // kept until the end (which would cost partitions x nodes).
    pending_folds_.emplace(p, std::move(own_fold));
    for (auto it = pending_folds_.begin(); it != pending_folds_.end() && it->first == next_fold_;
         it = pending_folds_.erase(it), ++next_fold_) {
      day_fold_.Merge(it->second);
    }
  }
  if (++finished_ < partitions_) {
    // Written before the last partition can see this one finished: the unallocated rows come
    // after every other row of the day.
    return out.Flush();
  }
  lock.unlock();
  // Statement (iii) over the whole day: every partition has been finished and folded.
  ARROW_RETURN_NOT_OK(
      day_fold_.Emit(categories_, day_, [&out](SummaryRow&& r) { return out.Add(std::move(r)); }));
  return out.Flush();
}

}  // namespace ocpagg
