#include "ocpagg/engine/day_engine.h"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <mutex>

#include "ocpagg/aggregate/day_finalize.h"
#include "ocpagg/engine/first_error.h"

namespace ocpagg {
namespace {

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

DayEngine::DayEngine(const UnitSource& source, const SummarySettings& settings,
                     MemoryBudget& budget, SpillArea* spill, int lanes, RolesProvider roles,
                     RowSink& target, AllocatorHooks allocator)
    : settings_(settings),
      budget_(budget),
      spill_(spill),
      lanes_(std::max(lanes, 1)),
      roles_(std::move(roles)),
      target_(target),
      allocator_(std::move(allocator)),
      policy_(budget.shares(), lanes_, spill != nullptr),
      sink_(source, budget, policy_, spill, allocator_, counters_) {}

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

// --- Sink ---

Result<std::unique_ptr<AggregatedDay>> DayEngine::Aggregate(const DayPlan& plan,
                                                            bool share_workers) {
  DayGlobalState day(plan);
  // Storage first: the pods its rows name are the only ones whose pod mounts matter, and the
  // other pods' names need not be kept (ClaimedPods).
  std::vector<WorkUnit> storage_units, other_units;
  for (const WorkUnit& unit : CostliestFirst(plan)) {
    (unit.table == InputTable::kStorageUsageDaily ? storage_units : other_units).push_back(unit);
  }
  // The day's units go to whichever workers are free, costliest first; each worker that takes
  // part reads into a local state of its own. A day that runs beside other days mostly stays
  // on one worker and needs no merging; a day alone gets every worker.
  tbb::enumerable_thread_specific<std::optional<DayLocalState>> locals;
  auto sink = [&](const std::vector<WorkUnit>& units) {
    const size_t grain = share_workers ? 1 : std::max<size_t>(units.size(), 1);
    tbb::parallel_for(
        tbb::blocked_range<size_t>(0, units.size(), grain),
        [&](const tbb::blocked_range<size_t>& r) {
          for (size_t i = r.begin(); i != r.end(); ++i) {
            if (day.error.failed()) return;
            std::optional<DayLocalState>& local = locals.local();
            if (!local) local.emplace(settings_, day, day.workers_joined++);
            day.error.Record(sink_.Sink(day, *local, units[i]));
          }
        },
        tbb::simple_partitioner());
  };
  sink(storage_units);
  for (auto& local : locals) {
    if (!local) continue;
    day.claimed.Merge(local->claimed);
    local->state.RestrictMountsTo(&day.claimed);
  }
  day.claims_known = true;
  sink(other_units);

  std::vector<DayLocalState> joined;
  for (auto& local : locals) {
    if (local) joined.push_back(std::move(*local));
  }
  std::sort(joined.begin(), joined.end(),
            [](const DayLocalState& a, const DayLocalState& b) { return a.index < b.index; });
  // A day with no unit left to read (every row group of it was empty) has one empty state.
  if (joined.empty()) joined.emplace_back(settings_, day, 0);
  PhaseClock::Scope in_aggregate(counters_.aggregate);
  return Combine(day, std::move(joined));
}

// --- Combine ---

Result<std::unique_ptr<AggregatedDay>> DayEngine::Combine(DayGlobalState& day,
                                                          std::vector<DayLocalState> locals) {
  auto release_locals = [&] {
    for (DayLocalState& local : locals) budget_.Release(local.accounted_bytes);
  };
  auto fail = [&](const Status& st) {
    release_locals();
    if (spill_) spill_->RemoveDay(day.plan.day);
    return st;
  };
  if (day.error.failed()) return fail(day.error.status());

  int64_t largest = 0;
  for (const DayLocalState& local : locals) largest = std::max(largest, local.accounted_bytes);
  const bool spilled = std::any_of(locals.begin(), locals.end(),
                                   [](const DayLocalState& l) { return l.spill != nullptr; }) ||
                       policy_.SpillsAtCombine(budget_.use(), locals.size(), largest);

  if (!spilled) {
    auto out = std::make_unique<AggregatedDay>(day.plan.day, std::move(locals[0].state));
    budget_.Update(out->accounted_bytes, locals[0].accounted_bytes);
    budget_.Release(locals[0].accounted_bytes);
    for (size_t i = 1; i < locals.size(); ++i) {
      {
        DaySummary part = std::move(locals[i].state);
        out->state.Merge(std::move(part));
      }
      budget_.Release(locals[i].accounted_bytes);
      budget_.Update(out->accounted_bytes,
                     MemoryPolicy::ResidentBytes(out->state.ApproximateMemoryBytes()));
    }
    out->state.RestrictMountsTo(nullptr);  // no pod row comes any more; `claimed` goes
    RaiseExpectedDayBytes(policy_.ExpectedDayBytes(out->accounted_bytes, /*spilled=*/false));
    return out;
  }

  for (DayLocalState& local : locals) {
    if (!local.state.has_groups()) continue;
    Status st = sink_.Spill(day, local);
    if (!st.ok()) return fail(st);
  }
  auto out = std::make_unique<AggregatedDay>(day.plan.day, std::move(locals[0].state));
  for (size_t i = 1; i < locals.size(); ++i) out->state.Merge(std::move(locals[i].state));
  out->state.RestrictMountsTo(nullptr);
  out->spilled = true;
  for (DayLocalState& local : locals) {
    if (!local.spill) continue;
    out->spill_prefixes.push_back(SpillPrefixOf(local));
    counters_.spill_bytes.fetch_add(local.spill->bytes_written(), std::memory_order_relaxed);
    local.spill.reset();
  }
  release_locals();
  out->spill_dir = day.spill_dir;
  out->spill_partitions = day.spill_partitions;
  budget_.Update(out->accounted_bytes,
                 MemoryPolicy::ResidentBytes(out->state.ApproximateMemoryBytes()));
  ++counters_.days_spilled;
  RaiseExpectedDayBytes(policy_.ExpectedDayBytes(out->accounted_bytes, /*spilled=*/true));
  return out;
}

// --- Finalize ---

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
      budget_.Update(accounted, MemoryPolicy::ResidentBytes(piece->ApproximateMemoryBytes()));
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
  PhaseClock::Scope in_aggregate(counters_.aggregate);
  int64_t rows_of_day = 0;
  // Called by one thread at a time for a day (Finalize serializes its partitions' calls); the
  // time inside the target is the write phase's, not the aggregate phase's.
  auto write = [&](std::span<const SummaryRow> rows) {
    counters_.aggregate.Leave();
    counters_.write.Enter();
    CountRows(rows, counters_);
    rows_of_day += static_cast<int64_t>(rows.size());
    Status st = target_.WriteRows(day->day, rows);
    counters_.write.Leave();
    counters_.aggregate.Enter();
    return st;
  };
  Status st = roles.ok() ? Finalize(*day, **roles, write) : roles.status();
  if (day->spilled) spill_->RemoveDay(day->day);
  if (st.ok()) {
    PhaseClock::Scope in_write(counters_.write);
    st = target_.EndDay(day->day);
  }
  budget_.Release(day->accounted_bytes);
  if (rows_of_day > 0) ++counters_.days_with_rows;
  day.reset();
  // Allocators keep freed blocks (glibc: in per-thread arenas), and resident memory is what the
  // limit is about: when the process holds more than half of it, they go back to the system.
  // Below that they are kept for the next day, whose batches and groups reuse them instead of
  // faulting in fresh pages.
  if (budget_.use().process_bytes > budget_.shares().limit_bytes / 2) ReleaseFreeMemory();
  return st;
}

}  // namespace ocpagg
