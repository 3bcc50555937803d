// Unallocated capacity rows (docs/semantics.md "Unallocated rows") and the node roles they read
// (docs/semantics.md "Node roles").

#include <gtest/gtest.h>

#include "unit/aggregate_test_support.h"

namespace ocpagg::testing {
namespace {

NodeRoleTable Roles(std::initializer_list<NodeRoleRow> rows) {
  NodeRoleTable t;
  for (const auto& r : rows) t.Add(r);
  return t;
}

// A node with 8 cores and 32 GiB for 24 hours: 192 core-hours, 768 GiB-hours.
void AddEightCoreNode(DaySummary& day, std::string_view node) {
  for (int h = 0; h < 24; ++h) day.AddCapacity(CapacityRow(h, node, 8 * 3600.0, 32 * kGib * 3600));
}

PodUsageRow Busy(NullableString ns, NullableString node, NullableString pod, double cpu_hours,
                 double request_hours, NullableString resource_id = "i-1") {
  PodUsageRow r = PodRow(ns, node, pod, "{}", resource_id);
  r.pod_usage_cpu_core_seconds = cpu_hours * 3600;
  r.pod_request_cpu_core_seconds = request_hours * 3600;
  r.pod_effective_usage_cpu_core_seconds = std::max(cpu_hours, request_hours) * 3600;
  r.pod_limit_cpu_core_seconds = 100 * 3600.0;
  r.pod_usage_memory_byte_seconds = cpu_hours * kGib * 3600;
  r.pod_request_memory_byte_seconds = request_hours * kGib * 3600;
  r.pod_effective_usage_memory_byte_seconds = std::max(cpu_hours, request_hours) * kGib * 3600;
  r.node_capacity_cpu_cores = 8;
  r.node_capacity_memory_bytes = 32 * kGib;
  return r;
}

TEST(AggregateUnallocatedTest, UnallocatedIsNodeCapacityMinusTheSumOfPodRows) {
  const SummarySettings settings = Settings({"app"});
  DaySummary day(settings, kDay);
  AddEightCoreNode(day, "n1");
  PodUsageRow a = Busy("team-a", "n1", "a", 10, 20);
  a.pod_labels = R"({"app": "x"})";
  ASSERT_TRUE(day.AddPodUsage(a).ok());
  ASSERT_TRUE(day.AddPodUsage(Busy("team-b", "n1", "b", 30, 12)).ok());
  const auto roles = Roles({{"n1", "i-1", "worker"}});
  auto rows = FinishDay(std::move(day), roles);
  auto unallocated = Select(rows, IsUnallocated);
  ASSERT_EQ(unallocated.size(), 1u);
  const SummaryRow& u = unallocated[0];
  EXPECT_EQ(u.data_source, DataSource::kPod);
  EXPECT_EQ(u.usage_start, kDay);
  EXPECT_EQ(u.namespace_, "Worker unallocated");
  EXPECT_EQ(u.node, "n1");
  EXPECT_EQ(u.resource_id, "i-1");
  EXPECT_FALSE(u.pod_labels.has_value());
  EXPECT_FALSE(u.volume_labels.has_value());
  EXPECT_EQ(u.all_labels, "{}");
  EXPECT_FALSE(u.has_infrastructure_usage_cost);
  EXPECT_FALSE(u.cost_category_id.has_value());
  EXPECT_EQ(Value(u, Metric::kPodUsageCpuCoreHours), 192.0 - 40);
  EXPECT_EQ(Value(u, Metric::kPodRequestCpuCoreHours), 192.0 - 32);
  EXPECT_EQ(Value(u, Metric::kPodEffectiveUsageCpuCoreHours), 192.0 - 50);
  EXPECT_EQ(Value(u, Metric::kPodUsageMemoryGigabyteHours), 768.0 - 40);
  EXPECT_EQ(Value(u, Metric::kPodRequestMemoryGigabyteHours), 768.0 - 32);
  EXPECT_EQ(Value(u, Metric::kPodEffectiveUsageMemoryGigabyteHours), 768.0 - 50);
  EXPECT_FALSE(u.metric(Metric::kPodLimitCpuCoreHours).has_value());
  EXPECT_FALSE(u.metric(Metric::kPodLimitMemoryGigabyteHours).has_value());
  EXPECT_EQ(Value(u, Metric::kNodeCapacityCpuCores), 8.0);
  EXPECT_EQ(Value(u, Metric::kNodeCapacityCpuCoreHours), 192.0);
  EXPECT_EQ(Value(u, Metric::kNodeCapacityMemoryGigabytes), 32.0);
  EXPECT_EQ(Value(u, Metric::kNodeCapacityMemoryGigabyteHours), 768.0);
  EXPECT_EQ(Value(u, Metric::kClusterCapacityCpuCoreHours), 192.0);
  EXPECT_EQ(Value(u, Metric::kClusterCapacityMemoryGigabyteHours), 768.0);
  EXPECT_FALSE(u.metric(Metric::kPersistentVolumeClaimCapacityGigabyte).has_value());
  // Pod rows come first, unallocated rows last.
  EXPECT_TRUE(IsUnallocated(rows.back()));
}

TEST(AggregateUnallocatedTest, OverRequestedNodeGivesNegativeUnallocated) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  AddEightCoreNode(day, "n1");
  ASSERT_TRUE(day.AddPodUsage(Busy("ns", "n1", "hog", 100, 250)).ok());
  auto unallocated = Select(FinishDay(std::move(day)), IsUnallocated);
  ASSERT_EQ(unallocated.size(), 1u);
  EXPECT_EQ(Value(unallocated[0], Metric::kPodRequestCpuCoreHours), 192.0 - 250);
  EXPECT_EQ(Value(unallocated[0], Metric::kPodUsageCpuCoreHours), 192.0 - 100);
}

TEST(AggregateUnallocatedTest, MasterAndInfraArePlatformUnallocatedAndWorkerIsWorkerUnallocated) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(Busy("ns", "m1", "p", 1, 1, "i-m")).ok());
  ASSERT_TRUE(day.AddPodUsage(Busy("ns", "f1", "p", 1, 1, "i-f")).ok());
  ASSERT_TRUE(day.AddPodUsage(Busy("ns", "w1", "p", 1, 1, "i-w")).ok());
  const auto roles =
      Roles({{"m1", "i-m", "master"}, {"f1", "i-f", "infra"}, {"w1", "i-w", "worker"}});
  auto unallocated = Select(FinishDay(std::move(day), roles), IsUnallocated);
  ASSERT_EQ(unallocated.size(), 3u);
  EXPECT_EQ(unallocated[0].namespace_, "Platform unallocated");
  EXPECT_EQ(unallocated[0].cost_category_id, 1);  // koku's default "Platform" pattern
  EXPECT_EQ(unallocated[1].namespace_, "Platform unallocated");
  EXPECT_EQ(unallocated[2].namespace_, "Worker unallocated");
  EXPECT_FALSE(unallocated[2].cost_category_id.has_value());
}

