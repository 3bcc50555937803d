// A Parquet file through the summary's reading path (src/ocpagg/source/parquet_scan.h,
// koku_tables.h, column_view.h), as the engine reads koku's tables: for each of the five input
// tables whose required columns the file has, ParquetScan::Open, what PlanRun asks of the
// footer (row counts, PageBytes and columns_read per column pass, interval_start statistics),
// then every row group through ScanBatch and the table's typed batch, every row's values read.
// Daily pod files are also read as the day engine and the nodes query read them: in column
// passes (keys, CPU, memory, capacity) over slices of rows, and the inventory's six columns.
//
// The file lives in an in-memory Arrow filesystem. Exceptions are not caught here: one that
// escapes ParquetScan would escape `ocpagg summarize` too.

#include <arrow/filesystem/mockfs.h>

#include <algorithm>
#include <limits>
#include <type_traits>

#include "fuzz_common.h"
#include "ocpagg/engine/unit_scan.h"
#include "ocpagg/source/koku_tables.h"
#include "ocpagg/source/parquet_scan.h"

using namespace ocpagg;

namespace {

constexpr InputTable kTables[] = {InputTable::kPodUsageHourly, InputTable::kPodUsageDaily,
                                  InputTable::kStorageUsageDaily, InputTable::kNodeLabelsDaily,
                                  InputTable::kNamespaceLabelsDaily};
constexpr MillisWindow kAllTime{std::numeric_limits<int64_t>::min(),
                                std::numeric_limits<int64_t>::max()};
// A few bytes of run-length encoding can claim billions of rows: reading them would be slow,
// not wrong, and libFuzzer would report a timeout. Files claiming more are read by footer only.
constexpr int64_t kMaxRows = 1 << 14;

void TouchRow(const PodCapacityRow& r) {
  fuzz::Touch(r.node);
  fuzz::Touch(r.node_capacity_cpu_core_seconds);
  fuzz::Touch(r.node_capacity_memory_byte_seconds);
}

void TouchRow(const PodUsageRow& r) {
  for (const auto& s : {r.namespace_, r.node, r.pod, r.resource_id, r.pod_labels, r.node_role}) {
    fuzz::Touch(s);
  }
  for (double x : {r.pod_usage_cpu_core_seconds, r.pod_request_cpu_core_seconds,
                   r.pod_limit_cpu_core_seconds, r.pod_usage_memory_byte_seconds,
                   r.pod_request_memory_byte_seconds, r.pod_limit_memory_byte_seconds}) {
    fuzz::Touch(x);
  }
  for (const auto& x :
       {r.pod_effective_usage_cpu_core_seconds, r.pod_effective_usage_memory_byte_seconds,
        r.node_capacity_cpu_cores, r.node_capacity_memory_bytes}) {
    fuzz::Touch(x);
  }
}

void TouchRow(const StorageUsageRow& r) {
  for (const auto& s :
       {r.namespace_, r.pod, r.persistentvolumeclaim, r.persistentvolume, r.storageclass,
        r.csi_volume_handle, r.persistentvolume_labels, r.persistentvolumeclaim_labels}) {
    fuzz::Touch(s);
  }
  fuzz::Touch(r.persistentvolumeclaim_capacity_bytes);
  for (double x :
       {r.persistentvolumeclaim_capacity_byte_seconds, r.volume_request_storage_byte_seconds,
        r.persistentvolumeclaim_usage_byte_seconds}) {
    fuzz::Touch(x);
  }
}

void TouchRow(const NodeLabelRow& r) {
  fuzz::Touch(r.node);
  fuzz::Touch(r.node_labels);
}

void TouchRow(const NamespaceLabelRow& r) {
  fuzz::Touch(r.namespace_);
  fuzz::Touch(r.namespace_labels);
}

// What the engine may assume of a batch: one slot per requested column, and arrays as long as
// the batch.
void CheckBatch(const ParquetScan::Batch& raw, InputTable table) {
  FUZZ_CHECK(raw.columns.size() == ColumnsOf(table).size());
  for (const auto& column : raw.columns) {
    FUZZ_CHECK(column == nullptr || column->length() == raw.num_rows);
  }
}

// ScanUnit's reading of one row group (src/ocpagg/engine/unit_scan.h), every row's values read.
template <typename BatchT>
Status ScanRowGroup(const ParquetScan& scan, InputTable table, int row_group,
                    std::span<const int> columns = {}) {
  int64_t rows = 0;
  return scan.ForEachBatch(
      row_group,
      [&](const ParquetScan::Batch& raw) {
        CheckBatch(raw, table);
        return ScanBatch<BatchT>(scan.path(), raw, kAllTime, &rows,
                                 [](const BatchT& batch, int64_t i, int64_t millis) {
                                   if constexpr (std::is_same_v<BatchT, PodCapacityBatch>) {
                                     TouchRow(batch.Row(i, millis));
                                   } else {
                                     TouchRow(batch.Row(i, DateOfMillis(millis)));
                                   }
                                   return Status::OK();
                                 });
      },
      columns);
}

// The engine's column passes (engine/unit_scan.h, ScanSlice): slices of rows, each read pass by
// pass, every pass decoding the row group from its start up to the slice's end; keys read as rows,
// numbers alone.
Status ReadPodRowGroupInPasses(const ParquetScan& scan, int row_group, int64_t batch_rows) {
  const auto passes = ColumnPassesOf(InputTable::kPodUsageDaily);
  const int64_t unit_rows = scan.row_group_num_rows(row_group);
  // At most four slices: the engine's are larger than a batch, and each re-reads the ones before.
  const int64_t slice_rows = std::max(batch_rows, (unit_rows + 3) / 4);
  for (int64_t lo = 0; lo < unit_rows; lo += slice_rows) {
    const int64_t hi = std::min(unit_rows, lo + slice_rows);
    for (size_t p = 0; p < passes.size(); ++p) {
      const bool keys = static_cast<PodDailyPass>(p) == PodDailyPass::kKeys;
      ARROW_RETURN_NOT_OK(scan.ForEachBatch(
          row_group,
          [&](const ParquetScan::Batch& raw) -> Status {
            CheckBatch(raw, InputTable::kPodUsageDaily);
            const int64_t first = std::clamp<int64_t>(lo - raw.group_row, 0, raw.num_rows);
            const int64_t last = std::clamp<int64_t>(hi - raw.group_row, 0, raw.num_rows);
            if (first == last) return Status::OK();
            ARROW_ASSIGN_OR_RAISE(const PodUsageBatch batch, PodUsageBatch::Make(raw));
            for (int64_t i = first; i < last; ++i) {
              const auto millis = batch.interval_start_millis(i);
              if (keys && millis) TouchRow(batch.Row(i, DateOfMillis(*millis)));
              if (!keys) TouchRow(batch.Numbers(i));
            }
            return Status::OK();
          },
          passes[p], hi));
    }
  }
  return Status::OK();
}

template <typename BatchT>
Status ReadTable(const ParquetScan& scan, InputTable table, const ScanOptions& options) {
  // PlanRun's questions to the footer.
  int64_t rows = 0;
  for (int rg = 0; rg < scan.num_row_groups(); ++rg) {
    const int64_t rg_rows = scan.row_group_num_rows(rg);
    FUZZ_CHECK(rg_rows >= 0);
    rows += rg_rows;
    for (std::span<const int> pass : ColumnPassesOf(table)) {
      FUZZ_CHECK(scan.PageBytes(rg, pass) >= 0);
      const int read = scan.columns_read(pass);
      FUZZ_CHECK(read >= 0 && read <= static_cast<int>(pass.size()));
    }
    if (auto range = scan.TimestampRange(rg, "interval_start")) {
      (void)DateOfMillis(range->first);
      (void)DateOfMillis(range->second);
    }
  }
  if (rows > kMaxRows || scan.num_rows() > kMaxRows) return Status::OK();

  for (int rg = 0; rg < scan.num_row_groups(); ++rg) {
    ARROW_RETURN_NOT_OK(ScanRowGroup<BatchT>(scan, table, rg));
    if (table != InputTable::kPodUsageDaily) continue;
    ARROW_RETURN_NOT_OK(ScanRowGroup<PodUsageBatch>(scan, table, rg, PodDailyInventoryColumns()));
    ARROW_RETURN_NOT_OK(ReadPodRowGroupInPasses(scan, rg, options.batch_rows));
  }
  return Status::OK();
}

Status ReadAs(const std::shared_ptr<arrow::fs::FileSystem>& fs, const std::string& path,
              InputTable table) {
  // Small batches and buffers (the engine's under a tight memory limit), so that even small
  // files are read in several batches.
  ScanOptions options;
  options.batch_rows = 8;
  options.read_buffer_bytes = 4096;
  ARROW_ASSIGN_OR_RAISE(auto scan, ParquetScan::Open(fs, path, ColumnsOf(table), options));
  switch (table) {
    case InputTable::kPodUsageHourly:
      return ReadTable<PodCapacityBatch>(*scan, table, options);
    case InputTable::kPodUsageDaily:
      return ReadTable<PodUsageBatch>(*scan, table, options);
    case InputTable::kStorageUsageDaily:
      return ReadTable<StorageUsageBatch>(*scan, table, options);
    case InputTable::kNodeLabelsDaily:
      return ReadTable<NodeLabelBatch>(*scan, table, options);
    case InputTable::kNamespaceLabelsDaily:
      return ReadTable<NamespaceLabelBatch>(*scan, table, options);
  }
  return Status::OK();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto fs = std::make_shared<arrow::fs::internal::MockFileSystem>(arrow::fs::TimePoint{});
  const std::string path = "input.parquet";
  FUZZ_CHECK(fs->CreateFile(path, fuzz::AsText(data, size)).ok());
  for (InputTable table : kTables) (void)ReadAs(fs, path, table);
  return 0;
}
