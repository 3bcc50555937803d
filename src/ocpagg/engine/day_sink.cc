#include "ocpagg/engine/day_sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace ocpagg {
namespace {

constexpr int64_t kMiB = 1 << 20;

// Values worked out once per dictionary code of a batch's string column, for every row that
// names the code (the hourly capacity pass does the same with its node column); a column
// without codes works out every row's.
class PerCode {
 public:
  // For the rows of a new batch.
  void Reset(const StringColumn& column) {
    values_.assign(column.has_codes() ? static_cast<size_t>(column.code_count()) : 0, kUnset);
    null_ = kUnset;
  }
  // make(value of row i) -> Result<uint32_t>, on the first row of its code.
  template <typename Make>
  Result<uint32_t> Get(const StringColumn& column, int64_t i, Make&& make) {
    if (!column.has_codes()) return make(column.Get(i));
    const int64_t code = column.Code(i);
    uint32_t& value = code < 0 ? null_ : values_[static_cast<size_t>(code)];
    if (value == kUnset) {
      ARROW_ASSIGN_OR_RAISE(value,
                            make(code < 0 ? std::nullopt : std::optional(column.CodeValue(code))));
    }
    return value;
  }

 private:
  static constexpr uint32_t kUnset = 0xFFFFFFFF;  // no id or label set reaches it
  std::vector<uint32_t> values_;
  uint32_t null_ = kUnset;
};

// The ids of a daily pod batch's key columns in one state, by dictionary code.
struct PodKeyCodes {
  PerCode namespace_, node, resource_id, labels, claims;
  int64_t batch = -1;  // the group_row of the batch they are for

  Result<uint32_t> AddKeys(DaySummary& s, const PodUsageBatch& b, int64_t group_row, int64_t i) {
    if (group_row != batch) {
      namespace_.Reset(b.namespace_column());
      node.Reset(b.node_column());
      resource_id.Reset(b.resource_id_column());
      labels.Reset(b.pod_labels_column());
      claims.Reset(b.namespace_column());
      batch = group_row;
    }
    auto intern = [&s](std::optional<std::string_view> v) -> Result<uint32_t> {
      return s.InternString(v);
    };
    PodUsageRow row;
    row.namespace_ = b.namespace_column().Get(i);
    row.node = b.node_column().Get(i);
    row.pod = b.pod_column().Get(i);
    DaySummary::PodKeyIds ids;
    ARROW_ASSIGN_OR_RAISE(ids.namespace_, namespace_.Get(b.namespace_column(), i, intern));
    ARROW_ASSIGN_OR_RAISE(ids.node, node.Get(b.node_column(), i, intern));
    ARROW_ASSIGN_OR_RAISE(ids.resource_id, resource_id.Get(b.resource_id_column(), i, intern));
    if (const ClaimedPods* claimed = s.mounts_restricted_to()) {
      ARROW_ASSIGN_OR_RAISE(
          ids.claims, claims.Get(b.namespace_column(), i,
                                 [claimed](std::optional<std::string_view> v) -> Result<uint32_t> {
                                   return claimed->NamespaceOf(v);
                                 }));
    }
    if (DaySummary::MakesPodRow(row)) {
      ARROW_ASSIGN_OR_RAISE(
          ids.labels, labels.Get(b.pod_labels_column(), i, [&](std::optional<std::string_view> v) {
            return s.FilterPodLabels(v, row);
          }));
    }
    return s.AddPodKeyIds(row, ids);
  }
};

}  // namespace

DayLocalState::DayLocalState(const SummarySettings& settings, DayGlobalState& day, size_t index)
    : index(index), state(settings, day.plan.day) {
  if (day.claims_known) state.RestrictMountsTo(&day.claimed);
}

std::string SpillPrefixOf(const DayLocalState& local) { return fmt::format("lane{}", local.index); }

