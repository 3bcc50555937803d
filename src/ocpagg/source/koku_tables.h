#pragma once
// What the summary reads of koku's five input tables (docs/semantics.md "Parquet layout"): the
// columns, found by name in koku's schema, and typed views that turn a Parquet batch into the
// aggregators' rows.

#include <optional>
#include <span>
#include <string_view>

#include "ocpagg/koku/input_rows.h"
#include "ocpagg/koku/tables.h"
#include "ocpagg/source/column_view.h"
#include "ocpagg/source/parquet_scan.h"

namespace ocpagg {

// The columns read from the table's files, interval_start first. Each typed batch below names
// the columns it reads, and the view each fills, once (koku_tables.cc); their types, and
// whether older files may lack them, are koku's (KokuColumns).
std::span<const ColumnSpec> ColumnsOf(InputTable t);
// How a row group of the table is read when it is wide: passes of a few columns each (indices
// into ColumnsOf), the first holding interval_start and the keys. One pass of every column for
// the narrow tables.
std::span<const std::span<const int>> ColumnPassesOf(InputTable t);
// The daily pod columns koku's nodes query reads (docs/semantics.md "Node roles"): interval_start,
// namespace, node, resource_id, node_role and node_capacity_cpu_cores.
std::span<const int> PodDailyInventoryColumns();
// The passes of the daily pod table, in ColumnPassesOf order.
enum class PodDailyPass : uint8_t { kKeys, kCpu, kMemory, kCapacity };

// The columns each typed batch reads, with the views they fill (koku_tables.cc).
struct BatchColumnTables;

// A batch of one table, with typed column views. Row(i) views are valid while the batch lives.
// interval_start is NULL on rows koku's range filter would drop; callers skip those.
class NodeLabelBatch {
 public:
  static Result<NodeLabelBatch> Make(const ParquetScan::Batch& batch);
  std::optional<int64_t> interval_start_millis(int64_t i) const {
    return interval_start_.GetMillis(i);
  }
  NodeLabelRow Row(int64_t i, Date day) const { return {day, node_.Get(i), labels_.Get(i)}; }

 private:
  friend struct BatchColumnTables;
  TimestampColumn interval_start_;
  StringColumn node_, labels_;
};

class NamespaceLabelBatch {
 public:
  static Result<NamespaceLabelBatch> Make(const ParquetScan::Batch& batch);
  std::optional<int64_t> interval_start_millis(int64_t i) const {
    return interval_start_.GetMillis(i);
  }
  NamespaceLabelRow Row(int64_t i, Date day) const {
    return {day, namespace_.Get(i), labels_.Get(i)};
  }

 private:
  friend struct BatchColumnTables;
  TimestampColumn interval_start_;
  StringColumn namespace_, labels_;
};

class PodCapacityBatch {
 public:
  static Result<PodCapacityBatch> Make(const ParquetScan::Batch& batch);
  std::optional<int64_t> interval_start_millis(int64_t i) const {
    return interval_start_.GetMillis(i);
  }
  PodCapacityRow Row(int64_t i, int64_t interval_start_millis) const {
    return {interval_start_millis, node_.Get(i), cpu_.Get(i), memory_.Get(i)};
  }
  // The node column, for work once per dictionary code (StringColumn::has_codes), and the
  // numbers of row i.
  const StringColumn& node() const { return node_; }
  std::optional<double> cpu(int64_t i) const { return cpu_.Get(i); }
  std::optional<double> memory(int64_t i) const { return memory_.Get(i); }

 private:
  friend struct BatchColumnTables;
  TimestampColumn interval_start_;
  StringColumn node_;
  DoubleColumn cpu_, memory_;
};

class PodUsageBatch {
 public:
  static Result<PodUsageBatch> Make(const ParquetScan::Batch& batch);
  std::optional<int64_t> interval_start_millis(int64_t i) const {
    return interval_start_.GetMillis(i);
  }
  PodUsageRow Row(int64_t i, Date day) const;
  // Only the numeric columns of row i (keys left NULL): the number passes of a wide row group.
  PodUsageRow Numbers(int64_t i) const;
  // True when the file carries koku's effective-usage columns (newer payloads).
  bool has_effective_usage() const { return effective_cpu_.present(); }
  // The key columns, for work once per dictionary code (StringColumn::has_codes).
  const StringColumn& namespace_column() const { return namespace_; }
  const StringColumn& node_column() const { return node_; }
  const StringColumn& pod_column() const { return pod_; }
  const StringColumn& resource_id_column() const { return resource_id_; }
  const StringColumn& pod_labels_column() const { return pod_labels_; }

 private:
  friend struct BatchColumnTables;
  TimestampColumn interval_start_;
  StringColumn namespace_, node_, pod_, resource_id_, pod_labels_, node_role_;
  DoubleColumn usage_cpu_, request_cpu_, effective_cpu_, limit_cpu_;
  DoubleColumn usage_mem_, request_mem_, effective_mem_, limit_mem_;
  DoubleColumn capacity_cpu_cores_, capacity_memory_bytes_;
};

class StorageUsageBatch {
 public:
  static Result<StorageUsageBatch> Make(const ParquetScan::Batch& batch);
  std::optional<int64_t> interval_start_millis(int64_t i) const {
    return interval_start_.GetMillis(i);
  }
  StorageUsageRow Row(int64_t i, Date day) const;

 private:
  friend struct BatchColumnTables;
  TimestampColumn interval_start_;
  StringColumn namespace_, pod_, pvc_, pv_, storageclass_, csi_volume_handle_, pv_labels_,
      pvc_labels_;
  DoubleColumn capacity_bytes_, capacity_byte_seconds_, request_byte_seconds_, usage_byte_seconds_;
};

}  // namespace ocpagg
