// The Pod rows of a day (docs/semantics.md "Capacity", "Pod rows", "Multiplicity traps" trap 2), in
// both compat modes.

#include <gtest/gtest.h>

#include "unit/aggregate_test_support.h"

namespace ocpagg::testing {
namespace {

TEST(AggregatePodTest, PodRowConvertsSecondsToHoursAndBytesToGibHours) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  PodUsageRow r = PodRow("team-a", "n1", "p1");
  r.pod_usage_cpu_core_seconds = 7200;
  r.pod_request_cpu_core_seconds = 3600;
  r.pod_effective_usage_cpu_core_seconds = 9000;
  r.pod_limit_cpu_core_seconds = 14400;
  r.pod_usage_memory_byte_seconds = 2 * kGib * 3600;
  r.pod_request_memory_byte_seconds = 1 * kGib * 3600;
  r.pod_effective_usage_memory_byte_seconds = 3 * kGib * 3600;
  r.pod_limit_memory_byte_seconds = 8 * kGib * 3600;
  r.node_capacity_cpu_cores = 4;
  r.node_capacity_memory_bytes = 16 * kGib;
  ASSERT_TRUE(day.AddPodUsage(r).ok());
  for (int h = 0; h < 24; ++h) day.AddCapacity(CapacityRow(h, "n1", 4 * 3600.0, 16 * kGib * 3600));

  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  const SummaryRow& p = pods[0];
  EXPECT_EQ(p.usage_start, kDay);
  EXPECT_EQ(p.namespace_, "team-a");
  EXPECT_EQ(p.node, "n1");
  EXPECT_EQ(p.resource_id, "i-1");
  EXPECT_EQ(p.pod_labels, "{}");
  EXPECT_EQ(p.all_labels, "{}");
  EXPECT_FALSE(p.volume_labels.has_value());
  EXPECT_FALSE(p.cost_category_id.has_value());
  EXPECT_TRUE(p.has_infrastructure_usage_cost);
  EXPECT_EQ(Value(p, Metric::kPodUsageCpuCoreHours), 2.0);
  EXPECT_EQ(Value(p, Metric::kPodRequestCpuCoreHours), 1.0);
  EXPECT_EQ(Value(p, Metric::kPodEffectiveUsageCpuCoreHours), 2.5);
  EXPECT_EQ(Value(p, Metric::kPodLimitCpuCoreHours), 4.0);
  EXPECT_EQ(Value(p, Metric::kPodUsageMemoryGigabyteHours), 2.0);
  EXPECT_EQ(Value(p, Metric::kPodRequestMemoryGigabyteHours), 1.0);
  EXPECT_EQ(Value(p, Metric::kPodEffectiveUsageMemoryGigabyteHours), 3.0);
  EXPECT_EQ(Value(p, Metric::kPodLimitMemoryGigabyteHours), 8.0);
  EXPECT_EQ(Value(p, Metric::kNodeCapacityCpuCores), 4.0);
  EXPECT_EQ(Value(p, Metric::kNodeCapacityCpuCoreHours), 96.0);
  EXPECT_EQ(Value(p, Metric::kNodeCapacityMemoryGigabytes), 16.0);
  EXPECT_EQ(Value(p, Metric::kNodeCapacityMemoryGigabyteHours), 384.0);
  EXPECT_EQ(Value(p, Metric::kClusterCapacityCpuCoreHours), 96.0);
  EXPECT_EQ(Value(p, Metric::kClusterCapacityMemoryGigabyteHours), 384.0);
  for (Metric m : {Metric::kPersistentVolumeClaimCapacityGigabyte,
                   Metric::kPersistentVolumeClaimCapacityGigabyteMonths,
                   Metric::kVolumeRequestStorageGigabyteMonths,
                   Metric::kPersistentVolumeClaimUsageGigabyteMonths}) {
    EXPECT_FALSE(p.metric(m).has_value()) << MetricColumnName(m);
  }
}

TEST(AggregatePodTest, PodRowsOnEmptyNodeAreDroppedButTheirCapacityCountsInCluster) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  PodUsageRow on_node = PodRow("ns", "n1", "p1");
  on_node.pod_usage_cpu_core_seconds = 3600;
  PodUsageRow on_empty = PodRow("ns", "", "p2");
  on_empty.pod_usage_cpu_core_seconds = 3600;
  ASSERT_TRUE(day.AddPodUsage(on_node).ok());
  ASSERT_TRUE(day.AddPodUsage(on_empty).ok());
  day.AddCapacity(CapacityRow(0, "n1", 3600, 0));
  day.AddCapacity(CapacityRow(0, "", 7200, 0));