DaySink::DaySink(const UnitSource& source, MemoryBudget& budget, const MemoryPolicy& policy,
                 SpillArea* spill, const AllocatorHooks& allocator, DayEngineCounters& counters)
    : source_(source),
      budget_(budget),
      policy_(policy),
      spill_(spill),
      allocator_(allocator),
      counters_(counters) {}

bool DaySink::ReadsInPasses(const WorkUnit& unit) const {
  return unit.table == InputTable::kPodUsageDaily && source_.reads_columns_apart();
}

Status DaySink::Sink(DayGlobalState& day, DayLocalState& local, const WorkUnit& unit) {
  const int64_t rows_before_check = policy_.RowsBetweenChecks(ReadsInPasses(unit));
  ARROW_RETURN_NOT_OK(Check(day, local, StateGrowthBound(unit, rows_before_check)));
  return SinkUnit(day, local, unit);
}

Status DaySink::SinkUnit(DayGlobalState& day, DayLocalState& local, const WorkUnit& unit) {
  PhaseClock::Scope in_scan(counters_.scan);
  const Date d = day.plan.day;
  const MillisWindow window = MillisWindow::Days(d, d);
  int64_t rows = 0;
  // A spill replaces the state in place, so `s` stays valid across batches.
  DaySummary& s = local.state;
  auto after_batch = [&] { return Check(day, local); };
  Status st;
  switch (unit.table) {
    case InputTable::kNodeLabelsDaily:
      st = ScanUnit<NodeLabelBatch>(
          source_, unit, window, &rows,
          [&](const NodeLabelBatch& b, int64_t i, int64_t) { return s.AddNodeLabels(b.Row(i, d)); },
          after_batch);
      break;
    case InputTable::kNamespaceLabelsDaily:
      st = ScanUnit<NamespaceLabelBatch>(
          source_, unit, window, &rows,
          [&](const NamespaceLabelBatch& b, int64_t i, int64_t) {
            return s.AddNamespaceLabels(b.Row(i, d));
          },
          after_batch);
      break;
    case InputTable::kPodUsageHourly:
      st = SinkCapacityUnit(day, local, unit, &rows);
      break;
    case InputTable::kPodUsageDaily:
      if (ReadsInPasses(unit)) {
        st = SinkPodUnitInPasses(day, local, unit, &rows);
        break;
      }
      st = ScanUnit<PodUsageBatch>(
          source_, unit, window, &rows,
          [&](const PodUsageBatch& b, int64_t i, int64_t) { return s.AddPodUsage(b.Row(i, d)); },
          after_batch);
      break;
    case InputTable::kStorageUsageDaily:
      st = ScanUnit<StorageUsageBatch>(
          source_, unit, window, &rows,
          [&](const StorageUsageBatch& b, int64_t i, int64_t) {
            const StorageUsageRow row = b.Row(i, d);
            local.claimed.Add(row.namespace_, row.pod);
            return s.AddStorageUsage(row);
          },
          after_batch);
      break;
  }
  counters_.rows_read[static_cast<size_t>(unit.table)].fetch_add(rows, std::memory_order_relaxed);
  return st;
}

