#include "ocpagg/source/koku_tables.h"

#include <array>

namespace ocpagg {
namespace {

using K = ColumnType;

constexpr std::array kPodHourlyColumns = {
    ColumnSpec{"interval_start", K::kTimestamp, true},
    ColumnSpec{"node", K::kString, true},
    ColumnSpec{"node_capacity_cpu_core_seconds", K::kNumber, true},
    ColumnSpec{"node_capacity_memory_byte_seconds", K::kNumber, true},
};

constexpr std::array kPodDailyColumns = {
    ColumnSpec{"interval_start", K::kTimestamp, true},
    ColumnSpec{"namespace", K::kString, true},
    ColumnSpec{"node", K::kString, true},
    ColumnSpec{"pod", K::kString, true},
    ColumnSpec{"resource_id", K::kString, true},
    ColumnSpec{"pod_labels", K::kString, true},
    ColumnSpec{"node_role", K::kString, false},  // newer operators only
    ColumnSpec{"pod_usage_cpu_core_seconds", K::kNumber, true},
    ColumnSpec{"pod_request_cpu_core_seconds", K::kNumber, true},
    ColumnSpec{"pod_effective_usage_cpu_core_seconds", K::kNumber, false},  // koku.md §2.5
    ColumnSpec{"pod_limit_cpu_core_seconds", K::kNumber, true},
    ColumnSpec{"pod_usage_memory_byte_seconds", K::kNumber, true},
    ColumnSpec{"pod_request_memory_byte_seconds", K::kNumber, true},
    ColumnSpec{"pod_effective_usage_memory_byte_seconds", K::kNumber, false},
    ColumnSpec{"pod_limit_memory_byte_seconds", K::kNumber, true},
    ColumnSpec{"node_capacity_cpu_cores", K::kNumber, true},
    ColumnSpec{"node_capacity_memory_bytes", K::kNumber, true},
};

constexpr std::array kStorageDailyColumns = {
    ColumnSpec{"interval_start", K::kTimestamp, true},
    ColumnSpec{"namespace", K::kString, true},
    ColumnSpec{"pod", K::kString, true},
    ColumnSpec{"persistentvolumeclaim", K::kString, true},
    ColumnSpec{"persistentvolume", K::kString, true},
    ColumnSpec{"storageclass", K::kString, true},
    ColumnSpec{"csi_volume_handle", K::kString, false},  // newer operators only
    ColumnSpec{"persistentvolume_labels", K::kString, true},
    ColumnSpec{"persistentvolumeclaim_labels", K::kString, true},
    ColumnSpec{"persistentvolumeclaim_capacity_bytes", K::kNumber, true},
    ColumnSpec{"persistentvolumeclaim_capacity_byte_seconds", K::kNumber, true},
    ColumnSpec{"volume_request_storage_byte_seconds", K::kNumber, true},
    ColumnSpec{"persistentvolumeclaim_usage_byte_seconds", K::kNumber, true},
};

constexpr std::array kNodeLabelColumns = {
    ColumnSpec{"interval_start", K::kTimestamp, true},
    ColumnSpec{"node", K::kString, true},
    ColumnSpec{"node_labels", K::kString, true},
};

constexpr std::array kNamespaceLabelColumns = {
    ColumnSpec{"interval_start", K::kTimestamp, true},
    ColumnSpec{"namespace", K::kString, true},
    ColumnSpec{"namespace_labels", K::kString, true},
};

// Daily pod rows: keys, then CPU, memory and capacity numbers (PodUsageBatch::Row's fields).
constexpr int kPodDailyKeys[] = {0, 1, 2, 3, 4, 5, 6};
constexpr int kPodDailyCpu[] = {7, 8, 9, 10};
constexpr int kPodDailyMemory[] = {11, 12, 13, 14};
constexpr int kPodDailyCapacity[] = {15, 16};
constexpr std::span<const int> kPodDailyPasses[] = {kPodDailyKeys, kPodDailyCpu, kPodDailyMemory,
                                                    kPodDailyCapacity};
constexpr int kAllColumns[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static_assert(kPodDailyColumns.size() == std::size(kAllColumns));

// Column accessors that tolerate absent optional columns (nullptr arrays).
Result<StringColumn> Str(const ParquetScan::Batch& b, size_t i) {
  return b.columns[i] ? StringColumn::Make(b.columns[i]) : Result<StringColumn>(StringColumn());
}
Result<DoubleColumn> Num(const ParquetScan::Batch& b, size_t i) {
  return b.columns[i] ? DoubleColumn::Make(b.columns[i]) : Result<DoubleColumn>(DoubleColumn());
}
// interval_start is required, but the number passes of a wide row group do not read it.
Result<TimestampColumn> Ts(const ParquetScan::Batch& b, size_t i) {
  return b.columns[i] ? TimestampColumn::Make(b.columns[i])
                      : Result<TimestampColumn>(TimestampColumn());
}

}  // namespace

std::span<const ColumnSpec> ColumnsOf(InputTable t) {
  switch (t) {
    case InputTable::kPodUsageHourly:
      return kPodHourlyColumns;
    case InputTable::kPodUsageDaily:
      return kPodDailyColumns;
    case InputTable::kStorageUsageDaily:
      return kStorageDailyColumns;
    case InputTable::kNodeLabelsDaily:
      return kNodeLabelColumns;
    case InputTable::kNamespaceLabelsDaily:
      return kNamespaceLabelColumns;
  }
  return {};
}

std::span<const int> PodDailyInventoryColumns() {
  static constexpr int kColumns[] = {0, 1, 2, 4, 6, 15};
  return kColumns;
}

std::span<const std::span<const int>> ColumnPassesOf(InputTable t) {
  if (t == InputTable::kPodUsageDaily) return kPodDailyPasses;
  static const std::array<std::array<std::span<const int>, 1>, kInputTableCount> kOnePass = [] {
    std::array<std::array<std::span<const int>, 1>, kInputTableCount> passes{};
    for (int i = 0; i < kInputTableCount; ++i) {
      passes[i][0] =
          std::span<const int>(kAllColumns, ColumnsOf(static_cast<InputTable>(i)).size());
    }
    return passes;
  }();
  return kOnePass[static_cast<size_t>(t)];
}

Result<NodeLabelBatch> NodeLabelBatch::Make(const ParquetScan::Batch& b) {
  NodeLabelBatch out;
  ARROW_ASSIGN_OR_RAISE(out.interval_start_, Ts(b, 0));
  ARROW_ASSIGN_OR_RAISE(out.node_, Str(b, 1));
  ARROW_ASSIGN_OR_RAISE(out.labels_, Str(b, 2));
  return out;
}

Result<NamespaceLabelBatch> NamespaceLabelBatch::Make(const ParquetScan::Batch& b) {
  NamespaceLabelBatch out;
  ARROW_ASSIGN_OR_RAISE(out.interval_start_, Ts(b, 0));
  ARROW_ASSIGN_OR_RAISE(out.namespace_, Str(b, 1));
  ARROW_ASSIGN_OR_RAISE(out.labels_, Str(b, 2));
  return out;
}

Result<PodCapacityBatch> PodCapacityBatch::Make(const ParquetScan::Batch& b) {
  PodCapacityBatch out;
  ARROW_ASSIGN_OR_RAISE(out.interval_start_, Ts(b, 0));
  ARROW_ASSIGN_OR_RAISE(out.node_, Str(b, 1));
  ARROW_ASSIGN_OR_RAISE(out.cpu_, Num(b, 2));
  ARROW_ASSIGN_OR_RAISE(out.memory_, Num(b, 3));
  return out;
}

Result<PodUsageBatch> PodUsageBatch::Make(const ParquetScan::Batch& b) {
  PodUsageBatch out;
  ARROW_ASSIGN_OR_RAISE(out.interval_start_, Ts(b, 0));
  ARROW_ASSIGN_OR_RAISE(out.namespace_, Str(b, 1));
  ARROW_ASSIGN_OR_RAISE(out.node_, Str(b, 2));
  ARROW_ASSIGN_OR_RAISE(out.pod_, Str(b, 3));
  ARROW_ASSIGN_OR_RAISE(out.resource_id_, Str(b, 4));
  ARROW_ASSIGN_OR_RAISE(out.pod_labels_, Str(b, 5));
  ARROW_ASSIGN_OR_RAISE(out.node_role_, Str(b, 6));
  ARROW_ASSIGN_OR_RAISE(out.usage_cpu_, Num(b, 7));
  ARROW_ASSIGN_OR_RAISE(out.request_cpu_, Num(b, 8));
  ARROW_ASSIGN_OR_RAISE(out.effective_cpu_, Num(b, 9));
  ARROW_ASSIGN_OR_RAISE(out.limit_cpu_, Num(b, 10));
  ARROW_ASSIGN_OR_RAISE(out.usage_mem_, Num(b, 11));
  ARROW_ASSIGN_OR_RAISE(out.request_mem_, Num(b, 12));
  ARROW_ASSIGN_OR_RAISE(out.effective_mem_, Num(b, 13));
  ARROW_ASSIGN_OR_RAISE(out.limit_mem_, Num(b, 14));
  ARROW_ASSIGN_OR_RAISE(out.capacity_cpu_cores_, Num(b, 15));
  ARROW_ASSIGN_OR_RAISE(out.capacity_memory_bytes_, Num(b, 16));
  return out;
}

PodUsageRow PodUsageBatch::Row(int64_t i, Date day) const {
  PodUsageRow r = Numbers(i);
  r.usage_start = day;
  r.namespace_ = namespace_.Get(i);
  r.node = node_.Get(i);
  r.pod = pod_.Get(i);
  r.resource_id = resource_id_.Get(i);
  r.pod_labels = pod_labels_.Get(i);
  r.node_role = node_role_.Get(i);
  return r;
}

PodUsageRow PodUsageBatch::Numbers(int64_t i) const {
  PodUsageRow r;
  r.pod_usage_cpu_core_seconds = usage_cpu_.GetOr(i, 0);
  r.pod_request_cpu_core_seconds = request_cpu_.GetOr(i, 0);
  r.pod_limit_cpu_core_seconds = limit_cpu_.GetOr(i, 0);
  r.pod_usage_memory_byte_seconds = usage_mem_.GetOr(i, 0);
  r.pod_request_memory_byte_seconds = request_mem_.GetOr(i, 0);
  r.pod_limit_memory_byte_seconds = limit_mem_.GetOr(i, 0);
  r.pod_effective_usage_cpu_core_seconds = effective_cpu_.Get(i);
  r.pod_effective_usage_memory_byte_seconds = effective_mem_.Get(i);
  r.node_capacity_cpu_cores = capacity_cpu_cores_.Get(i);
  r.node_capacity_memory_bytes = capacity_memory_bytes_.Get(i);
  return r;
}

Result<StorageUsageBatch> StorageUsageBatch::Make(const ParquetScan::Batch& b) {
  StorageUsageBatch out;
  ARROW_ASSIGN_OR_RAISE(out.interval_start_, Ts(b, 0));
  ARROW_ASSIGN_OR_RAISE(out.namespace_, Str(b, 1));
  ARROW_ASSIGN_OR_RAISE(out.pod_, Str(b, 2));
  ARROW_ASSIGN_OR_RAISE(out.pvc_, Str(b, 3));
  ARROW_ASSIGN_OR_RAISE(out.pv_, Str(b, 4));
  ARROW_ASSIGN_OR_RAISE(out.storageclass_, Str(b, 5));
  ARROW_ASSIGN_OR_RAISE(out.csi_volume_handle_, Str(b, 6));
  ARROW_ASSIGN_OR_RAISE(out.pv_labels_, Str(b, 7));
  ARROW_ASSIGN_OR_RAISE(out.pvc_labels_, Str(b, 8));
  ARROW_ASSIGN_OR_RAISE(out.capacity_bytes_, Num(b, 9));
  ARROW_ASSIGN_OR_RAISE(out.capacity_byte_seconds_, Num(b, 10));
  ARROW_ASSIGN_OR_RAISE(out.request_byte_seconds_, Num(b, 11));
  ARROW_ASSIGN_OR_RAISE(out.usage_byte_seconds_, Num(b, 12));
  return out;
}

StorageUsageRow StorageUsageBatch::Row(int64_t i, Date day) const {
  StorageUsageRow r;
  r.usage_start = day;
  r.namespace_ = namespace_.Get(i);
  r.pod = pod_.Get(i);
  r.persistentvolumeclaim = pvc_.Get(i);
  r.persistentvolume = pv_.Get(i);
  r.storageclass = storageclass_.Get(i);
  r.csi_volume_handle = csi_volume_handle_.Get(i);
  r.persistentvolume_labels = pv_labels_.Get(i);
  r.persistentvolumeclaim_labels = pvc_labels_.Get(i);
  r.persistentvolumeclaim_capacity_bytes = capacity_bytes_.Get(i);
  r.persistentvolumeclaim_capacity_byte_seconds = capacity_byte_seconds_.GetOr(i, 0);
  r.volume_request_storage_byte_seconds = request_byte_seconds_.GetOr(i, 0);
  r.persistentvolumeclaim_usage_byte_seconds = usage_byte_seconds_.GetOr(i, 0);
  return r;
}

}  // namespace ocpagg
