// The day engine (engine/day_engine.h) on generated koku-layout data, in-process: a day that
// spills gives the rows of the same day aggregated in memory, whatever the number of workers;
// both read paths (files in column passes, row groups read into memory first) give the same
// rows; and a day too large for a budget that may not spill stops with a memory-limit error.

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <map>

#include "ocpagg/engine/day_engine.h"
#include "ocpagg/engine/memory_monitor.h"
#include "ocpagg/generate/dataset_generator.h"
#include "ocpagg/source/koku_dataset.h"
#include "support/process.h"
#include "unit/aggregate_test_support.h"

namespace ocpagg::testing {
namespace {

// Keeps every row it is given, by day.
class CollectingTarget : public RowSink {
 public:
  Status Begin(const RunIdentity&, Date, Date) override { return Status::OK(); }
  Status WriteRows(Date day, std::span<const SummaryRow> rows) override {
    rows_[day].insert(rows_[day].end(), rows.begin(), rows.end());
    return Status::OK();
  }
  Status EndDay(Date day) override {
    ++ended_[day];
    return Status::OK();
  }
  Status Commit() override { return Status::OK(); }
  void Abort() override {}

  std::map<Date, std::vector<SummaryRow>> rows_;
  std::map<Date, int> ended_;
};

class DayEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GenerateOptions g;
    g.output_dir = tmp_.path();
    g.pod_hour_rows = 12'000;
    g.days = 2;
    g.chunk_rows = 2'000;  // several files and row groups a day
    g.pods_per_node = 10;
    g.pods_per_namespace = 5;
    g.label_sets = 7;
    g.pods_per_claim = 2;
    ASSERT_TRUE(GenerateDataset(g).ok());
    DatasetLocation in;
    in.root = tmp_.path();
    in.source_uuid = g.source_uuid;
    in.year = g.year;
    in.month = g.month;
    auto files = DiscoverDataset(in);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    files_ = std::move(*files);
    const Date first = MakeDate(g.year, g.month, 1);
    auto plan = PlanRun(files_, first, first + g.days - 1);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    plan_ = std::move(*plan);
    ASSERT_EQ(plan_.days.size(), 2u);
  }

  // Memory shares that never run short, or, with `state_bytes`, states that must spill.
  static MemoryShares Shares(int64_t state_bytes = int64_t{1} << 40) {
    MemoryShares s;
    s.limit_bytes = int64_t{1} << 40;
    s.state_bytes = state_bytes;
    s.batch_rows = 512;
    s.read_buffer_bytes = 64 * 1024;
    return s;
  }

  struct Run {
    std::map<Date, std::vector<SummaryRow>> rows;
    std::map<Date, int> ended;
    int days_spilled = 0;
    int64_t spill_bytes = 0;
    Status status;
  };

  // Every day of the plan through one DayEngine, one day at a time.
  Run Summarize(const UnitSource& source, const MemoryShares& shares, int lanes, bool spill) {
    MemoryMonitor monitor;
    MemoryBudget budget(shares, monitor);
    SpillArea area(tmp_.path() + "/spill");
    CollectingTarget target;
    const NodeRoleTable roles;
    DayEngine engine(
        source, settings_, budget, spill ? &area : nullptr, lanes,
        [&]() -> Result<const NodeRoleTable*> { return &roles; }, target);
    Run run;
    tbb::task_arena arena(lanes);  // `lanes` workers, as the engine is told
    arena.execute([&] {
      for (const DayPlan& day : plan_.days) {
        auto aggregated = engine.Aggregate(day);
        if (!aggregated.ok()) {
          run.status = aggregated.status();
          return;
        }
        run.status = engine.Write(std::move(*aggregated));
        if (!run.status.ok()) return;
      }
    });
    run.rows = std::move(target.rows_);
    run.ended = std::move(target.ended_);
    run.days_spilled = engine.counters().days_spilled.load();
    run.spill_bytes = engine.counters().spill_bytes.load();
    // Every account is closed once the days are written.
    EXPECT_EQ(budget.state_in_use(), 0);
    return run;
  }

  UnitSource Files() const {
    return UnitSource::Files(files_, ScanOptions{512, 64 * 1024}, nullptr);
  }

  TempDir tmp_;
  DatasetFiles files_;
  RunPlan plan_;
  const SummarySettings settings_ = Settings({"app", "tier", "team", "zone", "storage"});
};

TEST_F(DayEngineTest, ADayThatSpillsGivesTheRowsOfTheDayInMemory) {
  const Run in_memory = Summarize(Files(), Shares(), /*lanes=*/1, /*spill=*/true);
  ASSERT_TRUE(in_memory.status.ok()) << in_memory.status.ToString();
  EXPECT_EQ(in_memory.days_spilled, 0);
  for (int lanes : {1, 2}) {
    SCOPED_TRACE(lanes);
    const Run spilled = Summarize(Files(), Shares(16 * 1024), lanes, /*spill=*/true);
    ASSERT_TRUE(spilled.status.ok()) << spilled.status.ToString();
    EXPECT_EQ(spilled.days_spilled, 2);
    EXPECT_GT(spilled.spill_bytes, 0);
    ASSERT_EQ(spilled.rows.size(), in_memory.rows.size());
    for (const auto& [day, rows] : in_memory.rows) {
      ASSERT_FALSE(rows.empty());
      EXPECT_EQ(spilled.ended.at(day), 1);
      ExpectSameRows(rows, spilled.rows.at(day));
    }
  }
}

TEST_F(DayEngineTest, RowGroupsReadFromFilesOrFromMemoryGiveTheSameRows) {
  // One worker: the same rows in the same order, read in column passes from the files or whole
  // from memory.
  const Run from_files = Summarize(Files(), Shares(), /*lanes=*/1, /*spill=*/false);
  auto preloaded =
      UnitSource::Preloaded(UnitSource::Files(files_, ScanOptions{512, 64 * 1024}, nullptr), plan_);
  ASSERT_TRUE(preloaded.ok()) << preloaded.status().ToString();
  ASSERT_TRUE(preloaded->reads_columns_apart() == false && Files().reads_columns_apart());
  const Run from_memory = Summarize(*preloaded, Shares(), /*lanes=*/1, /*spill=*/false);
  ASSERT_TRUE(from_files.status.ok() && from_memory.status.ok());
  ASSERT_EQ(from_files.rows.size(), from_memory.rows.size());
  for (const auto& [day, rows] : from_files.rows) {
    const auto& other = from_memory.rows.at(day);
    ASSERT_EQ(rows.size(), other.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      ASSERT_EQ(Identity(rows[i]), Identity(other[i]));
      EXPECT_EQ(rows[i].metrics, other[i].metrics) << Identity(rows[i]);
    }
  }
}

TEST_F(DayEngineTest, ADayOverTheShareWithoutSpillingIsAMemoryLimitError) {
  const Run run = Summarize(Files(), Shares(16 * 1024), /*lanes=*/1, /*spill=*/false);
  ASSERT_FALSE(run.status.ok());
  EXPECT_EQ(KindOf(run.status), ErrorKind::kMemoryLimit) << run.status.ToString();
  EXPECT_TRUE(run.rows.empty());
}

}  // namespace
}  // namespace ocpagg::testing
