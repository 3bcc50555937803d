#pragma once
// Runs the days of a plan through a DayEngine (docs/engine.md "Days in flight"): up to
// `max_in_flight` days at once, each aggregated by the arena's workers, and written in day
// order - or as soon as it is done when the target's days are independent. A new day starts
// only when the engine's MemoryPolicy admits it (room for what a day needed so far; before any
// day is known, a generous guess from the plan's row estimates).
//
// The caller's thread admits the days and waits outside the worker pool: waiting for memory
// never holds a worker, and no worker ever blocks on another (the worker that finishes the
// next day in order writes it, and any later days already done).

#include <functional>

#include <tbb/task_arena.h>

#include "ocpagg/common/status.h"
#include "ocpagg/engine/day_engine.h"
#include "ocpagg/engine/day_plan.h"
#include "ocpagg/engine/memory_budget.h"

namespace ocpagg {

struct DayPipelineOptions {
  int max_in_flight = 1;
  int workers = 1;
  bool independent_days = false;
  std::function<void()> on_day_written;  // optional; called one at a time
};

// Returns the first error of any day; days after it are not started.
Status RunDays(const RunPlan& plan, DayEngine& engine, const MemoryBudget& budget,
               tbb::task_arena& arena, const DayPipelineOptions& options);

}  // namespace ocpagg
