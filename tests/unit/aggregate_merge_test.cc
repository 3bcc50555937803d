// Partial day states (one per worker) combined with Merge, and the memory they hold.

#include <gtest/gtest.h>

#include "unit/aggregate_test_support.h"

namespace ocpagg::testing {
namespace {

// A small day fed to `sinks` round-robin, row by row, whatever the table.
std::vector<SummaryRow> SummarizeSplit(const SummarySettings& settings, int workers) {
  std::vector<DaySummary> parts;
  for (int i = 0; i < workers; ++i) parts.emplace_back(settings, kDay);
  int next = 0;
  auto sink = [&]() -> DaySummary& { return parts[next++ % workers]; };

  EXPECT_TRUE(sink().AddNodeLabels(NodeLabels("n1", R"({"zone": "a"})")).ok());
  EXPECT_TRUE(sink().AddNodeLabels(NodeLabels("n2", R"({"zone": "b"})")).ok());
  EXPECT_TRUE(sink().AddNamespaceLabels(NamespaceLabels("data", R"({"team": "d"})")).ok());
  for (int h = 0; h < 24; ++h) {
    sink().AddCapacity(CapacityRow(h, "n1", 4 * 3600.0, 8 * kGib * 3600));
    sink().AddCapacity(CapacityRow(h, "n2", 2 * 3600.0, 4 * kGib * 3600));
  }
  for (int i = 0; i < 6; ++i) {
    PodUsageRow r = PodRow(i % 2 ? "data" : "web", i % 3 ? "n1" : "n2", i < 3 ? "p1" : "p2",
                           i % 2 ? R"({"app": "db"})" : R"({"app": "fe"})", i % 3 ? "i-1" : "i-2");
    r.pod_usage_cpu_core_seconds = 3600 * (i + 1);
    r.pod_request_cpu_core_seconds = 1800;
    r.pod_usage_memory_byte_seconds = kGib * 3600;
    r.node_capacity_cpu_cores = i % 3 ? 4 : 2;
    EXPECT_TRUE(sink().AddPodUsage(r).ok());
  }
  StorageUsageRow s = StorageRow("data", "p1", "claim", "pv", R"({"app": "vol"})");
  s.volume_request_storage_byte_seconds = 31 * kGib * 86400;
  EXPECT_TRUE(sink().AddStorageUsage(s).ok());
  EXPECT_TRUE(sink().AddStorageUsage(s).ok());

  for (int i = 1; i < workers; ++i) parts[0].Merge(std::move(parts[i]));
  NodeRoleTable roles;
  roles.Add({"n1", "i-1", "worker"});
  return FinishDay(std::move(parts[0]), roles);
}

TEST(AggregateMergeTest, MergedPartialStatesGiveTheRowsOfOneState) {
  const SummarySettings settings = Settings({"zone", "team", "app"});
  const auto whole = SummarizeSplit(settings, 1);
  ASSERT_FALSE(whole.empty());
  for (int workers : {2, 3, 5}) {
    auto split = SummarizeSplit(settings, workers);
    ASSERT_EQ(split.size(), whole.size()) << workers;
    // Group order may differ; match rows on their identity.
    for (const auto& w : whole) {
      auto same = std::find_if(split.begin(), split.end(), [&](const SummaryRow& s) {
        return s.data_source == w.data_source && s.namespace_ == w.namespace_ && s.node == w.node &&
               s.pod_labels == w.pod_labels && s.volume_labels == w.volume_labels &&
               s.persistentvolume == w.persistentvolume;
      });
      ASSERT_NE(same, split.end()) << workers;
      EXPECT_EQ(same->resource_id, w.resource_id);
      EXPECT_EQ(same->cost_category_id, w.cost_category_id);
      for (size_t m = 0; m < kMetricCount; ++m) {
        EXPECT_EQ(same->metrics[m], w.metrics[m]) << MetricColumnName(static_cast<Metric>(m));
      }
    }
  }
}

TEST(AggregateMergeTest, MergingIntoAnEmptyStateTakesTheOther) {
  const SummarySettings settings = Settings({});
  DaySummary empty(settings, kDay);
  DaySummary full(settings, kDay);
  PodUsageRow r = PodRow("ns", "n1", "p");
  r.pod_usage_cpu_core_seconds = 3600;
  ASSERT_TRUE(full.AddPodUsage(r).ok());
  empty.Merge(std::move(full));
  auto pods = Select(FinishDay(std::move(empty)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(Value(pods[0], Metric::kPodUsageCpuCoreHours), 1.0);
}

TEST(AggregateMergeTest, MemoryGrowsWithDistinctGroupsNotWithRows) {
  const SummarySettings settings = Settings({"app"});
  DaySummary day(settings, kDay);
  auto feed = [&day](int rows) {
    for (int i = 0; i < rows; ++i) {
      day.AddCapacity(CapacityRow(i % 24, i % 2 ? "n1" : "n2", 3600, 3600));
      PodUsageRow r = PodRow("ns", i % 2 ? "n1" : "n2", i % 4 ? "p1" : "p2", R"({"app": "x"})");
      r.pod_usage_cpu_core_seconds = i;
      ASSERT_TRUE(day.AddPodUsage(r).ok());
    }
  };
  feed(1000);
  const size_t after_1k = day.ApproximateMemoryBytes();
  feed(100000);
  EXPECT_EQ(day.ApproximateMemoryBytes(), after_1k);
}

}  // namespace
}  // namespace ocpagg::testing
