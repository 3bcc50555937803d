// Property: for generated datasets of varied shapes (days, files and row groups per day, label
// reuse, storage sharing, rows of many days scrambled across files), every execution mode,
// thread count, memory limit, number of days in flight and amount of spilling produces the same
// rows as the in-memory baseline.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "support/process.h"
#include "support/summary_compare.h"

namespace ocpagg::testing {
namespace {

// The summary rows of an output folder (the tables beside them aside).
SummaryTable ReadOutput(const std::string& dir) {
  SummaryTable all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           dir + "/reporting_ocpusagelineitem_daily_summary")) {
    if (entry.path().extension() != ".csv") continue;
    SummaryTable day = LoadCsv(entry.path().string(), NullStyle::kUnquotedEmpty);
    if (all.columns.empty()) all.columns = day.columns;
    for (auto& row : day.rows) all.rows.push_back(std::move(row));
  }
  return all;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Shape {
  int64_t pod_hour_rows;
  int days;
  int64_t chunk_rows;
  int label_sets;
  int pods_per_claim;
  int pods_per_node;
  bool scramble;
};

class EngineModes : public ::testing::TestWithParam<uint64_t> {};

TEST_P(EngineModes, EveryModeGivesTheInMemoryRows) {
  const uint64_t seed = GetParam();
  std::mt19937_64 rng(seed);
  auto pick = [&](std::initializer_list<int64_t> v) { return *(v.begin() + rng() % v.size()); };
  Shape shape{pick({2000, 7000, 20000}),
              static_cast<int>(pick({1, 2, 5, 31})),
              pick({97, 500, 3000, 200000}),
              static_cast<int>(pick({1, 3, 40})),
              static_cast<int>(pick({1, 2, 5})),
              static_cast<int>(pick({3, 20, 60})),
              seed % 2 == 0};
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  std::vector<std::string> gen_args(
      {OcpaggBinary(), "generate", "--output", data, "--pod-hour-rows",
       std::to_string(shape.pod_hour_rows), "--seed", std::to_string(seed), "--days",
       std::to_string(shape.days), "--chunk-rows", std::to_string(shape.chunk_rows), "--label-sets",
       std::to_string(shape.label_sets), "--pods-per-claim", std::to_string(shape.pods_per_claim),
       "--pods-per-node", std::to_string(shape.pods_per_node), "--quiet"});
  if (shape.scramble) gen_args.push_back("--scramble-rows");
  auto gen = RunProcess(gen_args);
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  const std::string keys = tmp.path() + "/keys.txt";
  {
    std::ofstream k(keys);
    k << "app\ntier\nteam\nzone\nnode_role_kubernetes_io\nstorage\n";
  }
  auto summarize = [&](const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> argv = {OcpaggBinary(),   "summarize",
                                     "--input",        data,
                                     "--source",       "00000000-0000-0000-0000-000000000001",
                                     "--year",         "2025",
                                     "--month",        "10",
                                     "--cluster-id",   "prop",
                                     "--output",       tmp.path() + "/" + name,
                                     "--format",       "csv",
                                     "--enabled-keys", keys,
                                     "--report",       tmp.path() + "/" + name + ".json",
                                     "--quiet"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto r = RunProcess(argv);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.output;
    if (r.exit_code != 0) return SummaryTable{};
    return ReadOutput(tmp.path() + "/" + name);
  };
  SummaryTable baseline = summarize("in-memory", {"--mode", "in-memory"});
  ASSERT_FALSE(baseline.rows.empty());
  const std::vector<std::pair<std::string, std::vector<std::string>>> variants = {
      {"serial", {"--mode", "serial"}},
      {"parallel-2", {"--mode", "parallel", "--threads", "2"}},
      {"parallel-3-one-day", {"--mode", "parallel", "--threads", "3", "--max-days-in-flight", "1"}},
      {"parallel-64MB", {"--mode", "parallel", "--memory-limit", MemoryLimitMB(64)}},
      {"parallel-128MB-3",
       {"--mode", "parallel", "--threads", "3", "--memory-limit", MemoryLimitMB(128)}},
      {"auto", {"--mode", "auto"}},
      // States capped far below the data: every day spills, in one or several runs per worker.
      {"spill-serial", {"--mode", "serial", "--max-state-memory", "32KB"}},
      {"spill-parallel-2", {"--mode", "parallel", "--threads", "2", "--max-state-memory", "64KB"}},
      {"spill-parallel-3",
       {"--mode", "parallel", "--threads", "3", "--max-state-memory", "16KB", "--batch-rows",
        "500"}},
  };
  for (const auto& [name, extra] : variants) {
    SummaryTable rows = summarize(name, extra);
    if (name.starts_with("spill-")) {
      const std::string report = ReadFile(tmp.path() + "/" + name + ".json");
      EXPECT_EQ(report.find("\"days_spilled\": 0,"), std::string::npos)
          << name << " did not spill: " << report;
    }
    auto diffs = CompareSummaries(baseline, rows, {"uuid"});
    for (size_t i = 0; i < diffs.size() && i < 5; ++i) {
      ADD_FAILURE() << name << " (shape rows=" << shape.pod_hour_rows << " days=" << shape.days
                    << " chunk=" << shape.chunk_rows << "): " << diffs[i];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(RandomShapes, EngineModes, ::testing::Values(1, 2, 3, 4, 5, 6));

}  // namespace
}  // namespace ocpagg::testing
