#include "ocpagg/aggregate/day_summary.h"

#include <algorithm>

#include "ocpagg/aggregate/cost_categories.h"
#include "ocpagg/aggregate/day_context.h"
#include "ocpagg/aggregate/day_finalize.h"
#include "ocpagg/aggregate/unallocated.h"

namespace ocpagg {
namespace {

std::string_view Show(std::optional<std::string_view> s) { return s ? *s : "NULL"; }

}  // namespace

void ClaimedPods::Add(std::optional<std::string_view> namespace_,
                      std::optional<std::string_view> pod) {
  if (!namespace_ || !pod) return;  // NULL never joins
  auto [it, added] = namespaces_.try_emplace(*namespace_, static_cast<uint32_t>(pods_.size()));
  if (added) pods_.emplace_back();
  StringSet& pods = pods_[it->second];
  if (!pods.contains(*pod)) pods.emplace(*pod);
}

uint32_t ClaimedPods::NamespaceOf(std::optional<std::string_view> namespace_) const {
  if (!namespace_) return kNoClaims;
  auto it = namespaces_.find(*namespace_);
  return it == namespaces_.end() ? kNoClaims : it->second;
}

bool ClaimedPods::ContainsPod(uint32_t namespace_, std::optional<std::string_view> pod) const {
  return namespace_ != kNoClaims && pod && pods_[namespace_].contains(*pod);
}

void ClaimedPods::Merge(const ClaimedPods& other) {
  for (const auto& [namespace_, index] : other.namespaces_) {
    for (const std::string& pod : other.pods_[index]) Add(namespace_, pod);
  }
}

DaySummary::DaySummary(const SummarySettings& settings, Date usage_start)
    : settings_(&settings),
      day_(usage_start),
      labels_(EnabledLabelKeys::FromSettings(settings), settings.compat),
      capacity_(usage_start) {}

Status DaySummary::AddNodeLabels(const NodeLabelRow& row) {
  ++rows_added_;
  auto labels = labels_.Filter(row.node_labels);
  if (!labels.ok()) {
    return WithContext(labels.status(), fmt::format("node_labels of node '{}' on {}",
                                                    Show(row.node), FormatDate(day_)));
  }
  dimensions_.AddNode(strings_.Intern(row.node), *labels);
  return Status::OK();
}

Status DaySummary::AddNamespaceLabels(const NamespaceLabelRow& row) {
  ++rows_added_;
  auto labels = labels_.Filter(row.namespace_labels);
  if (!labels.ok()) {
    return WithContext(labels.status(), fmt::format("namespace_labels of namespace '{}' on {}",
                                                    Show(row.namespace_), FormatDate(day_)));
  }
  dimensions_.AddNamespace(strings_.Intern(row.namespace_), *labels);
  return Status::OK();
}

StringId DaySummary::InternCapacityNode(std::optional<std::string_view> node) {
  if (!node) return kNullString;
  if (last_capacity_node_id_ != kNullString && *node == last_capacity_node_) {
    return last_capacity_node_id_;
  }
  last_capacity_node_id_ = strings_.Intern(*node);
  last_capacity_node_ = *strings_.Get(last_capacity_node_id_);
  return last_capacity_node_id_;
}

void DaySummary::AddCapacity(const PodCapacityRow& row) {
  ++rows_added_;
  capacity_.Add(row.interval_start_millis, InternCapacityNode(row.node),
                row.node_capacity_cpu_core_seconds, row.node_capacity_memory_byte_seconds);
}

Status DaySummary::AddPodUsage(const PodUsageRow& row) {
  ARROW_ASSIGN_OR_RAISE(const uint32_t group, AddPodKeys(row));
  if (group != kNoPodGroup) {
    pods_.AddCpu(group, row);
    pods_.AddMemory(group, row);
    pods_.AddCapacity(group, row);
  }
  return Status::OK();
}

Result<uint32_t> DaySummary::AddPodKeys(const PodUsageRow& row) {
  PodKeyIds ids;
  ids.namespace_ = strings_.Intern(row.namespace_);
  ids.node = strings_.Intern(row.node);
  ids.resource_id = strings_.Intern(row.resource_id);
  // The WHERE clause runs before the labels are parsed, so a dropped row's labels are never
  // looked at.
  if (MakesPodRow(row)) {
    ARROW_ASSIGN_OR_RAISE(ids.labels, FilterPodLabels(row.pod_labels, row));
  }
  return AddPodKeyIds(row, ids);
}

uint32_t DaySummary::AddPodKeyIds(const PodUsageRow& row, const PodKeyIds& ids) {
  ++rows_added_;
  if (claimed_ == nullptr ||
      claimed_->ContainsPod(ids.claims ? *ids.claims : claimed_->NamespaceOf(row.namespace_),
                            row.pod)) {
    storage_.AddPodMount(ids.namespace_, strings_.Intern(row.pod), ids.node, ids.resource_id);
  }
  // Rows on a NULL or '' node still place their pod's volumes, above.
  if (!MakesPodRow(row)) return kNoPodGroup;
  return pods_.AddKeys(ids.namespace_, ids.node, ids.labels, ids.resource_id, strings_);
}

Result<LabelSetId> DaySummary::FilterPodLabels(std::optional<std::string_view> pod_labels,
                                               const PodUsageRow& row) {
  auto labels = labels_.Filter(pod_labels);
  if (!labels.ok()) {
    return WithContext(labels.status(),
                       fmt::format("pod_labels of pod '{}' in namespace '{}' on {}", Show(row.pod),
                                   Show(row.namespace_), FormatDate(day_)));
  }
  return *labels;
}

Status DaySummary::AddStorageUsage(const StorageUsageRow& row) {
  ++rows_added_;
  auto context = [&] {
    return fmt::format("storage row of claim '{}' (volume '{}') in namespace '{}' on {}",
                       Show(row.persistentvolumeclaim), Show(row.persistentvolume),
                       Show(row.namespace_), FormatDate(day_));
  };
  auto volume_labels = labels_.Filter(row.persistentvolume_labels);
  if (!volume_labels.ok()) {
    return WithContext(volume_labels.status(), "persistentvolume_labels of " + context());
  }
  auto claim_labels = labels_.Filter(row.persistentvolumeclaim_labels);
  if (!claim_labels.ok()) {
    return WithContext(claim_labels.status(), "persistentvolumeclaim_labels of " + context());
  }
  StorageRowKey key;
  key.namespace_ = strings_.Intern(row.namespace_);
  key.pod = strings_.Intern(row.pod);
  key.persistentvolumeclaim = strings_.Intern(row.persistentvolumeclaim);
  key.persistentvolume = strings_.Intern(row.persistentvolume);
  key.storageclass = strings_.Intern(row.storageclass);
  key.csi_volume_handle = strings_.Intern(row.csi_volume_handle);
  key.persistentvolume_labels = *volume_labels;
  key.persistentvolumeclaim_labels = *claim_labels;
  storage_.Add(key, row);
  return Status::OK();
}

void DaySummary::Merge(DaySummary&& other) {
  if (other.rows_added_ == 0) return;
  if (rows_added_ == 0) {
    *this = std::move(other);
    return;
  }
  rows_added_ += other.rows_added_;
  IdRemap remap;
  remap.strings.resize(other.strings_.size(), kNullString);
  for (StringId id = 1; id < other.strings_.size(); ++id) {
    remap.strings[id] = strings_.Intern(*other.strings_.Get(id));
  }
  remap.labels.resize(other.labels_.size());
  for (LabelSetId id = 0; id < other.labels_.size(); ++id) {
    remap.labels[id] = labels_.Import(other.labels_, id);
  }
  dimensions_.Merge(other.dimensions_, remap);
  capacity_.Merge(other.capacity_, remap);
  pods_.Merge(other.pods_, remap, strings_);
  storage_.Merge(other.storage_, remap);
}

Status DaySummary::FinishPiece(const CostCategoryMatcher& categories,
                               const VolumeNodeCounts* counts, UnallocatedCapacity& unallocated,
                               RowChunker& out) && {
  const DayCapacity capacity = capacity_.Finish();
  capacity_ = NodeCapacity();  // the hourly maxima are summed up: what they held goes now
  DayContext ctx(day_, settings_->compat, strings_, labels_, dimensions_, capacity, categories);
  // Statement (iii) reads back the Pod rows of statement (ii): fold them as they go out.
  ARROW_RETURN_NOT_OK(pods_.Finish(ctx, [&](SummaryRow&& r) {
    unallocated.AddPodRow(r);
    return out.Add(std::move(r));
  }));
  return storage_.Finish(
      ctx, [&out](SummaryRow&& r) { return out.Add(std::move(r)); }, counts);
}

Status DaySummary::Finish(const NodeRoleTable& roles, WriteRowChunk write) && {
  ARROW_ASSIGN_OR_RAISE(auto finalize, DayFinalize::Make(*settings_, day_, roles, /*partitions=*/1,
                                                         /*in_order=*/true));
  RowChunker out(write);
  return finalize->FinishPartition(0, std::move(*this), out);
}

Result<std::vector<SummaryRow>> DaySummary::Finish(const NodeRoleTable& roles) && {
  std::vector<SummaryRow> rows;
  ARROW_RETURN_NOT_OK(std::move(*this).Finish(roles, [&rows](std::span<const SummaryRow> chunk) {
    rows.insert(rows.end(), chunk.begin(), chunk.end());
    return Status::OK();
  }));
  return rows;
}

bool DaySummary::has_groups() const {
  return pods_.partial_group_count() > 0 || storage_.partial_group_count() > 0 ||
         !storage_.mounts().empty();
}

Status DaySummary::SpillGroups(DaySpillWriter& out) const {
  const uint32_t partitions = out.partitions();
  // The partition of each namespace id, computed once.
  std::vector<uint32_t> partition_of(strings_.size(), partitions);
  auto partition = [&](StringId ns) {
    uint32_t& p = partition_of[ns];
    if (p == partitions) p = SpillPartitionOf(strings_.Get(ns), partitions);
    return p;
  };
  out.BeginRun(strings_, labels_);
  for (size_t i = 0; i < pods_.partial_group_count(); ++i) {
    const PodGroupKey& k = pods_.key(i);
    out.PodGroup(partition(k.namespace_), k, pods_.sums(i));
  }
  for (const PodMount& m : storage_.mounts()) out.Mount(partition(m.namespace_), m);
  for (size_t i = 0; i < storage_.partial_group_count(); ++i) {
    const StorageRowKey& k = storage_.key(i);
    out.StorageGroup(partition(k.namespace_), k, storage_.sums(i));
  }
  return out.EndRun();
}

DaySummary DaySummary::DimensionsOnly() const {
  DaySummary out(*settings_, day_);
  out.claimed_ = claimed_;
  std::vector<StringId> string_ids;
  std::vector<LabelSetId> label_ids;
  dimensions_.CollectIds(string_ids, label_ids);
  capacity_.CollectNodeIds(string_ids);
  // Only the ids the dimensions use are translated: the groups' strings stay behind.
  IdRemap remap;
  remap.strings.assign(strings_.size(), kNullString);
  for (StringId id : string_ids) {
    if (id != kNullString && remap.strings[id] == kNullString) {
      remap.strings[id] = out.strings_.Intern(*strings_.Get(id));
    }
  }
  remap.labels.assign(labels_.size(), kEmptyLabelSet);
  for (LabelSetId id : label_ids) remap.labels[id] = out.labels_.Import(labels_, id);
  out.dimensions_.Merge(dimensions_, remap);
  out.capacity_.Merge(capacity_, remap);
  out.rows_added_ = dimensions_.empty() && capacity_.empty() ? 0 : 1;
  return out;
}

Status DaySummary::LoadSpilled(const std::string& stream_path) {
  struct Loader : SpillVisitor {
    DaySummary& day;
    explicit Loader(DaySummary& d) : day(d) {}
    void PodGroup(const PodGroupKey& key, const PodGroupSums& sums) override {
      day.pods_.AddGroup(key, sums, day.strings_);
      ++day.rows_added_;
    }
    void Mount(const PodMount& m) override {
      day.storage_.AddPodMount(m.namespace_, m.pod, m.node, m.resource_id);
      ++day.rows_added_;
    }
    void StorageGroup(const StorageRowKey& key, const StorageRowSums& sums) override {
      day.storage_.AddGroup(key, sums);
      ++day.rows_added_;
    }
  } loader(*this);
  return ReadSpillStream(stream_path, strings_, labels_, loader);
}

void DaySummary::CollectVolumeNodes(VolumeNodes& out) const {
  storage_.CollectVolumeNodes(strings_, out);
}

size_t DaySummary::ApproximateMemoryBytes() const {
  return sizeof(*this) + strings_.ApproximateMemoryBytes() + labels_.ApproximateMemoryBytes() +
         dimensions_.ApproximateMemoryBytes() + capacity_.ApproximateMemoryBytes() +
         pods_.ApproximateMemoryBytes() + storage_.ApproximateMemoryBytes();
}

}  // namespace ocpagg
