#include "ocpagg/source/koku_tables.h"

#include <array>
#include <type_traits>
#include <variant>
#include <vector>

#include "ocpagg/koku/table_schema.h"

namespace ocpagg {

// One column a typed batch reads: its name in koku's table, the view it fills and, for the
// daily pod table, the pass that reads it and whether koku's nodes query reads it.
template <typename BatchT>
struct ReadColumn {
  std::string_view name;
  std::variant<TimestampColumn BatchT::*, StringColumn BatchT::*, DoubleColumn BatchT::*> view;
  PodDailyPass pass = PodDailyPass::kKeys;
  bool inventory = false;
};

// Each table's columns, in the order they are requested from its files.
struct BatchColumnTables {
  using P = PodDailyPass;

  static constexpr ReadColumn<PodCapacityBatch> kPodHourly[] = {
      {"interval_start", &PodCapacityBatch::interval_start_},
      {"node", &PodCapacityBatch::node_},
      {"node_capacity_cpu_core_seconds", &PodCapacityBatch::cpu_},
      {"node_capacity_memory_byte_seconds", &PodCapacityBatch::memory_},
  };

  // Keys, then CPU, memory and capacity numbers (PodUsageBatch::Row's fields).
  static constexpr ReadColumn<PodUsageBatch> kPodDaily[] = {
      {"interval_start", &PodUsageBatch::interval_start_, P::kKeys, true},
      {"namespace", &PodUsageBatch::namespace_, P::kKeys, true},
      {"node", &PodUsageBatch::node_, P::kKeys, true},
      {"pod", &PodUsageBatch::pod_, P::kKeys},
      {"resource_id", &PodUsageBatch::resource_id_, P::kKeys, true},
      {"pod_labels", &PodUsageBatch::pod_labels_, P::kKeys},
      {"node_role", &PodUsageBatch::node_role_, P::kKeys, true},  // newer operators only
      {"pod_usage_cpu_core_seconds", &PodUsageBatch::usage_cpu_, P::kCpu},
      {"pod_request_cpu_core_seconds", &PodUsageBatch::request_cpu_, P::kCpu},
      // docs/semantics.md "Pod rows"
      {"pod_effective_usage_cpu_core_seconds", &PodUsageBatch::effective_cpu_, P::kCpu},
      {"pod_limit_cpu_core_seconds", &PodUsageBatch::limit_cpu_, P::kCpu},
      {"pod_usage_memory_byte_seconds", &PodUsageBatch::usage_mem_, P::kMemory},
      {"pod_request_memory_byte_seconds", &PodUsageBatch::request_mem_, P::kMemory},
      {"pod_effective_usage_memory_byte_seconds", &PodUsageBatch::effective_mem_, P::kMemory},
      {"pod_limit_memory_byte_seconds", &PodUsageBatch::limit_mem_, P::kMemory},
      {"node_capacity_cpu_cores", &PodUsageBatch::capacity_cpu_cores_, P::kCapacity, true},
      {"node_capacity_memory_bytes", &PodUsageBatch::capacity_memory_bytes_, P::kCapacity},
  };

  static constexpr ReadColumn<StorageUsageBatch> kStorageDaily[] = {
      {"interval_start", &StorageUsageBatch::interval_start_},
      {"namespace", &StorageUsageBatch::namespace_},
      {"pod", &StorageUsageBatch::pod_},
      {"persistentvolumeclaim", &StorageUsageBatch::pvc_},
      {"persistentvolume", &StorageUsageBatch::pv_},
      {"storageclass", &StorageUsageBatch::storageclass_},
      {"csi_volume_handle", &StorageUsageBatch::csi_volume_handle_},  // newer operators only
      {"persistentvolume_labels", &StorageUsageBatch::pv_labels_},
      {"persistentvolumeclaim_labels", &StorageUsageBatch::pvc_labels_},
      {"persistentvolumeclaim_capacity_bytes", &StorageUsageBatch::capacity_bytes_},
      {"persistentvolumeclaim_capacity_byte_seconds", &StorageUsageBatch::capacity_byte_seconds_},
      {"volume_request_storage_byte_seconds", &StorageUsageBatch::request_byte_seconds_},
      {"persistentvolumeclaim_usage_byte_seconds", &StorageUsageBatch::usage_byte_seconds_},
  };

  static constexpr ReadColumn<NodeLabelBatch> kNodeLabels[] = {
      {"interval_start", &NodeLabelBatch::interval_start_},
      {"node", &NodeLabelBatch::node_},
      {"node_labels", &NodeLabelBatch::labels_},
  };

