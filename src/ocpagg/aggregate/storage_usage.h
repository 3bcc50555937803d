#pragma once
// The Storage branch of koku's statement (ii) and its helper CTEs (docs/semantics.md "Volume
// nodes", "Storage rows").
//
// A volume's node is not the storage report's own `node` column: it comes from the pod daily
// rows of the pods that mount the claim (cte_volume_nodes, joined on namespace and pod), and
// the request and usage are divided by the number of distinct nodes of the volume that day
// (cte_shared_volume_node_count); capacity is not divided. The join on cte_volume_nodes matches
// (pvc, pod, namespace) but not the volume, and a pod seen on k nodes yields k rows, so a
// storage row can count several times (docs/semantics.md "Multiplicity traps" trap 3). As in the
// pod branch, the sink keeps partial sums per storage group and the joins run at Finish. Of the pod
// rows it keeps only the distinct (namespace, pod, node, resource_id) tuples.

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <optional>
#include <vector>

#include "ocpagg/aggregate/chunked_vector.h"
#include "ocpagg/aggregate/day_context.h"
#include "ocpagg/aggregate/row_output.h"
#include "ocpagg/aggregate/string_pool.h"
#include "ocpagg/common/status.h"
#include "ocpagg/koku/input_rows.h"
#include "ocpagg/koku/label_set.h"
#include "ocpagg/koku/summary_row.h"

namespace ocpagg {

// The identity of a storage daily row for koku's grouping: its own group columns (the
// csi_volume_handle included: NULL and '' are different groups, yet PostgreSQL has no column to
// tell their rows apart; docs/semantics.md "Storage rows"), the pod that joins it to its nodes, and
// its two label columns, filtered.
struct StorageRowKey {
  StringId namespace_ = kNullString;
  StringId pod = kNullString;
  StringId persistentvolumeclaim = kNullString;
  StringId persistentvolume = kNullString;
  StringId storageclass = kNullString;
  StringId csi_volume_handle = kNullString;
  LabelSetId persistentvolume_labels = kEmptyLabelSet;
  LabelSetId persistentvolumeclaim_labels = kEmptyLabelSet;

  bool operator==(const StorageRowKey&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const StorageRowKey& k) {
    return H::combine(std::move(h), k.namespace_, k.pod, k.persistentvolumeclaim,
                      k.persistentvolume, k.storageclass, k.csi_volume_handle,
                      k.persistentvolume_labels, k.persistentvolumeclaim_labels);
  }
};

// cte_shared_volume_node_count of a day summarized in pieces: the distinct nodes of each volume
// (by name), and their number.
using VolumeNodes = StringKeyedMap<StringSet>;
using VolumeNodeCounts = StringKeyedMap<int64_t>;

// The partial sums of the storage daily rows of one StorageRowKey.
struct StorageRowSums {
  double capacity_byte_seconds = 0;
  double request_byte_seconds = 0;
  double usage_byte_seconds = 0;
  std::optional<double> max_capacity_bytes;

  void Fold(const StorageRowSums& other);
};

// A distinct (namespace, pod, node, resource_id) of the day's pod daily rows: where the pods that
// mount claims ran (cte_volume_nodes).
struct PodMount {
  StringId namespace_;
  StringId pod;
  StringId node;
  StringId resource_id;
  bool operator==(const PodMount&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const PodMount& m) {
    return H::combine(std::move(h), m.namespace_, m.pod, m.node, m.resource_id);
  }
};

class StorageAggregator {
 public:
  // A pod daily row, any node included (cte_volume_nodes has no node filter). Rows with a NULL
  // namespace or pod cannot join and are not kept.
  void AddPodMount(StringId namespace_, StringId pod, StringId node, StringId resource_id);

  // A storage daily row.
  void Add(const StorageRowKey& key, const StorageUsageRow& row);

  // Folds in another partial state.
  void Merge(const StorageAggregator& other, const IdRemap& remap);
  // Folds in one partial group whose ids are of this state (a spilled group read back).
  void AddGroup(const StorageRowKey& key, const StorageRowSums& sums);

  // The partial groups in first-seen order, and the pod mounts (in no order).
  size_t partial_group_count() const { return keys_.size(); }
  const StorageRowKey& key(size_t i) const { return keys_[i]; }
  const StorageRowSums& sums(size_t i) const { return sums_[i]; }
  const absl::flat_hash_set<PodMount>& mounts() const { return mounts_; }

  // Emits the day's Storage rows, in first-seen order. The node count of each volume is counted
  // here, or taken from `counts` when the day was summarized in pieces (a spilled day's
  // partitions). Fails when a volume's only mounting pods have a NULL node: its node count is 0
  // and koku's SQL fails dividing by it.
  Status Finish(DayContext& ctx, EmitRow emit, const VolumeNodeCounts* counts = nullptr) const;

  // Adds this state's part of cte_shared_volume_node_count, by name: every volume that joins
  // its pods, with the distinct non-NULL nodes it is mounted on.
  void CollectVolumeNodes(const StringPool& strings, VolumeNodes& out) const;

  size_t ApproximateMemoryBytes() const;

 private:
  StorageRowSums& Slot(const StorageRowKey& key);

  absl::flat_hash_set<PodMount> mounts_;
  PodMount last_mount_{kNullString, kNullString, kNullString, kNullString};
  absl::flat_hash_map<StorageRowKey, uint32_t> index_;
  ChunkedVector<StorageRowKey> keys_;  // first-seen order
  ChunkedVector<StorageRowSums> sums_;
};

}  // namespace ocpagg
