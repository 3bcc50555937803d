#include "ocpagg/engine/day_engine.h"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "ocpagg/aggregate/day_finalize.h"
#include "ocpagg/engine/first_error.h"

namespace ocpagg {
namespace {

using Clock = std::chrono::steady_clock;

int64_t NanosSince(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
}

constexpr int64_t kMiB = 1 << 20;

void CountRows(std::span<const SummaryRow> rows, DayEngineCounters& c) {
  for (const auto& r : rows) {
    if (r.data_source == DataSource::kStorage) {
      ++c.storage_rows;
    } else if (r.has_infrastructure_usage_cost) {
      ++c.pod_rows;
    } else {
      ++c.unallocated_rows;
    }
  }
}

std::string LanePrefix(size_t lane) { return fmt::format("lane{}", lane); }

int64_t Resident(const DaySummary& state) {
  return MemoryPolicy::ResidentBytes(state.ApproximateMemoryBytes());
}

// Runs fn(p) for every partition, `workers` at a time, taken in increasing order: each worker
// holds one partition at a time, and a partition's successors are never far behind it.
template <typename Fn>
void ForEachPartition(uint32_t partitions, int workers, Fn&& fn) {
  std::atomic<uint32_t> next{0};
  tbb::parallel_for(0, std::max(workers, 1), [&](int) {
    for (uint32_t p = next++; p < partitions; p = next++) fn(p);
  });
}

}  // namespace

// What the workers of one day share.
struct DaySpillPlan {
  std::mutex mu;
  uint32_t partitions = 0;  // decided by the day's first spill
  std::string dir;
};

struct DayEngine::Lane {
  const DayPlan* day = nullptr;
  size_t index = 0;
  DaySpillPlan* spill_plan = nullptr;
  std::atomic<int64_t>* day_bytes = nullptr;  // the accounts of every lane of the day
  std::optional<DaySummary> state;
  ClaimedPods claimed;  // the pods this lane's storage rows name
  std::unique_ptr<DaySpillWriter> spill;
  int64_t accounted = 0;
  int64_t spilled_rows = 0;
};

DayEngine::DayEngine(const UnitSource& source, const SummarySettings& settings,
                     MemoryBudget& budget, SpillArea* spill, int lanes, RolesProvider roles,
                     SummaryTarget& target, AllocatorHooks allocator)
    : source_(source),
      settings_(settings),
      budget_(budget),
      spill_(spill),
      lanes_(std::max(lanes, 1)),
      roles_(std::move(roles)),
      target_(target),
      allocator_(std::move(allocator)),
      policy_(budget.shares(), lanes_, spill != nullptr) {}

void DayEngine::ReleaseFreeMemory() const {
  if (allocator_.release_free_memory) allocator_.release_free_memory();
}

std::optional<int64_t> DayEngine::expected_day_bytes() const {
  const int64_t v = expected_day_bytes_.load();
  if (v < 0) return std::nullopt;
  return v;
}

void DayEngine::RaiseExpectedDayBytes(int64_t bytes) {
  int64_t expected = expected_day_bytes_.load();
  while (bytes > expected && !expected_day_bytes_.compare_exchange_weak(expected, bytes)) {
  }
}

Status DayEngine::AddUnit(const WorkUnit& unit, Date day, Lane& lane) {
  const auto t0 = Clock::now();
  const MillisWindow window = MillisWindow::Days(day, day);
  int64_t rows = 0;
  // A spill replaces the lane's state in place, so `s` stays valid across batches.
  DaySummary& s = *lane.state;
  auto after_batch = [&] { return CheckLane(lane); };
  Status st;
  switch (unit.table) {
    case InputTable::kNodeLabelsDaily:
      st = ScanUnit<NodeLabelBatch>(
          source_, unit, window, &rows,
          [&](const NodeLabelBatch& b, int64_t i, int64_t) {
            return s.AddNodeLabels(b.Row(i, day));
          },
          after_batch);
      break;
    case InputTable::kNamespaceLabelsDaily:
      st = ScanUnit<NamespaceLabelBatch>(
          source_, unit, window, &rows,
          [&](const NamespaceLabelBatch& b, int64_t i, int64_t) {
            return s.AddNamespaceLabels(b.Row(i, day));
          },
          after_batch);
      break;
    case InputTable::kPodUsageHourly:
      st = ScanUnit<PodCapacityBatch>(
          source_, unit, window, &rows,
          [&](const PodCapacityBatch& b, int64_t i, int64_t ts) {
            s.AddCapacity(b.Row(i, ts));
            return Status::OK();
          },
          after_batch);
      break;
    case InputTable::kPodUsageDaily:
      if (ReadsInPasses(unit)) {
        st = AddPodUnitInPasses(unit, day, lane, &rows);
        break;
      }
      st = ScanUnit<PodUsageBatch>(
          source_, unit, window, &rows,
          [&](const PodUsageBatch& b, int64_t i, int64_t) { return s.AddPodUsage(b.Row(i, day)); },
          after_batch);
      break;
    case InputTable::kStorageUsageDaily:
      st = ScanUnit<StorageUsageBatch>(
          source_, unit, window, &rows,
          [&](const StorageUsageBatch& b, int64_t i, int64_t) {
            const StorageUsageRow row = b.Row(i, day);
            lane.claimed.Add(row.namespace_, row.pod);
            return s.AddStorageUsage(row);
          },
          after_batch);
      break;
  }
  counters_.rows_read[static_cast<size_t>(unit.table)].fetch_add(rows, std::memory_order_relaxed);
  counters_.scan_nanos.fetch_add(NanosSince(t0), std::memory_order_relaxed);
  return st;
}

// A daily pod row group is wide (17 columns): read whole, it holds every column's pages at once,
// which for large row groups is tens of megabytes. Read in column passes, keys first, it holds
// one pass's pages; every column is still decoded once. The groups the keys pass finds are only
// valid until the lane spills, so the lane is checked between passes only when a slice of rows
// has been through all of them: a row group larger than the states' share can take is read in
// slices, each pass decoding (and skipping) the rows of the slices before it.
Status DayEngine::AddPodUnitInPasses(const WorkUnit& unit, Date day, Lane& lane, int64_t* rows) {
  const MillisWindow window = MillisWindow::Days(day, day);
  const std::string& path = source_.PathOf(unit);
  ARROW_ASSIGN_OR_RAISE(const UnitReader reader, source_.Open(unit));
  const auto passes = ColumnPassesOf(InputTable::kPodUsageDaily);
  const int64_t unit_rows = reader.rows();
  const int64_t slice_rows = std::min(policy_.SliceRows(), std::max<int64_t>(unit_rows, 1));
  DaySummary& s = *lane.state;
  // The group of each row of the slice; rows outside the day or without a pod row skip the
  // number passes.
  constexpr uint32_t kOutside = DaySummary::kNoPodGroup - 1;
  std::vector<uint32_t> groups;
  groups.reserve(static_cast<size_t>(slice_rows));
  for (int64_t lo = 0; lo < unit_rows; lo += slice_rows) {
    const int64_t hi = std::min(unit_rows, lo + slice_rows);
    groups.assign(static_cast<size_t>(hi - lo), kOutside);
    ARROW_RETURN_NOT_OK(ScanSlice<PodUsageBatch>(
        path, reader, lo, hi, passes[static_cast<size_t>(PodDailyPass::kKeys)],
        [&](const PodUsageBatch& b, const ParquetScan::Batch& raw, int64_t i) -> Status {
          const auto ts = b.interval_start_millis(i);
          if (!ts || !window.Contains(*ts)) return Status::OK();
          ++*rows;
          auto group = s.AddPodKeys(b.Row(i, day));
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
    ARROW_RETURN_NOT_OK(CheckLane(lane, hi < unit_rows ? StateGrowthBound(unit, slice_rows) : 0));
  }
  return Status::OK();
}

bool DayEngine::ReadsInPasses(const WorkUnit& unit) const {
  // Row groups read into memory beforehand (in-memory mode) are decoded whole: read as rows.
  return unit.table == InputTable::kPodUsageDaily && source_.reads_columns_apart();
}

Status DayEngine::CheckLane(Lane& lane, int64_t growth_bytes) {
  const int64_t before = lane.accounted;
  budget_.Update(lane.accounted, Resident(*lane.state));
  lane.day_bytes->fetch_add(lane.accounted - before, std::memory_order_relaxed);
  const MemoryUse use = budget_.use();
  const int64_t day_bytes = lane.day_bytes->load();
  switch (
      policy_.CheckState(use, growth_bytes, lane.accounted, day_bytes, lane.state->has_groups())) {
    case StateVerdict::kKeep:
      return Status::OK();
    case StateVerdict::kSpill:
      return SpillLane(lane);
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
                  FormatDate(lane.day->day), day_bytes / kMiB, use.process_bytes / kMiB,
                  shares.limit_bytes / kMiB, std::max<int64_t>(shares.state_bytes, 0) / kMiB));
}

Status DayEngine::SpillLane(Lane& lane) {
  std::call_once(tight_memory_, [this] {
    if (allocator_.on_first_spill) allocator_.on_first_spill();
  });
  if (!lane.spill) {
    uint32_t partitions = 0;
    std::string dir;
    {
      std::lock_guard<std::mutex> lock(lane.spill_plan->mu);
      if (lane.spill_plan->partitions == 0) {
        ARROW_ASSIGN_OR_RAISE(lane.spill_plan->dir, spill_->DayDir(lane.day->day));
        lane.spill_plan->partitions =
            policy_.SpillPartitions(lane.spilled_rows + lane.state->rows_added(),
                                    lane.day->estimated_rows, lane.day_bytes->load());
      }
      partitions = lane.spill_plan->partitions;
      dir = lane.spill_plan->dir;
    }
    ARROW_ASSIGN_OR_RAISE(lane.spill,
                          DaySpillWriter::Open(dir, LanePrefix(lane.index), partitions));
  }
  ARROW_RETURN_NOT_OK(lane.state->SpillGroups(*lane.spill));
  lane.spilled_rows += lane.state->rows_added();
  *lane.state = lane.state->DimensionsOnly();
  const int64_t before = lane.accounted;
  budget_.Update(lane.accounted, Resident(*lane.state));
  lane.day_bytes->fetch_add(lane.accounted - before, std::memory_order_relaxed);
  ReleaseFreeMemory();  // what the groups held goes back to the system, where the limit counts it
  return Status::OK();
}

Result<std::unique_ptr<AggregatedDay>> DayEngine::Aggregate(const DayPlan& day,
                                                            bool share_workers) {
  // Storage first: the pods its rows name are the only ones whose pod mounts matter, and the
  // other pods' names need not be kept (ClaimedPods).
  std::vector<WorkUnit> storage_units, other_units;
  for (const WorkUnit& unit : CostliestFirst(day)) {
    (unit.table == InputTable::kStorageUsageDaily ? storage_units : other_units).push_back(unit);
  }
  DaySpillPlan spill_plan;
  std::atomic<int64_t> day_bytes{0};
  std::atomic<size_t> lanes_opened{0};
  FirstError error;
  ClaimedPods claimed;
  bool claims_known = false;
  // Sink: the day's units go to whichever workers are free, costliest first; each worker that
  // takes part reads into a partial state of its own (a lane). A day that runs beside other
  // days mostly stays on one worker and needs no merging; a day alone gets every worker.
  tbb::enumerable_thread_specific<Lane> thread_lanes;
  auto sink = [&](const std::vector<WorkUnit>& units) {
    const size_t grain = share_workers ? 1 : std::max<size_t>(units.size(), 1);
    tbb::parallel_for(
        tbb::blocked_range<size_t>(0, units.size(), grain),
        [&](const tbb::blocked_range<size_t>& r) {
          for (size_t i = r.begin(); i != r.end(); ++i) {
            if (error.failed()) return;
            Lane& lane = thread_lanes.local();
            if (!lane.state) {
              lane.day = &day;
              lane.index = lanes_opened++;
              lane.spill_plan = &spill_plan;
              lane.day_bytes = &day_bytes;
              lane.state.emplace(settings_, day.day);
              if (claims_known) lane.state->RestrictMountsTo(&claimed);
            }
            // Make room first for the groups the unit may add before its first check.
            const int64_t rows_before_check = policy_.RowsBetweenChecks(ReadsInPasses(units[i]));
            error.Record(CheckLane(lane, StateGrowthBound(units[i], rows_before_check)));
            error.Record(AddUnit(units[i], day.day, lane));
          }
        },
        tbb::simple_partitioner());
  };
  sink(storage_units);
  for (Lane& lane : thread_lanes) {
    claimed.Merge(lane.claimed);
    if (lane.state) lane.state->RestrictMountsTo(&claimed);
  }
  claims_known = true;
  sink(other_units);
  // Lanes in the order they opened: the merge order.
  std::vector<Lane> lanes;
  for (Lane& lane : thread_lanes) {
    if (lane.state) lanes.push_back(std::move(lane));
  }
  std::sort(lanes.begin(), lanes.end(),
            [](const Lane& a, const Lane& b) { return a.index < b.index; });
  if (lanes.empty()) {
    // A day with no unit left to read (every row group of it was empty).
    lanes.emplace_back();
    lanes.back().state.emplace(settings_, day.day);
  }
  auto release_lanes = [&] {
    for (Lane& lane : lanes) Release(lane.accounted);
  };
  if (error.failed()) {
    release_lanes();
    if (spill_) spill_->RemoveDay(day.day);
    return error.status();
  }

  // Combine. Merging grows the first state to about the largest one: when that would overrun
  // the budget, the day goes to disk instead.
  int64_t largest = 0;
  for (const Lane& lane : lanes) largest = std::max(largest, lane.accounted);
  const bool spilled =
      std::any_of(lanes.begin(), lanes.end(), [](const Lane& l) { return l.spill != nullptr; }) ||
      policy_.SpillsAtCombine(budget_.use(), lanes.size(), largest);
  if (!spilled) {
    DaySummary merged = std::move(*lanes[0].state);
    int64_t accounted = 0;
    budget_.Update(accounted, lanes[0].accounted);
    Release(lanes[0].accounted);
    for (size_t i = 1; i < lanes.size(); ++i) {
      merged.Merge(std::move(*lanes[i].state));
      lanes[i].state.reset();
      Release(lanes[i].accounted);
      budget_.Update(accounted, Resident(merged));
    }
    merged.RestrictMountsTo(nullptr);  // no pod row comes any more; `claimed` goes
    auto out = std::make_unique<AggregatedDay>(day.day, std::move(merged));
    out->accounted_bytes = accounted;
    RaiseExpectedDayBytes(policy_.ExpectedDayBytes(out->accounted_bytes, /*spilled=*/false));
    return out;
  }

  for (Lane& lane : lanes) {
    if (lane.state->has_groups()) {
      Status st = SpillLane(lane);
      if (!st.ok()) {
        release_lanes();
        spill_->RemoveDay(day.day);
        return st;
      }
    }
  }
  auto out = std::make_unique<AggregatedDay>(day.day, std::move(*lanes[0].state));
  for (size_t i = 1; i < lanes.size(); ++i) out->state.Merge(std::move(*lanes[i].state));
  out->state.RestrictMountsTo(nullptr);
  out->spilled = true;
  for (Lane& lane : lanes) {
    if (lane.spill) {
      out->spill_prefixes.push_back(LanePrefix(lane.index));
      counters_.spill_bytes.fetch_add(lane.spill->bytes_written(), std::memory_order_relaxed);
      lane.spill.reset();
    }
  }
  release_lanes();
  out->spill_dir = spill_plan.dir;
  out->spill_partitions = spill_plan.partitions;
  budget_.Update(out->accounted_bytes, Resident(out->state));
  ++counters_.days_spilled;
  RaiseExpectedDayBytes(policy_.ExpectedDayBytes(out->accounted_bytes, /*spilled=*/true));
  return out;
}

Result<DaySummary> DayEngine::LoadPartition(AggregatedDay& day, uint32_t p, bool with_pods) const {
  if (!day.spilled) return std::move(day.state);
  DaySummary piece = with_pods ? day.state.DimensionsOnly() : DaySummary(settings_, day.day);
  for (const auto& prefix : day.spill_prefixes) {
    if (with_pods) {
      ARROW_RETURN_NOT_OK(
          piece.LoadSpilled(SpillStreamPath(day.spill_dir, prefix, p, SpillStream::kPods)));
    }
    ARROW_RETURN_NOT_OK(
        piece.LoadSpilled(SpillStreamPath(day.spill_dir, prefix, p, SpillStream::kStorage)));
  }
  return piece;
}

Status DayEngine::Finalize(AggregatedDay& day, const NodeRoleTable& roles, WriteRowChunk write) {
  budget_.Update(day.accounted_bytes,
                 MemoryPolicy::FinalizingBytes(day.accounted_bytes, day.spilled));
  const uint32_t partitions = day.partitions();
  const int workers = static_cast<int>(std::min<int64_t>(lanes_, partitions));
  ARROW_ASSIGN_OR_RAISE(auto finalize, DayFinalize::Make(settings_, day.day, roles, partitions,
                                                         /*in_order=*/workers <= 1));
  FirstError error;
  if (partitions > 1) {
    ForEachPartition(partitions, workers, [&](uint32_t p) {
      if (error.failed()) return;
      auto storage = LoadPartition(day, p, /*with_pods=*/false);
      if (!storage.ok()) return error.Record(storage.status());
      finalize->AddVolumeNodes(*storage);
    });
    ARROW_RETURN_NOT_OK(error.status());
  }
  std::mutex write_mu;
  auto write_rows = [&](std::span<const SummaryRow> rows) {
    std::lock_guard<std::mutex> lock(write_mu);
    return write(rows);
  };
  ForEachPartition(partitions, workers, [&](uint32_t p) {
    if (error.failed()) return;
    auto piece = LoadPartition(day, p, /*with_pods=*/true);
    if (!piece.ok()) return error.Record(piece.status());
    // A partition read back is accounted while it is finished; an in-memory day's state is
    // accounted with the day.
    int64_t accounted = 0;
    if (day.spilled) {
      budget_.Update(accounted, Resident(*piece));
    }
    RowChunker out(write_rows);
    error.Record(finalize->FinishPartition(p, std::move(*piece), out));
    budget_.Release(accounted);
    // Partitions read back one after another: each one's blocks go back before the next.
    if (day.spilled && workers == 1) ReleaseFreeMemory();
  });
  return error.status();
}

Status DayEngine::Write(std::unique_ptr<AggregatedDay> day) {
  auto roles = roles_();
  const auto t0 = Clock::now();
  int64_t sink_nanos = 0;
  int64_t rows_of_day = 0;
  // Called by one thread at a time for a day (Finalize serializes its partitions' calls).
  auto write = [&](std::span<const SummaryRow> rows) {
    const auto t_sink = Clock::now();
    CountRows(rows, counters_);
    rows_of_day += static_cast<int64_t>(rows.size());
    Status st = target_.WriteRows(day->day, rows);
    sink_nanos += NanosSince(t_sink);
    return st;
  };
  Status st = roles.ok() ? Finalize(*day, **roles, write) : roles.status();
  if (day->spilled) spill_->RemoveDay(day->day);
  if (st.ok()) {
    const auto t_end = Clock::now();
    st = target_.EndDay(day->day);
    sink_nanos += NanosSince(t_end);
  }
  budget_.Release(day->accounted_bytes);
  if (rows_of_day > 0) ++counters_.days_with_rows;
  counters_.write_nanos.fetch_add(sink_nanos, std::memory_order_relaxed);
  counters_.finish_nanos.fetch_add(NanosSince(t0) - sink_nanos, std::memory_order_relaxed);
  day.reset();
  // Allocators keep freed blocks (glibc: in per-thread arenas), and resident memory is what the
  // limit is about.
  ReleaseFreeMemory();
  return st;
}

}  // namespace ocpagg