  static constexpr ReadColumn<NamespaceLabelBatch> kNamespaceLabels[] = {
      {"interval_start", &NamespaceLabelBatch::interval_start_},
      {"namespace", &NamespaceLabelBatch::namespace_},
      {"namespace_labels", &NamespaceLabelBatch::labels_},
  };
};

namespace {

// What the reading plan needs of a column, whatever its batch type.
struct ColumnRole {
  std::string_view name;
  PodDailyPass pass;
  bool inventory;
};

template <typename BatchT>
std::vector<ColumnRole> RolesOf(std::span<const ReadColumn<BatchT>> columns) {
  std::vector<ColumnRole> roles;
  for (const auto& c : columns) roles.push_back({c.name, c.pass, c.inventory});
  return roles;
}

std::vector<ColumnRole> RolesOf(InputTable t) {
  using T = BatchColumnTables;
  switch (t) {
    case InputTable::kPodUsageHourly:
      return RolesOf<PodCapacityBatch>(T::kPodHourly);
    case InputTable::kPodUsageDaily:
      return RolesOf<PodUsageBatch>(T::kPodDaily);
    case InputTable::kStorageUsageDaily:
      return RolesOf<StorageUsageBatch>(T::kStorageDaily);
    case InputTable::kNodeLabelsDaily:
      return RolesOf<NodeLabelBatch>(T::kNodeLabels);
    case InputTable::kNamespaceLabelsDaily:
      return RolesOf<NamespaceLabelBatch>(T::kNamespaceLabels);
  }
  return {};
}

// koku's column of this name in `table`. A name the schema lacks would be read as a required
// column of the type koku gives such a name (ReaderColumnsAreKokuColumns tests there is none).
ColumnSpec SpecOf(KokuTable table, std::string_view name) {
  const KokuColumn* column = FindKokuColumn(table, name);
  if (column == nullptr) return {name, ColumnTypeOf(name), true};
  return {column->name, column->type, !column->optional};
}

// How a table is read, resolved from its columns once.
struct TableReading {
  std::vector<ColumnSpec> columns;
  std::vector<std::vector<int>> pass_columns;  // per pass, indices into columns
  std::vector<std::span<const int>> passes;    // views of pass_columns
  std::vector<int> inventory;
};

const std::array<TableReading, kInputTableCount>& Readings() {
  static const auto kReadings = [] {
    std::array<TableReading, kInputTableCount> readings;
    for (int t = 0; t < kInputTableCount; ++t) {
      const auto table = static_cast<InputTable>(t);
      TableReading& r = readings[t];
      for (const ColumnRole& role : RolesOf(table)) {
        const int index = static_cast<int>(r.columns.size());
        r.columns.push_back(SpecOf(TableOf(table), role.name));
        const auto pass = static_cast<size_t>(role.pass);
        if (r.pass_columns.size() <= pass) r.pass_columns.resize(pass + 1);
        r.pass_columns[pass].push_back(index);
        if (role.inventory) r.inventory.push_back(index);
      }
      for (const auto& indices : r.pass_columns) r.passes.emplace_back(indices);
    }
    return readings;
  }();
  return kReadings;
}

// The views' own errors (a corrupt dictionary, say) name the column.
template <typename View>
Result<View> MakeView(std::string_view name, const std::shared_ptr<arrow::Array>& array) {
  if (!array) return View();  // absent from the file, or not read by this pass: all NULL
  auto view = View::Make(array);
  if (!view.ok()) return WithContext(view.status(), fmt::format("column '{}'", name));
  return view;
}

// A typed batch over `raw`, whose arrays are those of `columns` in order (ColumnsOf).
template <typename BatchT>
Result<BatchT> MakeBatch(const ParquetScan::Batch& raw,
                         std::span<const ReadColumn<BatchT>> columns) {
  if (raw.columns.size() != columns.size()) {
    return InternalError("a batch of {} columns read as one of {}", raw.columns.size(),
                         columns.size());
  }
  BatchT out;
  for (size_t i = 0; i < columns.size(); ++i) {
    ARROW_RETURN_NOT_OK(std::visit(
        [&](auto member) -> Status {
          using View = std::remove_reference_t<decltype(out.*member)>;
          ARROW_ASSIGN_OR_RAISE(out.*member, MakeView<View>(columns[i].name, raw.columns[i]));
          return Status::OK();
        },
        columns[i].view));
  }
  return out;
}

}  // namespace

std::span<const ColumnSpec> ColumnsOf(InputTable t) {
  return Readings()[static_cast<size_t>(t)].columns;
}

std::span<const std::span<const int>> ColumnPassesOf(InputTable t) {
  return Readings()[static_cast<size_t>(t)].passes;
}

std::span<const int> PodDailyInventoryColumns() {
  return Readings()[static_cast<size_t>(InputTable::kPodUsageDaily)].inventory;
}

Result<NodeLabelBatch> NodeLabelBatch::Make(const ParquetScan::Batch& b) {
  return MakeBatch<NodeLabelBatch>(b, BatchColumnTables::kNodeLabels);
}

Result<NamespaceLabelBatch> NamespaceLabelBatch::Make(const ParquetScan::Batch& b) {
  return MakeBatch<NamespaceLabelBatch>(b, BatchColumnTables::kNamespaceLabels);
}

Result<PodCapacityBatch> PodCapacityBatch::Make(const ParquetScan::Batch& b) {
  return MakeBatch<PodCapacityBatch>(b, BatchColumnTables::kPodHourly);
}

Result<PodUsageBatch> PodUsageBatch::Make(const ParquetScan::Batch& b) {
  return MakeBatch<PodUsageBatch>(b, BatchColumnTables::kPodDaily);
}

Result<StorageUsageBatch> StorageUsageBatch::Make(const ParquetScan::Batch& b) {
  return MakeBatch<StorageUsageBatch>(b, BatchColumnTables::kStorageDaily);
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
