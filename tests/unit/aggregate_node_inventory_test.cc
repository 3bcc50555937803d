// koku's nodes query and populate_node_table (docs/semantics.md "Node roles"; golden
// 06_month_boundary).

#include "ocpagg/aggregate/node_inventory.h"

#include <gtest/gtest.h>

#include "unit/aggregate_test_support.h"

namespace ocpagg::testing {
namespace {

PodUsageRow NodePod(NullableString node, NullableString resource_id, NullableString ns,
                    std::optional<double> cores = 4, NullableString role = std::nullopt) {
  PodUsageRow r = PodRow(ns, node, "p", "{}", resource_id);
  r.node_capacity_cpu_cores = cores;
  r.node_role = role;
  return r;
}

std::vector<NodeInventoryRow> Query(const std::vector<PodUsageRow>& pods,
                                    const std::vector<NodeLabelRow>& labels) {
  NodeInventory inventory;
  for (const auto& p : pods) inventory.AddPodUsage(p);
  for (const auto& l : labels) EXPECT_TRUE(inventory.AddNodeLabels(l).ok());
  return inventory.Finish();
}

TEST(AggregateNodeInventoryTest, NodeRunningKubeApiserverIsMaster) {
  auto rows = Query({NodePod("m1", "i-m", "app"), NodePod("m1", "i-m", "openshift-kube-apiserver")},
                    {NodeLabels("m1", R"({"node_role_kubernetes_io": "infra"})")});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].node, "m1");
  EXPECT_EQ(rows[0].resource_id, "i-m");
  EXPECT_EQ(rows[0].node_role, "master");
}

TEST(AggregateNodeInventoryTest, NodeWithInfraRoleLabelTextIsInfra) {
  auto rows = Query({NodePod("f1", "i-f", "app")},
                    {NodeLabels("f1", R"({"node_role_kubernetes_io": "infra", "zone": "a"})")});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].node_role, "infra");
}

TEST(AggregateNodeInventoryTest, InfraLabelUnderAnotherKeyOrSpacingIsWorker) {
  // The match is on koku's json.dumps text: `"node_role_kubernetes_io": "infra"`, exactly.
  auto rows = Query({NodePod("a", "i-a", "app"), NodePod("b", "i-b", "app")},
                    {NodeLabels("a", R"({"node_role_kubernetes_io_infra": ""})"),
                     NodeLabels("b", R"({"node_role_kubernetes_io":"infra"})")});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].node_role, "worker");
  EXPECT_EQ(rows[1].node_role, "worker");
}

TEST(AggregateNodeInventoryTest, InfraLabelOnAnyDayOfTheRangeCounts) {
  NodeLabelRow day1 = NodeLabels("f1", R"({"node_role_kubernetes_io": "infra"})");
  NodeLabelRow day2 = NodeLabels("f1", R"({"zone": "a"})");
  day2.usage_start = kDay + 1;
  auto rows = Query({NodePod("f1", "i-f", "app")}, {day2, day1});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].node_role, "infra");
}

TEST(AggregateNodeInventoryTest, OperatorRoleColumnWinsEvenWhenEmpty) {
  auto rows = Query({NodePod("a", "i-a", "openshift-kube-apiserver", 4, "worker"),
                     NodePod("b", "i-b", "openshift-kube-apiserver", 4, "")},
                    {NodeLabels("a", "{}"), NodeLabels("b", "{}")});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].node_role, "worker");
  EXPECT_EQ(rows[1].node_role, "");
}

TEST(AggregateNodeInventoryTest, NodeWithoutAnyLabelRowIsNotReported) {
  // The WHERE conditions on the node-label table turn the LEFT JOIN into an inner join.
  auto rows = Query({NodePod("a", "i-a", "app"), NodePod("b", "i-b", "app")},
                    {NodeLabels("b", std::nullopt)});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].node, "b");
  EXPECT_EQ(rows[0].node_role, "worker");
  EXPECT_FALSE(rows[0].architecture.has_value());
}

TEST(AggregateNodeInventoryTest, GroupsAreNodeAndResourceIdWithMaxCapacity) {
  auto rows = Query({NodePod("a", "i-1", "x", 4), NodePod("a", "i-1", "y", 6),
                     NodePod("a", "i-2", "x", std::nullopt)},
                    {NodeLabels("a", "{}")});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].resource_id, "i-1");
  EXPECT_EQ(rows[0].node_capacity_cpu_cores, 6.0);
  EXPECT_EQ(rows[1].resource_id, "i-2");
  EXPECT_FALSE(rows[1].node_capacity_cpu_cores.has_value());
}

TEST(AggregateNodeInventoryTest, ArchitectureComesLoweredFromTheMaxLabelText) {
  auto rows = Query({NodePod("a", "i-a", "x")},
                    {NodeLabels("a", R"({"kubernetes_io_arch": "ARM64", "a": "1"})"),
                     NodeLabels("a", R"({"kubernetes_io_arch": "amd64", "a": "0"})")});
  ASSERT_EQ(rows.size(), 1u);
  // '{"kubernetes_io_arch": "ARM64"...' > '{"kubernetes_io_arch": "amd64"...' is false: 'A' < 'a'.
  EXPECT_EQ(rows[0].architecture, "amd64");
}

