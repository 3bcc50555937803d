// The worked example of koku's own fixture (koku/masu/test/data/ocp/payload.tar.gz,
// pod CSV, day 2019-02-01, node alpha, 4 pods x 24 hours, enabled keys {key1}, no node or
// namespace labels, no reporting_ocp_nodes row). The daily rows below are that CSV's hourly rows
// summed per (namespace, node, pod, labels) as koku's post-processor does (docs/semantics.md "Daily
// partial aggregates"); the old CSV has no effective-usage columns, so the effective sums are the
// hourly max(usage, request) summed.

#include <gtest/gtest.h>

#include "unit/aggregate_test_support.h"

namespace ocpagg::testing {
namespace {

struct FixturePod {
  const char* namespace_;
  const char* pod;
  const char* labels;
  double usage_cpu, request_cpu, effective_cpu;
  double usage_memory, request_memory, effective_memory;
};

constexpr FixturePod kFixture[] = {
    {"namespace_ci", "pod_name1", R"({"key1": "label_value1", "key2": "label_value2"})", 223715.52,
     432000, 432000, 8577984690576.0, 172800, 8577984690576.0},
    {"namespace_ci", "pod_name2", R"({"key3": "label_value3", "key4": "label_value4"})",
     195021.46868999998, 404560, 404560, 4862808714919.939, 161824, 4862808714919.939},
    {"namespace_qa", "pod_name3",
     R"({"key1": "label_value1", "key2": "label_value2", "key3": "label_value3"})", 214685.28,
     432000, 432000, 11508016527432.0, 172800, 11508016527432.0},
    {"namespace_qa", "pod_name4", R"({"key3": "label_value3", "key4": "label_value4"})",
     242200.36237, 484590, 484590, 6946014808805.58, 193836, 6946014808805.58},
};

TEST(AggregateWorkedExampleTest, KokuFixtureDayGivesTheRowsOfSection41) {
  const SummarySettings settings = Settings({"key1"});
  const Date day_date = MakeDate(2019, 2, 1);
  DaySummary day(settings, day_date);
  for (const FixturePod& f : kFixture) {
    PodUsageRow r = PodRow(f.namespace_, "alpha", f.pod, f.labels, "myresourceid");
    r.usage_start = day_date;
    r.pod_usage_cpu_core_seconds = f.usage_cpu;
    r.pod_request_cpu_core_seconds = f.request_cpu;
    r.pod_effective_usage_cpu_core_seconds = f.effective_cpu;
    r.pod_limit_cpu_core_seconds = f.request_cpu;
    r.pod_usage_memory_byte_seconds = f.usage_memory;
    r.pod_request_memory_byte_seconds = f.request_memory;
    r.pod_effective_usage_memory_byte_seconds = f.effective_memory;
    r.pod_limit_memory_byte_seconds = f.request_memory;
    r.node_capacity_cpu_cores = 2;
    r.node_capacity_memory_bytes = 4194304;
    ASSERT_TRUE(day.AddPodUsage(r).ok());
    for (int h = 0; h < 24; ++h) {
      day.AddCapacity({static_cast<int64_t>(day_date) * kMillisPerDay + h * 3'600'000LL, "alpha",
                       7200, 15099494400});
    }
  }
  auto rows = FinishDay(std::move(day));

  struct Expected {
    const char* namespace_;
    const char* labels;
    double cpu_usage, cpu_request, memory_usage;
  };
  const Expected expected[] = {
      {"namespace_ci", R"({"key1":"label_value1"})", 62.1432, 120.0, 2.2191307741776107},
      {"namespace_ci", "{}", 54.17263019166666, 112.37777777777778, 1.2580120922893956},
      {"namespace_qa", R"({"key1":"label_value1"})", 59.6348, 120.0, 2.977132105845958},
      {"namespace_qa", "{}", 67.27787843611111, 134.60833333333332, 1.796938998626126},
  };
  auto pods = Select(rows, IsPod);
  ASSERT_EQ(pods.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    const SummaryRow& p = pods[i];
    EXPECT_EQ(p.namespace_, expected[i].namespace_);
    EXPECT_EQ(p.pod_labels, expected[i].labels);
    EXPECT_EQ(p.resource_id, "myresourceid");
    EXPECT_DOUBLE_EQ(Value(p, Metric::kPodUsageCpuCoreHours), expected[i].cpu_usage);
    EXPECT_DOUBLE_EQ(Value(p, Metric::kPodRequestCpuCoreHours), expected[i].cpu_request);
    EXPECT_DOUBLE_EQ(Value(p, Metric::kPodEffectiveUsageCpuCoreHours), expected[i].cpu_request);
    EXPECT_DOUBLE_EQ(Value(p, Metric::kPodLimitCpuCoreHours), expected[i].cpu_request);
    EXPECT_DOUBLE_EQ(Value(p, Metric::kPodUsageMemoryGigabyteHours), expected[i].memory_usage);
    EXPECT_DOUBLE_EQ(Value(p, Metric::kPodEffectiveUsageMemoryGigabyteHours),
                     expected[i].memory_usage);
    EXPECT_EQ(Value(p, Metric::kNodeCapacityCpuCores), 2.0);
    EXPECT_EQ(Value(p, Metric::kNodeCapacityCpuCoreHours), 48.0);
    EXPECT_EQ(Value(p, Metric::kNodeCapacityMemoryGigabytes), 0.00390625);
    EXPECT_EQ(Value(p, Metric::kNodeCapacityMemoryGigabyteHours), 0.09375);
    EXPECT_EQ(Value(p, Metric::kClusterCapacityCpuCoreHours), 48.0);
    EXPECT_EQ(Value(p, Metric::kClusterCapacityMemoryGigabyteHours), 0.09375);
  }

  auto unallocated = Select(rows, IsUnallocated);
  ASSERT_EQ(unallocated.size(), 1u);
  EXPECT_EQ(unallocated[0].node, "alpha");
  EXPECT_FALSE(unallocated[0].namespace_.has_value());  // no reporting_ocp_nodes row
  EXPECT_DOUBLE_EQ(Value(unallocated[0], Metric::kPodUsageCpuCoreHours), -195.22850862777779);
  EXPECT_DOUBLE_EQ(Value(unallocated[0], Metric::kPodRequestCpuCoreHours), -438.9861111111111);
  EXPECT_TRUE(Select(rows, IsStorage).empty());
}

}  // namespace
}  // namespace ocpagg::testing