// The hourly pod table is ten times the daily one and gives only node capacity: a batch whose
// node column is dictionary-encoded finds each distinct node's capacity slot once, and its rows
// then go by code, with no string work.
Status DaySink::SinkCapacityUnit(DayGlobalState& day, DayLocalState& local, const WorkUnit& unit,
                                 int64_t* rows) {
  const MillisWindow window = MillisWindow::Days(day.plan.day, day.plan.day);
  const std::string& path = source_.PathOf(unit);
  ARROW_ASSIGN_OR_RAISE(const UnitReader reader, source_.Open(unit));
  constexpr uint32_t kNoSlot = 0xFFFFFFFF;
  std::vector<uint32_t> slots;  // per code of the batch's node dictionary
  return reader.ForEachBatch([&](const ParquetScan::Batch& raw) -> Status {
    auto batch = PodCapacityBatch::Make(raw);
    if (!batch.ok()) return BadInput("{}: {}", path, batch.status().message());
    const PodCapacityBatch& b = *batch;
    // A spill replaces the state in place; slots are the state's, found again every batch.
    DaySummary& s = local.state;
    const StringColumn& node = b.node();
    if (!node.has_codes()) {
      ARROW_RETURN_NOT_OK(ScanBatch<PodCapacityBatch>(
          path, raw, window, rows, [&](const PodCapacityBatch& b, int64_t i, int64_t ts) {
            s.AddCapacity(b.Row(i, ts));
            return Status::OK();
          }));
      return Check(day, local);
    }
    slots.assign(static_cast<size_t>(node.code_count()), kNoSlot);
    uint32_t null_slot = kNoSlot;
    for (int64_t i = 0; i < raw.num_rows; ++i) {
      const auto ts = b.interval_start_millis(i);
      if (!ts || !window.Contains(*ts)) continue;
      ++*rows;
      const int64_t code = node.Code(i);
      uint32_t& slot = code < 0 ? null_slot : slots[static_cast<size_t>(code)];
      if (slot == kNoSlot) {
        slot = s.CapacitySlot(code < 0 ? std::nullopt
                                       : std::optional<std::string_view>(node.CodeValue(code)));
      }
      s.AddCapacityAt(slot, *ts, b.cpu(i), b.memory(i));
    }
    return Check(day, local);
  });
}

// A daily pod row group is wide (17 columns): read whole, it holds every column's pages at once,
// which for large row groups is tens of megabytes. Read in column passes, keys first, it holds
// one pass's pages; every column is still decoded once. The groups the keys pass finds are only
// valid until the state spills, so the state is checked between passes only when a slice of
// rows has been through all of them: a row group larger than the states' share can take is read
// in slices, each pass decoding (and skipping) the rows of the slices before it.
Status DaySink::SinkPodUnitInPasses(DayGlobalState& day, DayLocalState& local, const WorkUnit& unit,
                                    int64_t* rows) {
  const Date d = day.plan.day;
  const MillisWindow window = MillisWindow::Days(d, d);
  const std::string& path = source_.PathOf(unit);
  ARROW_ASSIGN_OR_RAISE(const UnitReader reader, source_.Open(unit));
  const auto passes = ColumnPassesOf(InputTable::kPodUsageDaily);
  const int64_t unit_rows = reader.rows();
  const int64_t slice_rows = std::min(policy_.SliceRows(), std::max<int64_t>(unit_rows, 1));
  DaySummary& s = local.state;
  // The group of each row of the slice; rows outside the day or without a pod row skip the
  // number passes.
  constexpr uint32_t kOutside = DaySummary::kNoPodGroup - 1;
  std::vector<uint32_t> groups;
  groups.reserve(static_cast<size_t>(slice_rows));
  PodKeyCodes codes;
  for (int64_t lo = 0; lo < unit_rows; lo += slice_rows) {
    const int64_t hi = std::min(unit_rows, lo + slice_rows);
    groups.assign(static_cast<size_t>(hi - lo), kOutside);
    codes.batch = -1;  // every slice decodes its batches again
    ARROW_RETURN_NOT_OK(ScanSlice<PodUsageBatch>(
        path, reader, lo, hi, passes[static_cast<size_t>(PodDailyPass::kKeys)],
        [&](const PodUsageBatch& b, const ParquetScan::Batch& raw, int64_t i) -> Status {
          const auto ts = b.interval_start_millis(i);
          if (!ts || !window.Contains(*ts)) return Status::OK();
          ++*rows;
          auto group = codes.AddKeys(s, b, raw.group_row, i);
          if (!group.ok()) return RowError(path, raw, i, group.status());
          groups[static_cast<size_t>(raw.group_row + i - lo)] = *group;
          return Status::OK();
        }));
    for (PodDailyPass pass : {PodDailyPass::kCpu, PodDailyPass::kMemory, PodDailyPass::kCapacity}) {
      ARROW_RETURN_NOT_OK(ScanSlice<PodUsageBatch>(
          path, reader, lo, hi, passes[static_cast<size_t>(pass)],
          [&](const PodUsageBatch& b, const ParquetScan::Batch& raw, int64_t i) -> Status {
            const uint32_t group = groups[static_cast<size_t>(raw.group_row + i - lo)];
            if (group >= kOutside) return Status::OK();
            const PodUsageRow numbers = b.Numbers(i);
            if (pass == PodDailyPass::kCpu) {
              s.AddPodCpu(group, numbers);
            } else if (pass == PodDailyPass::kMemory) {
              s.AddPodMemory(group, numbers);
            } else {
              s.AddPodCapacity(group, numbers);
            }
            return Status::OK();
          }));
    }
    // Room for the next slice, or the check at the unit's end.
    ARROW_RETURN_NOT_OK(Check(day, local, hi < unit_rows ? StateGrowthBound(unit, slice_rows) : 0));
  }
  return Status::OK();
}