TEST(AggregateNodeInventoryTest, MergedPartialInventoriesEqualOneInventory) {
  NodeInventory left;
  NodeInventory right;
  left.AddPodUsage(NodePod("a", "i-a", "x", 4));
  right.AddPodUsage(NodePod("a", "i-a", "openshift-kube-apiserver", 8));
  ASSERT_TRUE(right.AddNodeLabels(NodeLabels("a", R"({"kubernetes_io_arch": "amd64"})")).ok());
  left.Merge(std::move(right));
  auto rows = left.Finish();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].node_capacity_cpu_cores, 8.0);
  EXPECT_EQ(rows[0].node_role, "master");
  EXPECT_EQ(rows[0].architecture, "amd64");
}

NodeInventoryRow QueryRow(std::string node, std::string resource_id, std::optional<double> cores,
                          std::optional<std::string> role, std::optional<std::string> arch) {
  return NodeInventoryRow{std::move(node), std::move(resource_id), cores, std::move(role),
                          std::move(arch)};
}

TEST(AggregateNodeInventoryTest, ApplyInsertsANewNodeRow) {
  std::vector<StoredNode> nodes;
  const std::vector<NodeInventoryRow> rows = {QueryRow("n", "i", 4, "infra", "amd64")};
  ApplyNodeInventory(nodes, rows);
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_TRUE(nodes[0].is_new);
  EXPECT_FALSE(nodes[0].changed);
  EXPECT_EQ(nodes[0].node_capacity_cpu_cores, 4.0);
  EXPECT_EQ(nodes[0].node_role, "infra");
  EXPECT_EQ(nodes[0].architecture, "amd64");
}

TEST(AggregateNodeInventoryTest, ApplyKeepsAStoredRoleWhenRoleAndArchitectureAreSet) {
  // node-c of golden 06: infra in October, no infra label in November; the role sticks.
  std::vector<StoredNode> nodes = {{"n", "i", 4.0, "infra", "amd64", false, false}};
  const std::vector<NodeInventoryRow> rows = {QueryRow("n", "i", 4, "worker", "amd64")};
  ApplyNodeInventory(nodes, rows);
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].node_role, "infra");
  EXPECT_FALSE(nodes[0].changed);
  EXPECT_FALSE(nodes[0].is_new);
}

TEST(AggregateNodeInventoryTest, ApplyRefreshesRoleAndArchitectureWhenEitherIsEmpty) {
  // node-e of golden 06: no architecture label, so the role is recomputed every run.
  std::vector<StoredNode> nodes = {{"n", "i", 2.0, "infra", std::nullopt, false, false},
                                   {"m", "i", 2.0, "", "amd64", false, false}};
  const std::vector<NodeInventoryRow> rows = {QueryRow("n", "i", 2, "worker", std::nullopt),
                                              QueryRow("m", "i", 2, "master", std::nullopt)};
  ApplyNodeInventory(nodes, rows);
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].node_role, "worker");
  EXPECT_TRUE(nodes[0].changed);
  EXPECT_EQ(nodes[1].node_role, "master");
  EXPECT_FALSE(nodes[1].architecture.has_value());
  EXPECT_TRUE(nodes[1].changed);
}

TEST(AggregateNodeInventoryTest, ApplyInsertsASecondRowWhenTheCapacityChanged) {
  // node-f of golden 06: resized from 4 to 6 cores; the old infra row stays beside the new one.
  std::vector<StoredNode> nodes = {{"n", "i", 4.0, "infra", "arm64", false, false}};
  const std::vector<NodeInventoryRow> rows = {QueryRow("n", "i", 6, "worker", "arm64")};
  ApplyNodeInventory(nodes, rows);
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].node_role, "infra");
  EXPECT_TRUE(nodes[1].is_new);
  EXPECT_EQ(nodes[1].node_capacity_cpu_cores, 6.0);
  EXPECT_EQ(nodes[1].node_role, "worker");
}

TEST(AggregateNodeInventoryTest, ApplyMatchesCapacityAsDjangoComparesDecimals) {
  std::vector<StoredNode> nodes = {{"a", "i", 2.5, "infra", "amd64", false, false},
                                   {"b", "i", 0.33, "infra", "amd64", false, false},
                                   {"c", "i", std::nullopt, "infra", "amd64", false, false}};
  const std::vector<NodeInventoryRow> rows = {
      QueryRow("a", "i", 2.5, "worker", "amd64"),            // 2.5 = 2.50: same row
      QueryRow("b", "i", 1.0 / 3, "worker", "amd64"),        // 0.333... != 0.33: a new row
      QueryRow("c", "i", std::nullopt, "worker", "amd64")};  // NULL matches IS NULL
  ApplyNodeInventory(nodes, rows);
  ASSERT_EQ(nodes.size(), 4u);
  EXPECT_FALSE(nodes[0].changed);
  EXPECT_FALSE(nodes[2].changed);
  EXPECT_TRUE(nodes[3].is_new);
  EXPECT_EQ(nodes[3].node, "b");
  EXPECT_EQ(nodes[3].node_capacity_cpu_cores, 0.33);  // stored as numeric(18,2)
}

TEST(AggregateNodeInventoryTest, ApplyMatchesResourceIdExactly) {
  std::vector<StoredNode> nodes = {{"n", "i-old", 4.0, "infra", "amd64", false, false}};
  const std::vector<NodeInventoryRow> rows = {QueryRow("n", "i-new", 4, "worker", "amd64")};
  ApplyNodeInventory(nodes, rows);
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[1].resource_id, "i-new");
}

}  // namespace
}  // namespace ocpagg::testing