TEST(AggregateUnallocatedTest, UnknownRoleOrNoNodeRowGivesNullNamespace) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(Busy("ns", "n1", "p", 1, 1, "i-1")).ok());
  ASSERT_TRUE(day.AddPodUsage(Busy("ns", "n2", "p", 1, 1, "i-2")).ok());
  ASSERT_TRUE(day.AddPodUsage(Busy("ns", "n3", "p", 1, 1, "i-3")).ok());
  // n1: the operator's empty role; n2: a row under another resource_id; n3: no row.
  const auto roles = Roles({{"n1", "i-1", ""}, {"n2", "i-other", "worker"}});
  auto unallocated = Select(FinishDay(std::move(day), roles), IsUnallocated);
  ASSERT_EQ(unallocated.size(), 3u);
  for (const auto& u : unallocated) {
    EXPECT_FALSE(u.namespace_.has_value()) << *u.node;
    EXPECT_FALSE(u.cost_category_id.has_value());
  }
}

TEST(AggregateUnallocatedTest, RoleIsTheMaxOverEveryNodeRowOfTheResource) {
  // A node resized during the month has two reporting_ocp_nodes rows: max('infra','worker').
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(Busy("ns", "n1", "p", 1, 1, "i-1")).ok());
  const auto roles = Roles({{"n1", "i-1", "infra"}, {"n1", "i-1", "worker"}, {"n1", "i-1", {}}});
  auto unallocated = Select(FinishDay(std::move(day), roles), IsUnallocated);
  ASSERT_EQ(unallocated.size(), 1u);
  EXPECT_EQ(unallocated[0].namespace_, "Worker unallocated");
}