  auto rows = FinishDay(std::move(day));
  auto pods = Select(rows, IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].node, "n1");
  EXPECT_EQ(Value(pods[0], Metric::kNodeCapacityCpuCoreHours), 1.0);
  EXPECT_EQ(Value(pods[0], Metric::kClusterCapacityCpuCoreHours), 3.0);
  auto unallocated = Select(rows, IsUnallocated);
  ASSERT_EQ(unallocated.size(), 1u);
  EXPECT_EQ(unallocated[0].node, "n1");
}

TEST(AggregatePodTest, PodRowsOnNullNodeAreDropped) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", std::nullopt, "p1")).ok());
  EXPECT_TRUE(FinishDay(std::move(day)).empty());
}

TEST(AggregatePodTest, RowsOnDroppedNodesAreNotLabelChecked) {
  // The WHERE clause runs before the labels are parsed.
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  EXPECT_TRUE(day.AddPodUsage(PodRow("ns", "", "p1", "not json")).ok());
}

TEST(AggregatePodTest, InvalidPodLabelTextFailsNamingThePod) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  Status st = day.AddPodUsage(PodRow("ns", "n1", "web-1", "{oops"));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("web-1"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("2025-10-01"), std::string::npos) << st.message();
}

TEST(AggregatePodTest, NodeCapacityIsSumOverHoursOfPerHourMaxAcrossPods) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "p1")).ok());
  // Hour 0: two pods report the same capacity (counted once); hour 1: the max wins; hour 2 is
  // missing and lowers the day's capacity.
  day.AddCapacity(CapacityRow(0, "n1", 3600, 10 * kGib));
  day.AddCapacity(CapacityRow(0, "n1", 3600, 10 * kGib));
  day.AddCapacity(CapacityRow(1, "n1", 3600, 20 * kGib));
  day.AddCapacity(CapacityRow(1, "n1", 7200, 10 * kGib));
  day.AddCapacity(CapacityRow(3, "n1", 3600, 6 * kGib));

  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(Value(pods[0], Metric::kNodeCapacityCpuCoreHours), 14400.0 / 3600);
  EXPECT_DOUBLE_EQ(Value(pods[0], Metric::kNodeCapacityMemoryGigabyteHours), 36.0 / 3600);
}

TEST(AggregatePodTest, CapacityRowsOffTheWholeHoursAreHoursOfTheirOwn) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "p1")).ok());
  // 00:00 and 00:30 are two interval_starts, each with its own max; a partial state merged in
  // folds into both.
  PodCapacityRow half_past = CapacityRow(0, "n1", 1800, 0);
  half_past.interval_start_millis += 1'800'000;
  day.AddCapacity(CapacityRow(0, "n1", 3600, 0));
  day.AddCapacity(half_past);
  DaySummary other(settings, kDay);
  half_past.node_capacity_cpu_core_seconds = 2700;
  other.AddCapacity(half_past);
  other.AddCapacity(CapacityRow(0, "n1", 900, 0));
  day.Merge(std::move(other));

  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(Value(pods[0], Metric::kNodeCapacityCpuCoreHours), (3600.0 + 2700.0) / 3600);
}

TEST(AggregatePodTest, ClusterCapacityIsSumOfNodeCapacities) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "p1")).ok());
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n2", "p2")).ok());
  for (int h = 0; h < 2; ++h) {
    day.AddCapacity(CapacityRow(h, "n1", 3600, 0));
    day.AddCapacity(CapacityRow(h, "n2", 2 * 3600.0, 0));
    day.AddCapacity(CapacityRow(h, "n3", 4 * 3600.0, 0));  // a node without pod rows
  }
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 2u);
  for (const auto& p : pods) EXPECT_EQ(Value(p, Metric::kClusterCapacityCpuCoreHours), 14.0);
  EXPECT_EQ(Value(pods[0], Metric::kNodeCapacityCpuCoreHours), 2.0);
  EXPECT_EQ(Value(pods[1], Metric::kNodeCapacityCpuCoreHours), 4.0);
}

TEST(AggregatePodTest, PostgresGivesZeroCapacityWhenNoCapacityRowMatches) {
  const SummarySettings settings = Settings({}, Compat::kPostgres);
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "p1")).ok());
  day.AddCapacity(CapacityRow(0, "n2", 3600, kGib * 3600));
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(Value(pods[0], Metric::kNodeCapacityCpuCoreHours), 0.0);
  EXPECT_EQ(Value(pods[0], Metric::kNodeCapacityMemoryGigabyteHours), 0.0);
  EXPECT_EQ(Value(pods[0], Metric::kClusterCapacityCpuCoreHours), 1.0);
}