void DaySink::Account(DayGlobalState& day, DayLocalState& local) {
  const int64_t before = local.accounted_bytes;
  budget_.Update(local.accounted_bytes,
                 MemoryPolicy::ResidentBytes(local.state.ApproximateMemoryBytes()));
  day.state_bytes.fetch_add(local.accounted_bytes - before, std::memory_order_relaxed);
}

Status DaySink::Check(DayGlobalState& day, DayLocalState& local, int64_t growth_bytes) {
  Account(day, local);
  const MemoryUse use = budget_.use();
  const int64_t day_bytes = day.state_bytes.load();
  switch (policy_.CheckState(use, growth_bytes, local.accounted_bytes, day_bytes,
                             local.state.has_groups())) {
    case StateVerdict::kKeep:
      return Status::OK();
    case StateVerdict::kSpill:
      return Spill(day, local);
    case StateVerdict::kTooLarge:
      break;
  }
  const MemoryShares& shares = policy_.shares();
  return MakeError(
      ErrorKind::kMemoryLimit,
      fmt::format("day {} does not fit the memory limit: its aggregation state reached {} MB, "
                  "the process {} MB, of --memory-limit {} MB ({} MB left to aggregation "
                  "states), and spilling is disabled; raise --memory-limit or allow spilling "
                  "(performance.spill: true)",
                  FormatDate(day.plan.day), day_bytes / kMiB, use.process_bytes / kMiB,
                  shares.limit_bytes / kMiB, std::max<int64_t>(shares.state_bytes, 0) / kMiB));
}

Status DaySink::Spill(DayGlobalState& day, DayLocalState& local) {
  std::call_once(first_spill_, [this] {
    if (allocator_.on_first_spill) allocator_.on_first_spill();
  });
  if (!local.spill) {
    uint32_t partitions = 0;
    std::string dir;
    {
      std::lock_guard<std::mutex> lock(day.spill_mu);
      if (day.spill_partitions == 0) {
        ARROW_ASSIGN_OR_RAISE(day.spill_dir, spill_->DayDir(day.plan.day));
        day.spill_partitions =
            policy_.SpillPartitions(local.spilled_rows + local.state.rows_added(),
                                    day.plan.estimated_rows, day.state_bytes.load());
      }
      partitions = day.spill_partitions;
      dir = day.spill_dir;
    }
    ARROW_ASSIGN_OR_RAISE(local.spill, DaySpillWriter::Open(dir, SpillPrefixOf(local), partitions));
  }
  ARROW_RETURN_NOT_OK(local.state.SpillGroups(*local.spill));
  local.spilled_rows += local.state.rows_added();
  local.state = local.state.DimensionsOnly();
  Account(day, local);
  // What the groups held goes back to the system, where the limit counts it.
  if (allocator_.release_free_memory) allocator_.release_free_memory();
  return Status::OK();
}

}  // namespace ocpagg
