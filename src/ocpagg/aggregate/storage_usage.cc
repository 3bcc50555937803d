#include "ocpagg/aggregate/storage_usage.h"

#include <algorithm>
#include <tuple>

#include "ocpagg/aggregate/sql_fold.h"
#include "ocpagg/aggregate/units.h"

namespace ocpagg {
namespace {

using NamespacePod = std::pair<StringId, StringId>;
using NodeResource = std::pair<StringId, StringId>;
// (namespace, pod, persistentvolumeclaim)
using ClaimOfPod = std::tuple<StringId, StringId, StringId>;
// (namespace, pod, persistentvolumeclaim, persistentvolume)
using VolumeClaim = std::tuple<StringId, StringId, StringId, StringId>;

// The group key of the storage branch's GROUP BY (docs/semantics.md "Storage rows").
struct StorageGroupKey {
  StringId namespace_;
  StringId node;
  StringId resource_id;
  StringId persistentvolumeclaim;
  StringId persistentvolume;
  StringId storageclass;
  StringId csi_volume_handle;
  LabelSetId volume_labels;
  bool operator==(const StorageGroupKey&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const StorageGroupKey& k) {
    return H::combine(std::move(h), k.namespace_, k.node, k.resource_id, k.persistentvolumeclaim,
                      k.persistentvolume, k.storageclass, k.csi_volume_handle, k.volume_labels);
  }
};

struct StorageGroup {
  StorageGroupKey key;
  double capacity_byte_seconds = 0;
  double request_byte_seconds = 0;
  double usage_byte_seconds = 0;
  std::optional<double> max_capacity_bytes;
  std::optional<int64_t> node_count;  // max(nc.node_count): one value per volume
  std::optional<int32_t> cost_category_id;
};

}  // namespace

void StorageAggregator::AddPodMount(StringId namespace_, StringId pod, StringId node,
                                    StringId resource_id) {
  if (namespace_ == kNullString || pod == kNullString) return;
  const PodMount mount{namespace_, pod, node, resource_id};
  if (mount == last_mount_) return;
  mounts_.insert(mount);
  last_mount_ = mount;
}

void StorageRowSums::Fold(const StorageRowSums& other) {
  capacity_byte_seconds += other.capacity_byte_seconds;
  request_byte_seconds += other.request_byte_seconds;
  usage_byte_seconds += other.usage_byte_seconds;
  FoldMax(max_capacity_bytes, other.max_capacity_bytes);
}

StorageRowSums& StorageAggregator::Slot(const StorageRowKey& key) {
  auto [it, inserted] = index_.try_emplace(key, static_cast<uint32_t>(keys_.size()));
  if (inserted) {
    keys_.push_back(key);
    sums_.emplace_back();
  }
  return sums_[it->second];
}

void StorageAggregator::Add(const StorageRowKey& key, const StorageUsageRow& row) {
  StorageRowSums& s = Slot(key);
  s.capacity_byte_seconds += row.persistentvolumeclaim_capacity_byte_seconds;
  s.request_byte_seconds += row.volume_request_storage_byte_seconds;
  s.usage_byte_seconds += row.persistentvolumeclaim_usage_byte_seconds;
  FoldMax(s.max_capacity_bytes, row.persistentvolumeclaim_capacity_bytes);
}

void StorageAggregator::AddGroup(const StorageRowKey& key, const StorageRowSums& sums) {
  Slot(key).Fold(sums);
}

void StorageAggregator::Merge(const StorageAggregator& other, const IdRemap& remap) {
  for (const PodMount& m : other.mounts_) {
    mounts_.insert(PodMount{remap.String(m.namespace_), remap.String(m.pod), remap.String(m.node),
                            remap.String(m.resource_id)});
  }
  last_mount_ = PodMount{kNullString, kNullString, kNullString, kNullString};
  for (size_t i = 0; i < other.keys_.size(); ++i) {
    const StorageRowKey& k = other.keys_[i];
    const StorageRowKey mine{remap.String(k.namespace_),
                             remap.String(k.pod),
                             remap.String(k.persistentvolumeclaim),
                             remap.String(k.persistentvolume),
                             remap.String(k.storageclass),
                             remap.String(k.csi_volume_handle),
                             remap.Labels(k.persistentvolume_labels),
                             remap.Labels(k.persistentvolumeclaim_labels)};
    Slot(mine).Fold(other.sums_[i]);
  }
}

namespace {

// The joins of the storage branch that involve the pod rows (docs/semantics.md "Volume nodes").
struct VolumeJoin {
  // The pods the storage rows name, with the sorted (node, resource_id) pairs of their pod rows.
  absl::flat_hash_map<NamespacePod, std::vector<NodeResource>> nodes_of_pod;
  // How many volumes each (namespace, pod, claim) names in cte_volume_nodes.
  absl::flat_hash_map<ClaimOfPod, int> volumes_of_claim;
  // cte_shared_volume_node_count before the count: the distinct non-NULL nodes of each volume
  // that joins at all (a volume whose pods all have a NULL node is here with no node).
  absl::flat_hash_map<StringId, std::vector<StringId>> nodes_of_volume;