TEST(AggregatePodTest, TrinoGivesNullCapacityWhenNoCapacityRowMatches) {
  const SummarySettings settings = Settings({}, Compat::kTrino);
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "p1")).ok());
  day.AddCapacity(CapacityRow(0, "n2", 3600, kGib * 3600));
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_FALSE(pods[0].metric(Metric::kNodeCapacityCpuCoreHours).has_value());
  EXPECT_FALSE(pods[0].metric(Metric::kNodeCapacityMemoryGigabyteHours).has_value());
  EXPECT_EQ(Value(pods[0], Metric::kClusterCapacityCpuCoreHours), 1.0);
}

TEST(AggregatePodTest, PostgresGivesZeroAndTrinoNullClusterCapacityWithoutHourlyRows) {
  for (Compat compat : {Compat::kPostgres, Compat::kTrino}) {
    const SummarySettings settings = Settings({}, compat);
    DaySummary day(settings, kDay);
    ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "p1")).ok());
    auto pods = Select(FinishDay(std::move(day)), IsPod);
    ASSERT_EQ(pods.size(), 1u);
    const auto& cluster = pods[0].metric(Metric::kClusterCapacityMemoryGigabyteHours);
    if (compat == Compat::kPostgres) {
      EXPECT_EQ(cluster, 0.0);
    } else {
      EXPECT_FALSE(cluster.has_value());
    }
  }
}

TEST(AggregatePodTest, NodeCoresAndMemoryAreMaxOverTheGroupsDailyRows) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  PodUsageRow a = PodRow("ns", "n1", "p1");
  a.node_capacity_cpu_cores = 4;
  a.node_capacity_memory_bytes = 8 * kGib;
  PodUsageRow b = PodRow("ns", "n1", "p2");
  b.node_capacity_cpu_cores = 6;
  b.node_capacity_memory_bytes = std::nullopt;
  ASSERT_TRUE(day.AddPodUsage(a).ok());
  ASSERT_TRUE(day.AddPodUsage(b).ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(Value(pods[0], Metric::kNodeCapacityCpuCores), 6.0);
  EXPECT_EQ(Value(pods[0], Metric::kNodeCapacityMemoryGigabytes), 8.0);
}

TEST(AggregatePodTest, EffectiveUsageFallsBackToGreatestOfEachDailyRow) {
  // Two partial daily rows of one group without effective columns: the fallback is
  // greatest(usage, request) per row (300 + 500), not of the group's sums (max(600, 500)).
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  PodUsageRow a = PodRow("ns", "n1", "p1");
  a.pod_usage_cpu_core_seconds = 100 * 36;
  a.pod_request_cpu_core_seconds = 300 * 36;
  a.pod_usage_memory_byte_seconds = 3 * kGib * 3600;
  a.pod_request_memory_byte_seconds = 1 * kGib * 3600;
  PodUsageRow b = a;
  b.pod_usage_cpu_core_seconds = 500 * 36;
  b.pod_request_cpu_core_seconds = 200 * 36;
  b.pod_usage_memory_byte_seconds = 1 * kGib * 3600;
  b.pod_request_memory_byte_seconds = 2 * kGib * 3600;
  ASSERT_TRUE(day.AddPodUsage(a).ok());
  ASSERT_TRUE(day.AddPodUsage(b).ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(Value(pods[0], Metric::kPodEffectiveUsageCpuCoreHours), 8.0);
  EXPECT_EQ(Value(pods[0], Metric::kPodEffectiveUsageMemoryGigabyteHours), 5.0);
}

TEST(AggregatePodTest, EffectiveUsageColumnWinsWhenPresentEvenBelowUsage) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  PodUsageRow r = PodRow("ns", "n1", "p1");
  r.pod_usage_cpu_core_seconds = 7200;
  r.pod_request_cpu_core_seconds = 7200;
  r.pod_effective_usage_cpu_core_seconds = 3600;
  ASSERT_TRUE(day.AddPodUsage(r).ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(Value(pods[0], Metric::kPodEffectiveUsageCpuCoreHours), 1.0);
}

TEST(AggregatePodTest, PartialDailyRowsOfOneGroupAreSummedIntoOneRow) {
  const SummarySettings settings = Settings({"app"});
  DaySummary day(settings, kDay);
  for (int i = 0; i < 3; ++i) {
    PodUsageRow r = PodRow("ns", "n1", i == 2 ? "p2" : "p1", R"({"app": "web"})");
    r.pod_usage_cpu_core_seconds = 1200;
    ASSERT_TRUE(day.AddPodUsage(r).ok());
  }
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].pod_labels, R"({"app":"web"})");
  EXPECT_EQ(Value(pods[0], Metric::kPodUsageCpuCoreHours), 1.0);
}

