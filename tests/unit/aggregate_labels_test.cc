// Label filtering, the node ⊕ namespace ⊕ pod merge and the label multiplicity traps, through a
// whole day (docs/semantics.md "Enabled keys", "Node and namespace labels", "Pod rows",
// "Multiplicity traps" trap 1, "PostgreSQL and Trino differences": no enabled keys, label merge).

#include <gtest/gtest.h>

#include "unit/aggregate_test_support.h"

namespace ocpagg::testing {
namespace {

PodUsageRow OneHourPod(NullableString ns, NullableString node, NullableString pod,
                       NullableString labels) {
  PodUsageRow r = PodRow(ns, node, pod, labels);
  r.pod_usage_cpu_core_seconds = 3600;
  return r;
}

TEST(AggregateLabelsTest, PodLabelsKeepOnlyEnabledKeys) {
  const SummarySettings settings = Settings({"app", "team", "zone"});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(
      day.AddPodUsage(OneHourPod("ns", "n1", "p1", R"({"app": "web", "App": "x", "tier": "f"})"))
          .ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].pod_labels, R"({"app":"web"})");
  EXPECT_EQ(pods[0].all_labels, R"({"app":"web"})");
}

TEST(AggregateLabelsTest, PodsDifferingOnlyInDisabledKeysShareOneRow) {
  const SummarySettings settings = Settings({"app"});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(OneHourPod("ns", "n1", "p1", R"({"app": "web", "hash": "1"})")).ok());
  ASSERT_TRUE(day.AddPodUsage(OneHourPod("ns", "n1", "p2", R"({"app": "web", "hash": "2"})")).ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(Value(pods[0], Metric::kPodUsageCpuCoreHours), 2.0);
}

TEST(AggregateLabelsTest, ImplicitVmKubevirtKeyIsKeptWithoutBeingEnabled) {
  const SummarySettings settings = Settings({"app"});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(
      day.AddPodUsage(OneHourPod("ns", "n1", "virt-launcher", R"({"vm_kubevirt_io_name": "vm1"})"))
          .ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].pod_labels, R"({"vm_kubevirt_io_name":"vm1"})");
}

TEST(AggregateLabelsTest, PostgresKeepsVmKubevirtLabelWhenNoKeyIsEnabled) {
  const SummarySettings settings = Settings({}, Compat::kPostgres);
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", R"({"zone": "a"})")).ok());
  ASSERT_TRUE(
      day.AddPodUsage(OneHourPod("ns", "n1", "p", R"({"vm_kubevirt_io_name": "vm1", "app": "x"})"))
          .ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].pod_labels, R"({"vm_kubevirt_io_name":"vm1"})");
}

TEST(AggregateLabelsTest, TrinoDropsAllLabelsWhenNoKeyIsEnabled) {
  const SummarySettings settings = Settings({}, Compat::kTrino);
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", R"({"zone": "a"})")).ok());
  ASSERT_TRUE(
      day.AddPodUsage(OneHourPod("ns", "n1", "p", R"({"vm_kubevirt_io_name": "vm1", "app": "x"})"))
          .ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].pod_labels, "{}");
}

TEST(AggregateLabelsTest, PodLabelWinsOverNamespaceLabelWhichWinsOverNodeLabel) {
  const SummarySettings settings = Settings({"env", "zone", "team", "app"});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", R"({"env": "node", "zone": "z1"})")).ok());
  ASSERT_TRUE(day.AddNamespaceLabels(NamespaceLabels("ns", R"({"env": "ns", "team": "t"})")).ok());
  ASSERT_TRUE(day.AddPodUsage(OneHourPod("ns", "n1", "p1", R"({"env": "pod", "app": "a"})")).ok());
  ASSERT_TRUE(day.AddPodUsage(OneHourPod("ns", "n1", "p2", R"({"app": "b"})")).ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 2u);
  EXPECT_EQ(pods[0].pod_labels, R"({"app":"a","env":"pod","team":"t","zone":"z1"})");
  EXPECT_EQ(pods[1].pod_labels, R"({"app":"b","env":"ns","team":"t","zone":"z1"})");
}

