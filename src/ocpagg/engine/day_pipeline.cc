#include "ocpagg/engine/day_pipeline.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "ocpagg/engine/first_error.h"

namespace ocpagg {

Status RunDays(const RunPlan& plan, DayEngine& engine, const MemoryBudget& budget,
               tbb::task_arena& arena, const DayPipelineOptions& options) {
  const size_t n = plan.days.size();
  std::mutex mu;
  std::condition_variable changed;
  int in_flight = 0;
  FirstError error;
  std::vector<std::unique_ptr<AggregatedDay>> ready(n);
  std::vector<bool> aggregated(n, false);
  size_t next_to_write = 0;
  bool writing = false;

  // Under `mu`: a day is done with (written, or skipped after an error).
  auto day_done = [&] {
    --in_flight;
    if (options.on_day_written) options.on_day_written();
    changed.notify_all();
  };
  // Whether a day shares the workers: when it starts alone, or among the last days, where
  // nothing else is left to keep them busy.
  std::vector<bool> share(n, false);
  auto process = [&](size_t i) {
    std::unique_ptr<AggregatedDay> day;
    if (!error.failed()) {
      auto result = engine.Aggregate(plan.days[i], share[i]);
      if (result.ok()) {
        day = std::move(*result);
      } else {
        error.Record(result.status());
      }
    }
    if (options.independent_days) {
      if (day && !error.failed()) error.Record(engine.Write(std::move(day)));
      day.reset();
      std::lock_guard<std::mutex> lock(mu);
      day_done();
      return;
    }
    std::unique_lock<std::mutex> lock(mu);
    ready[i] = std::move(day);
    aggregated[i] = true;
    if (writing) return;  // the worker writing now takes this day when its turn comes
    writing = true;
    while (next_to_write < n && aggregated[next_to_write]) {
      std::unique_ptr<AggregatedDay> next = std::move(ready[next_to_write++]);
      lock.unlock();
      if (next && !error.failed()) error.Record(engine.Write(std::move(next)));
      next.reset();
      lock.lock();
      day_done();
    }
    writing = false;
  };

  const MemoryPolicy& policy = engine.policy();
  const int64_t guess = MemoryPolicy::GuessedDayBytes(plan);
  for (size_t i = 0; i < n; ++i) {
    std::unique_lock<std::mutex> lock(mu);
    while (!error.failed() && !policy.AdmitsDay(budget.use(), in_flight, options.max_in_flight,
                                                engine.expected_day_bytes().value_or(guess))) {
      // Memory is freed without notice (the process's resident size): look again soon.
      changed.wait_for(lock, std::chrono::milliseconds(1));
    }
    if (error.failed()) break;
    share[i] = in_flight == 0 || n - i <= static_cast<size_t>(options.workers);
    ++in_flight;
    lock.unlock();
    arena.enqueue([&process, i] { process(i); });
  }
  std::unique_lock<std::mutex> lock(mu);
  changed.wait(lock, [&] { return in_flight == 0; });
  return error.status();
}

}  // namespace ocpagg