TEST(AggregateUnallocatedTest, RoleIsTheMaxOverTheResourceIdsOfTheNodesPodRows) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(Busy("a", "n1", "p", 1, 1, "i-1")).ok());
  ASSERT_TRUE(day.AddPodUsage(Busy("b", "n1", "p", 1, 1, "i-0")).ok());
  const auto roles = Roles({{"n1", "i-0", "worker"}, {"n1", "i-1", "master"}});
  auto unallocated = Select(FinishDay(std::move(day), roles), IsUnallocated);
  ASSERT_EQ(unallocated.size(), 1u);
  EXPECT_EQ(unallocated[0].namespace_, "Worker unallocated");
  EXPECT_EQ(unallocated[0].resource_id, "i-1");
}

TEST(AggregateUnallocatedTest, PodRowsInNullOrUnallocatedNamespacesAreNotSubtracted) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  AddEightCoreNode(day, "n1");
  ASSERT_TRUE(day.AddPodUsage(Busy("real", "n1", "p", 2, 2)).ok());
  for (const char* ns : {"Platform unallocated", "Worker unallocated", "Network unattributed",
                         "Storage unattributed"}) {
    ASSERT_TRUE(day.AddPodUsage(Busy(ns, "n1", "p", 50, 50)).ok());
  }
  ASSERT_TRUE(day.AddPodUsage(Busy(std::nullopt, "n1", "p", 50, 50)).ok());
  auto unallocated = Select(FinishDay(std::move(day)), IsUnallocated);
  ASSERT_EQ(unallocated.size(), 1u);
  EXPECT_EQ(Value(unallocated[0], Metric::kPodUsageCpuCoreHours), 190.0);
}

TEST(AggregateUnallocatedTest, NodeWhosePodRowsAreAllExcludedGetsNoUnallocatedRow) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(Busy(std::nullopt, "n1", "p", 1, 1)).ok());
  EXPECT_TRUE(Select(FinishDay(std::move(day)), IsUnallocated).empty());
}

TEST(AggregateUnallocatedTest, UnallocatedRowIsDuplicatedPerMatchingCostCategoryPattern) {
  SummarySettings settings = Settings({});
  settings.cost_categories.push_back({"Platform %", 2});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(Busy("ns", "m1", "p", 1, 1, "i-m")).ok());
  const auto roles = Roles({{"m1", "i-m", "master"}});
  auto unallocated = Select(FinishDay(std::move(day), roles), IsUnallocated);
  ASSERT_EQ(unallocated.size(), 2u);
  EXPECT_EQ(unallocated[0].cost_category_id, 1);
  EXPECT_EQ(unallocated[1].cost_category_id, 2);
  EXPECT_EQ(unallocated[0].metrics, unallocated[1].metrics);
}

TEST(AggregateUnallocatedTest, PostgresSubtractsFromZeroWhenTheNodeHasNoCapacity) {
  const SummarySettings settings = Settings({}, Compat::kPostgres);
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(Busy("ns", "n1", "p", 3, 4)).ok());
  auto unallocated = Select(FinishDay(std::move(day)), IsUnallocated);
  ASSERT_EQ(unallocated.size(), 1u);
  EXPECT_EQ(Value(unallocated[0], Metric::kPodUsageCpuCoreHours), -3.0);
  EXPECT_EQ(Value(unallocated[0], Metric::kPodRequestCpuCoreHours), -4.0);
}

TEST(AggregateUnallocatedTest, TrinoUnallocatedIsNullWhenTheNodeHasNoCapacity) {
  const SummarySettings settings = Settings({}, Compat::kTrino);
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(Busy("ns", "n1", "p", 3, 4)).ok());
  auto unallocated = Select(FinishDay(std::move(day)), IsUnallocated);
  ASSERT_EQ(unallocated.size(), 1u);
  EXPECT_FALSE(unallocated[0].metric(Metric::kPodUsageCpuCoreHours).has_value());
  EXPECT_FALSE(unallocated[0].metric(Metric::kNodeCapacityCpuCoreHours).has_value());
  EXPECT_EQ(Value(unallocated[0], Metric::kNodeCapacityCpuCores), 8.0);
}

TEST(AggregateUnallocatedTest, NodeRoleTableKeepsTheMaxNonNullRole) {
  const auto roles = Roles({{"n1", "i-1", {}}, {"n1", "i-1", "infra"}, {"n1", "i-2", {}}});
  EXPECT_EQ(roles.MaxRole("n1", "i-1"), "infra");
  EXPECT_FALSE(roles.MaxRole("n1", "i-2").has_value());
  EXPECT_FALSE(roles.MaxRole("n1", "").has_value());
  EXPECT_FALSE(roles.MaxRole("n2", "i-1").has_value());
}

}  // namespace
}  // namespace ocpagg::testing