TEST(AggregateLabelsTest, DifferentPodLabelsMergingToTheSameMapShareOneRow) {
  // {"app":"a"} on its own and {} under a node labelled app=a both become {"app":"a"}.
  const SummarySettings settings = Settings({"app"});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", R"({"app": "a"})")).ok());
  ASSERT_TRUE(day.AddPodUsage(OneHourPod("ns", "n1", "p1", R"({"app": "a"})")).ok());
  ASSERT_TRUE(day.AddPodUsage(OneHourPod("ns", "n1", "p2", "{}")).ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(Value(pods[0], Metric::kPodUsageCpuCoreHours), 2.0);
}

TEST(AggregateLabelsTest, TwoDistinctNodeLabelMapsInOneDayCountThePodTwice) {
  // docs/semantics.md "Multiplicity traps" trap 1: the node's enabled labels changed during the
  // day.
  const SummarySettings settings = Settings({"zone"});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", R"({"zone": "a"})")).ok());
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", R"({"zone": "b"})")).ok());
  ASSERT_TRUE(day.AddPodUsage(OneHourPod("ns", "n1", "p1", "{}")).ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 2u);
  EXPECT_EQ(pods[0].pod_labels, R"({"zone":"a"})");
  EXPECT_EQ(pods[1].pod_labels, R"({"zone":"b"})");
  EXPECT_EQ(Value(pods[0], Metric::kPodUsageCpuCoreHours), 1.0);
  EXPECT_EQ(Value(pods[1], Metric::kPodUsageCpuCoreHours), 1.0);
}

TEST(AggregateLabelsTest, TwoNodeLabelMapsThatTheirPodLabelsOverrideDoubleOneRow) {
  // Both joined rows merge to the same map, so the single group holds the sums twice.
  const SummarySettings settings = Settings({"zone"});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", R"({"zone": "a"})")).ok());
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", R"({"zone": "b"})")).ok());
  ASSERT_TRUE(day.AddPodUsage(OneHourPod("ns", "n1", "p1", R"({"zone": "pod"})")).ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(Value(pods[0], Metric::kPodUsageCpuCoreHours), 2.0);
}

TEST(AggregateLabelsTest, TwoDistinctNamespaceLabelMapsInOneDayCountThePodTwice) {
  const SummarySettings settings = Settings({"team"});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddNamespaceLabels(NamespaceLabels("ns", R"({"team": "x"})")).ok());
  ASSERT_TRUE(day.AddNamespaceLabels(NamespaceLabels("ns", R"({"team": "y"})")).ok());
  ASSERT_TRUE(day.AddPodUsage(OneHourPod("ns", "n1", "p1", "{}")).ok());
  auto rows = FinishDay(std::move(day));
  auto pods = Select(rows, IsPod);
  ASSERT_EQ(pods.size(), 2u);
  // The unallocated row subtracts both rows: the doubled usage.
  auto unallocated = Select(rows, IsUnallocated);
  ASSERT_EQ(unallocated.size(), 1u);
  EXPECT_EQ(Value(unallocated[0], Metric::kPodUsageCpuCoreHours), -2.0);
}

TEST(AggregateLabelsTest, NodeLabelTextsWithTheSameEnabledLabelsDoNotFanOut) {
  const SummarySettings settings = Settings({"zone"});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", R"({"zone": "a", "hash": "1"})")).ok());
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", R"({"zone": "a", "hash": "2"})")).ok());
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", R"({"zone": "a", "hash": "1"})")).ok());
  ASSERT_TRUE(day.AddPodUsage(OneHourPod("ns", "n1", "p1", "{}")).ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(Value(pods[0], Metric::kPodUsageCpuCoreHours), 1.0);
}

TEST(AggregateLabelsTest, PostgresTreatsNullLabelTextAsEmpty) {
  const SummarySettings settings = Settings({"zone"}, Compat::kPostgres);
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", std::nullopt)).ok());
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", R"({"other": "x"})")).ok());
  ASSERT_TRUE(day.AddPodUsage(OneHourPod("ns", "n1", "p1", std::nullopt)).ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].pod_labels, "{}");
  EXPECT_EQ(Value(pods[0], Metric::kPodUsageCpuCoreHours), 1.0);
}

TEST(AggregateLabelsTest, TrinoNullNodeLabelTextIsASeparateMapThatFansOut) {
  // GROUP BY keeps NULL apart from {}; the pod join then coalesces both to {}.
  const SummarySettings settings = Settings({"zone"}, Compat::kTrino);
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", std::nullopt)).ok());
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", R"({"other": "x"})")).ok());
  ASSERT_TRUE(day.AddPodUsage(OneHourPod("ns", "n1", "p1", "{}")).ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].pod_labels, "{}");
  EXPECT_EQ(Value(pods[0], Metric::kPodUsageCpuCoreHours), 2.0);
}

TEST(AggregateLabelsTest, TrinoNullPodLabelTextGivesNullPodLabels) {
  const SummarySettings settings = Settings({"zone"}, Compat::kTrino);
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(OneHourPod("ns", "n1", "p1", std::nullopt)).ok());
  ASSERT_TRUE(day.AddPodUsage(OneHourPod("ns", "n1", "p2", "{}")).ok());
  auto pods = Select(FinishDay(std::move(day)), IsPod);
  ASSERT_EQ(pods.size(), 2u);
  EXPECT_FALSE(pods[0].pod_labels.has_value());
  EXPECT_EQ(pods[0].all_labels, "{}");
  EXPECT_EQ(pods[1].pod_labels, "{}");
}

TEST(AggregateLabelsTest, InvalidNodeLabelTextFailsNamingTheNode) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  Status st = day.AddNodeLabels(NodeLabels("worker-7", R"("just a string")"));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("worker-7"), std::string::npos) << st.message();
}

TEST(AggregateLabelsTest, InvalidNamespaceLabelTextFailsNamingTheNamespace) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  Status st = day.AddNamespaceLabels(NamespaceLabels("billing", "[1, 2]"));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("billing"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace ocpagg::testing