TEST(AggregatePodTest, ResourceIdIsTheByteWiseMaxOfTheGroup) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "p1", "{}", "i-a")).ok());
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "p2", "{}", "i-b")).ok());
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "p3", "{}", "I-z")).ok());  // 'I' < 'i'
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "p4", "{}", std::nullopt)).ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].resource_id, "i-b");
}

TEST(AggregatePodTest, NullNamespaceIsItsOwnGroup) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow(std::nullopt, "n1", "p1")).ok());
  ASSERT_TRUE(day.AddPodUsage(PodRow("", "n1", "p2")).ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 2u);
  EXPECT_FALSE(pods[0].namespace_.has_value());
  EXPECT_EQ(pods[1].namespace_, "");
}

TEST(AggregatePodTest, DefaultCostCategoriesMatchPlatformNamespacesOnly) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  for (const char* ns : {"openshift-monitoring", "kube-system", "openshift", "openshiftish", "kube",
                         "my-openshift-app"}) {
    ASSERT_TRUE(day.AddPodUsage(PodRow(ns, "n1", "p")).ok());
  }
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 6u);
  for (const auto& p : pods) {
    const bool platform = p.namespace_ == "openshift-monitoring" || p.namespace_ == "kube-system" ||
                          p.namespace_ == "openshift";
    EXPECT_EQ(p.cost_category_id, platform ? std::optional<int32_t>(1) : std::nullopt)
        << *p.namespace_;
  }
}

TEST(AggregatePodTest, NamespaceMatchingTwoCostCategoryPatternsDoublesSumsAndTakesMaxId) {
  // docs/semantics.md "Multiplicity traps" trap 2: the LEFT JOIN on LIKE fans the pod rows out
  // before the aggregate.
  SummarySettings settings = Settings({});
  settings.cost_categories.push_back({"team-%", 2});
  settings.cost_categories.push_back({"team-a", 3});
  DaySummary day(settings, kDay);
  for (const char* ns : {"team-a", "team-b"}) {
    PodUsageRow r = PodRow(ns, "n1", "p");
    r.pod_usage_cpu_core_seconds = 3600;
    r.pod_request_cpu_core_seconds = 3600;
    r.node_capacity_cpu_cores = 2;
    ASSERT_TRUE(day.AddPodUsage(r).ok());
  }
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 2u);
  EXPECT_EQ(pods[0].namespace_, "team-a");
  EXPECT_EQ(pods[0].cost_category_id, 3);
  EXPECT_EQ(Value(pods[0], Metric::kPodUsageCpuCoreHours), 2.0);
  EXPECT_EQ(Value(pods[0], Metric::kPodRequestCpuCoreHours), 2.0);
  EXPECT_EQ(Value(pods[0], Metric::kNodeCapacityCpuCores), 2.0);  // a max: not multiplied
  EXPECT_EQ(pods[1].namespace_, "team-b");
  EXPECT_EQ(pods[1].cost_category_id, 2);
  EXPECT_EQ(Value(pods[1], Metric::kPodUsageCpuCoreHours), 1.0);
}

TEST(AggregatePodTest, CostCategoryPatternEscapesFollowTheCompatMode) {
  // PostgreSQL reads `team\_a` as the literal 'team_a'; Trino as 'team', '\', any character, 'a'.
  for (Compat compat : {Compat::kPostgres, Compat::kTrino}) {
    SummarySettings settings = Settings({}, compat);
    settings.cost_categories = {{R"(team\_a)", 7}};
    DaySummary day(settings, kDay);
    for (const char* ns : {"team_a", "teamxa", R"(team\xa)"}) {
      ASSERT_TRUE(day.AddPodUsage(PodRow(ns, "n1", "p")).ok());
    }
    auto pods = Select(FinishDay(std::move(day)), IsPod);
    ASSERT_EQ(pods.size(), 3u);
    const bool postgres = compat == Compat::kPostgres;
    EXPECT_EQ(pods[0].cost_category_id, postgres ? std::optional<int32_t>(7) : std::nullopt);
    EXPECT_FALSE(pods[1].cost_category_id.has_value());
    EXPECT_EQ(pods[2].cost_category_id, postgres ? std::nullopt : std::optional<int32_t>(7));
  }
}

TEST(AggregatePodTest, InvalidCostCategoryPatternFailsTheDay) {
  SummarySettings settings = Settings({});
  settings.cost_categories.push_back({R"(team\)", 2});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "p")).ok());
  EXPECT_FALSE(std::move(day).Finish(NodeRoleTable{}).ok());
}

}  // namespace
}  // namespace ocpagg::testing