  const std::vector<NodeResource>* MountedOn(StringId ns, StringId pod) const {
    auto it = nodes_of_pod.find(NamespacePod{ns, pod});
    if (it == nodes_of_pod.end() || it->second.empty()) return nullptr;
    return &it->second;
  }
};

VolumeJoin JoinVolumes(const ChunkedVector<StorageRowKey>& keys,
                       const absl::flat_hash_set<PodMount>& mounts) {
  VolumeJoin join;
  for (size_t i = 0; i < keys.size(); ++i) {
    const StorageRowKey& k = keys[i];
    if (k.namespace_ != kNullString && k.pod != kNullString) {
      join.nodes_of_pod.try_emplace(NamespacePod{k.namespace_, k.pod});
    }
  }
  for (const PodMount& m : mounts) {
    if (auto it = join.nodes_of_pod.find(NamespacePod{m.namespace_, m.pod});
        it != join.nodes_of_pod.end()) {
      it->second.emplace_back(m.node, m.resource_id);
    }
  }
  for (auto& [pod, nodes] : join.nodes_of_pod) std::sort(nodes.begin(), nodes.end());

  // cte_volume_nodes is claims x pod nodes; a claim appears there only when its pod has pod
  // rows. cte_shared_volume_node_count counts the distinct non-NULL nodes per volume.
  absl::flat_hash_set<VolumeClaim> claims;
  for (size_t i = 0; i < keys.size(); ++i) {
    const StorageRowKey& k = keys[i];
    if (join.MountedOn(k.namespace_, k.pod) != nullptr) {
      claims.insert(VolumeClaim{k.namespace_, k.pod, k.persistentvolumeclaim, k.persistentvolume});
    }
  }
  absl::flat_hash_set<std::pair<StringId, StringId>> volume_nodes;
  for (const auto& [ns, pod, pvc, pv] : claims) {
    ++join.volumes_of_claim[ClaimOfPod{ns, pod, pvc}];
    if (pv == kNullString) continue;  // never joins: NULL = NULL is not true
    std::vector<StringId>& nodes = join.nodes_of_volume[pv];
    for (const auto& [node, resource_id] : *join.MountedOn(ns, pod)) {
      if (node != kNullString && volume_nodes.insert({pv, node}).second) nodes.push_back(node);
    }
  }
  return join;
}

}  // namespace

void StorageAggregator::CollectVolumeNodes(const StringPool& strings, VolumeNodes& out) const {
  if (keys_.empty()) return;
  const VolumeJoin join = JoinVolumes(keys_, mounts_);
  for (const auto& [pv, nodes] : join.nodes_of_volume) {
    auto& all = out[*strings.Get(pv)];
    for (StringId node : nodes) all.insert(std::string(*strings.Get(node)));
  }
}

Status StorageAggregator::Finish(DayContext& ctx, EmitRow emit,
                                 const VolumeNodeCounts* counts) const {
  if (keys_.empty()) return Status::OK();
  const VolumeJoin join = JoinVolumes(keys_, mounts_);
  // The volume's node count joins on the volume alone: a storage row whose own pod has no pod
  // rows still gets the count its volume has through other pods, even other namespaces'.
  auto node_count_of = [&](StringId pv) -> std::optional<int64_t> {
    if (counts != nullptr) {
      if (pv == kNullString) return std::nullopt;
      auto it = counts->find(*ctx.strings.Get(pv));
      if (it == counts->end()) return std::nullopt;
      return it->second;
    }
    auto it = join.nodes_of_volume.find(pv);
    if (it == join.nodes_of_volume.end()) return std::nullopt;
    return static_cast<int64_t>(it->second.size());
  };

  absl::flat_hash_map<StorageGroupKey, uint32_t> index;
  std::vector<StorageGroup> groups;
  const NodeResource kNoMount{kNullString, kNullString};
  for (size_t i = 0; i < keys_.size(); ++i) {
    const StorageRowKey& k = keys_[i];
    const StorageRowSums& s = sums_[i];
    const std::optional<int64_t> volume_node_count = node_count_of(k.persistentvolume);
    if (volume_node_count == 0) {
      return BadInput(
          "storage on {}: every pod row mounting persistent volume '{}' has a NULL node, so "
          "koku's SQL divides its request and usage by a node count of 0 and fails; check the "
          "pod usage files of that day",
          FormatDate(ctx.day), ctx.strings.Get(k.persistentvolume).value_or(""));
    }
    // The LEFT JOIN on (pvc, pod, namespace): every pod node once per volume the claim names
    // that day, or a single all-NULL row.
    std::span<const NodeResource> nodes(&kNoMount, 1);
    int volumes = 1;
    if (k.persistentvolumeclaim != kNullString) {
      if (const auto* mounted = join.MountedOn(k.namespace_, k.pod)) {
        nodes = *mounted;
        volumes =
            join.volumes_of_claim.at(ClaimOfPod{k.namespace_, k.pod, k.persistentvolumeclaim});
      }
    }
    const CostCategoryJoin& category = ctx.CategoryJoin(k.namespace_);
    const double times = static_cast<double>(volumes) * category.joined_rows;
    for (const auto& [node, resource_id] : nodes) {
      for (LabelSetId node_labels : ctx.NodeLabelsOrEmpty(node)) {
        for (LabelSetId namespace_labels : ctx.NamespaceLabelsOrEmpty(k.namespace_)) {
          LabelSetId merged = ctx.labels.Merge(DayContext::CoalesceEmpty(node_labels),
                                               DayContext::CoalesceEmpty(namespace_labels));
          merged = ctx.labels.Merge(merged, k.persistentvolume_labels);
          merged = ctx.labels.Merge(merged, k.persistentvolumeclaim_labels);
          const StorageGroupKey key{
              k.namespace_,       node,           resource_id,         k.persistentvolumeclaim,
              k.persistentvolume, k.storageclass, k.csi_volume_handle, merged};
          auto [it, inserted] = index.try_emplace(key, static_cast<uint32_t>(groups.size()));
          if (inserted) {
            groups.emplace_back();
            groups.back().key = key;
          }
          StorageGroup& g = groups[it->second];
          g.capacity_byte_seconds += s.capacity_byte_seconds * times;
          g.request_byte_seconds += s.request_byte_seconds * times;
          g.usage_byte_seconds += s.usage_byte_seconds * times;
          FoldMax(g.max_capacity_bytes, s.max_capacity_bytes);
          g.node_count = volume_node_count;
          g.cost_category_id = category.max_category_id;
        }
      }
    }
  }

  const int days_in_month = DaysInMonth(ctx.day);
  for (const StorageGroup& g : groups) {
    SummaryRow row;
    row.data_source = DataSource::kStorage;
    row.usage_start = ctx.day;
    row.namespace_ = ctx.strings.Copy(g.key.namespace_);
    row.node = ctx.strings.Copy(g.key.node);
    row.resource_id = ctx.strings.Copy(g.key.resource_id);
    row.persistentvolumeclaim = ctx.strings.Copy(g.key.persistentvolumeclaim);
    row.persistentvolume = ctx.strings.Copy(g.key.persistentvolume);
    row.storageclass = ctx.strings.Copy(g.key.storageclass);
    row.csi_volume_handle = ctx.strings.Copy(g.key.csi_volume_handle);
    if (auto json = ctx.labels.Json(g.key.volume_labels)) {
      row.volume_labels = std::string(*json);
      row.all_labels = *row.volume_labels;
    }
    row.cost_category_id = g.cost_category_id;
    if (g.max_capacity_bytes) {
      row.metric(Metric::kPersistentVolumeClaimCapacityGigabyte) = Gib(*g.max_capacity_bytes);
    }
    row.metric(Metric::kPersistentVolumeClaimCapacityGigabyteMonths) =
        GibMonths(g.capacity_byte_seconds, days_in_month);
    // sum / node_count, then the month divisor (docs/semantics.md "Storage rows"). Without a node
    // count PostgreSQL divides by COALESCE(NULL, 1) and Trino's division gives NULL
    // (docs/semantics.md "PostgreSQL and Trino differences": volume with no node).
    if (g.node_count || ctx.compat == Compat::kPostgres) {
      const auto divisor = static_cast<double>(g.node_count.value_or(1));
      row.metric(Metric::kVolumeRequestStorageGigabyteMonths) =
          GibMonths(g.request_byte_seconds / divisor, days_in_month);
      row.metric(Metric::kPersistentVolumeClaimUsageGigabyteMonths) =
          GibMonths(g.usage_byte_seconds / divisor, days_in_month);
    }
    row.has_infrastructure_usage_cost = true;
    ARROW_RETURN_NOT_OK(emit(std::move(row)));
  }
  return Status::OK();
}

size_t StorageAggregator::ApproximateMemoryBytes() const {
  return mounts_.capacity() * (sizeof(PodMount) + 1) +
         index_.capacity() * (sizeof(std::pair<StorageRowKey, uint32_t>) + 1) +
         keys_.capacity() * sizeof(StorageRowKey) + sums_.capacity() * sizeof(StorageRowSums);
}

}  // namespace ocpagg
