// The Storage rows of a day (docs/semantics.md "Volume nodes", "Storage rows", "Multiplicity traps"
// trap 3, "PostgreSQL and Trino differences": volume with no node).

#include <gtest/gtest.h>

#include "unit/aggregate_test_support.h"

namespace ocpagg::testing {
namespace {

constexpr double kGibDay = kGib * 86400;  // one GiB held for a whole day, in byte-seconds

// A storage row holding `capacity_gib`, requesting `request_gib` and using `usage_gib` for the
// whole day (as GiB-days), with a capacity of `capacity_gib`.
StorageUsageRow Volume(NullableString ns, NullableString pod, NullableString pvc, NullableString pv,
                       double capacity_gib, double request_gib, double usage_gib) {
  StorageUsageRow r = StorageRow(ns, pod, pvc, pv);
  r.persistentvolumeclaim_capacity_bytes = capacity_gib * kGib;
  r.persistentvolumeclaim_capacity_byte_seconds = capacity_gib * kGibDay;
  r.volume_request_storage_byte_seconds = request_gib * kGibDay;
  r.persistentvolumeclaim_usage_byte_seconds = usage_gib * kGibDay;
  return r;
}

std::vector<SummaryRow> StorageRowsOf(DaySummary&& day) {
  return Select(FinishDay(std::move(day)), IsStorage);
}

// kDay is in October: GiB-months divide by 31 days.
constexpr double kDaysInMonth = 31;

TEST(AggregateStorageTest, StorageRowTakesNodeFromThePodMountingTheClaim) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("data", "n1", "db-0", "{}", "i-1")).ok());
  ASSERT_TRUE(day.AddStorageUsage(Volume("data", "db-0", "db-data", "pv-db", 50, 100, 10)).ok());
  auto rows = StorageRowsOf(std::move(day));
  ASSERT_EQ(rows.size(), 1u);
  const SummaryRow& s = rows[0];
  EXPECT_EQ(s.usage_start, kDay);
  EXPECT_EQ(s.namespace_, "data");
  EXPECT_EQ(s.node, "n1");
  EXPECT_EQ(s.resource_id, "i-1");
  EXPECT_EQ(s.persistentvolumeclaim, "db-data");
  EXPECT_EQ(s.persistentvolume, "pv-db");
  EXPECT_EQ(s.storageclass, "gp3");
  EXPECT_FALSE(s.pod_labels.has_value());
  EXPECT_EQ(s.volume_labels, "{}");
  EXPECT_TRUE(s.has_infrastructure_usage_cost);
  EXPECT_EQ(Value(s, Metric::kPersistentVolumeClaimCapacityGigabyte), 50.0);
  EXPECT_DOUBLE_EQ(Value(s, Metric::kPersistentVolumeClaimCapacityGigabyteMonths),
                   50 / kDaysInMonth);
  EXPECT_DOUBLE_EQ(Value(s, Metric::kVolumeRequestStorageGigabyteMonths), 100 / kDaysInMonth);
  EXPECT_DOUBLE_EQ(Value(s, Metric::kPersistentVolumeClaimUsageGigabyteMonths), 10 / kDaysInMonth);
  for (Metric m : {Metric::kPodUsageCpuCoreHours, Metric::kNodeCapacityCpuCores,
                   Metric::kClusterCapacityCpuCoreHours}) {
    EXPECT_FALSE(s.metric(m).has_value()) << MetricColumnName(m);
  }
}

TEST(AggregateStorageTest, StorageRowDividesRequestByDistinctNodesOfVolume) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("data", "n1", "web-a", "{}", "i-1")).ok());
  ASSERT_TRUE(day.AddPodUsage(PodRow("data", "n2", "web-b", "{}", "i-2")).ok());
  ASSERT_TRUE(day.AddStorageUsage(Volume("data", "web-a", "cache", "pv-shared", 20, 20, 4)).ok());
  ASSERT_TRUE(day.AddStorageUsage(Volume("data", "web-b", "cache", "pv-shared", 20, 20, 4)).ok());
  auto rows = StorageRowsOf(std::move(day));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].node, "n1");
  EXPECT_EQ(rows[1].node, "n2");
  EXPECT_EQ(rows[1].resource_id, "i-2");
  for (const auto& s : rows) {
    EXPECT_DOUBLE_EQ(Value(s, Metric::kPersistentVolumeClaimCapacityGigabyteMonths),
                     20 / kDaysInMonth);  // not divided
    EXPECT_DOUBLE_EQ(Value(s, Metric::kVolumeRequestStorageGigabyteMonths), 10 / kDaysInMonth);
    EXPECT_DOUBLE_EQ(Value(s, Metric::kPersistentVolumeClaimUsageGigabyteMonths), 2 / kDaysInMonth);
  }
}

TEST(AggregateStorageTest, PodSeenOnTwoNodesCountsItsVolumeOnEachNode) {
  // The storage row joins two cte_volume_nodes rows: its capacity counts twice, its request
  // and usage are divided by the volume's 2 nodes.
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "p1", "{}", "i-1")).ok());
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n2", "p1", "{}", "i-2")).ok());
  ASSERT_TRUE(day.AddStorageUsage(Volume("ns", "p1", "claim", "pv", 10, 10, 2)).ok());
  auto rows = StorageRowsOf(std::move(day));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].node, "n1");
  EXPECT_EQ(rows[1].node, "n2");
  for (const auto& s : rows) {
    EXPECT_EQ(Value(s, Metric::kPersistentVolumeClaimCapacityGigabyte), 10.0);
    EXPECT_DOUBLE_EQ(Value(s, Metric::kPersistentVolumeClaimCapacityGigabyteMonths),
                     10 / kDaysInMonth);
    EXPECT_DOUBLE_EQ(Value(s, Metric::kVolumeRequestStorageGigabyteMonths), 5 / kDaysInMonth);
    EXPECT_DOUBLE_EQ(Value(s, Metric::kPersistentVolumeClaimUsageGigabyteMonths), 1 / kDaysInMonth);
  }
}

TEST(AggregateStorageTest, PodsOnOneNodeSharingAClaimAreSummedIntoOneRow) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "app-1")).ok());
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "app-2")).ok());
  ASSERT_TRUE(day.AddStorageUsage(Volume("ns", "app-1", "logs", "pv-logs", 10, 10, 2)).ok());
  ASSERT_TRUE(day.AddStorageUsage(Volume("ns", "app-2", "logs", "pv-logs", 10, 10, 3)).ok());
  auto rows = StorageRowsOf(std::move(day));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(Value(rows[0], Metric::kPersistentVolumeClaimCapacityGigabyte), 10.0);
  EXPECT_DOUBLE_EQ(Value(rows[0], Metric::kPersistentVolumeClaimCapacityGigabyteMonths),
                   20 / kDaysInMonth);
  EXPECT_DOUBLE_EQ(Value(rows[0], Metric::kVolumeRequestStorageGigabyteMonths), 20 / kDaysInMonth);
  EXPECT_DOUBLE_EQ(Value(rows[0], Metric::kPersistentVolumeClaimUsageGigabyteMonths),
                   5 / kDaysInMonth);
}

TEST(AggregateStorageTest, ClaimNamingTwoVolumesInOneDayCountsEachStorageRowTwice) {
  // cte_volume_nodes is joined on (pvc, pod, namespace), not on the volume.
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "p1")).ok());
  ASSERT_TRUE(day.AddStorageUsage(Volume("ns", "p1", "claim", "pv-a", 31, 31, 31)).ok());
  ASSERT_TRUE(day.AddStorageUsage(Volume("ns", "p1", "claim", "pv-b", 62, 62, 62)).ok());
  auto rows = StorageRowsOf(std::move(day));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].persistentvolume, "pv-a");
  EXPECT_DOUBLE_EQ(Value(rows[0], Metric::kPersistentVolumeClaimCapacityGigabyteMonths), 2.0);
  EXPECT_DOUBLE_EQ(Value(rows[0], Metric::kVolumeRequestStorageGigabyteMonths), 2.0);
  EXPECT_EQ(rows[1].persistentvolume, "pv-b");
  EXPECT_DOUBLE_EQ(Value(rows[1], Metric::kVolumeRequestStorageGigabyteMonths), 4.0);
}

TEST(AggregateStorageTest, PostgresLeavesStorageWithoutMountingPodUndivided) {
  const SummarySettings settings = Settings({}, Compat::kPostgres);
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("data", "n1", "other-pod")).ok());
  ASSERT_TRUE(day.AddStorageUsage(Volume("data", "ghost", "orphan", "pv-orphan", 30, 31, 62)).ok());
  auto rows = StorageRowsOf(std::move(day));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].node.has_value());
  EXPECT_FALSE(rows[0].resource_id.has_value());
  EXPECT_EQ(Value(rows[0], Metric::kPersistentVolumeClaimCapacityGigabyte), 30.0);
  EXPECT_DOUBLE_EQ(Value(rows[0], Metric::kVolumeRequestStorageGigabyteMonths), 1.0);
  EXPECT_DOUBLE_EQ(Value(rows[0], Metric::kPersistentVolumeClaimUsageGigabyteMonths), 2.0);
}

TEST(AggregateStorageTest, TrinoStorageUsageIsNullWhenTheVolumeHasNoNodeCount) {
  const SummarySettings settings = Settings({}, Compat::kTrino);
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddStorageUsage(Volume("data", "", "unmounted", "pv-u", 8, 8, 1)).ok());
  auto rows = StorageRowsOf(std::move(day));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].node.has_value());
  EXPECT_EQ(Value(rows[0], Metric::kPersistentVolumeClaimCapacityGigabyte), 8.0);
  EXPECT_DOUBLE_EQ(Value(rows[0], Metric::kPersistentVolumeClaimCapacityGigabyteMonths),
                   8 / kDaysInMonth);
  EXPECT_FALSE(rows[0].metric(Metric::kVolumeRequestStorageGigabyteMonths).has_value());
  EXPECT_FALSE(rows[0].metric(Metric::kPersistentVolumeClaimUsageGigabyteMonths).has_value());
}

TEST(AggregateStorageTest, UnmatchedClaimOfAMountedVolumeIsDividedByTheVolumesNodeCount) {
  // The node count is per volume: a second claim row naming a missing pod still gets it.
  for (Compat compat : {Compat::kPostgres, Compat::kTrino}) {
    const SummarySettings settings = Settings({}, compat);
    DaySummary day(settings, kDay);
    ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "p1")).ok());
    ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n2", "p2")).ok());
    ASSERT_TRUE(day.AddStorageUsage(Volume("ns", "p1", "c1", "pv", 1, 1, 1)).ok());
    ASSERT_TRUE(day.AddStorageUsage(Volume("ns", "p2", "c1", "pv", 1, 1, 1)).ok());
    ASSERT_TRUE(day.AddStorageUsage(Volume("ns", "gone", "c2", "pv", 62, 62, 62)).ok());
    auto rows = StorageRowsOf(std::move(day));
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[2].persistentvolumeclaim, "c2");
    EXPECT_FALSE(rows[2].node.has_value());
    EXPECT_DOUBLE_EQ(Value(rows[2], Metric::kVolumeRequestStorageGigabyteMonths), 1.0);
  }
}

TEST(AggregateStorageTest, CsiVolumeHandleNullAndEmptyAreSeparateRows) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "p1")).ok());
  StorageUsageRow a = Volume("ns", "p1", "claim", "pv", 1, 1, 1);
  a.csi_volume_handle = std::nullopt;
  StorageUsageRow b = a;
  b.csi_volume_handle = "";
  ASSERT_TRUE(day.AddStorageUsage(a).ok());
  ASSERT_TRUE(day.AddStorageUsage(b).ok());
  auto rows = StorageRowsOf(std::move(day));
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& s : rows) {
    EXPECT_DOUBLE_EQ(Value(s, Metric::kVolumeRequestStorageGigabyteMonths), 1 / kDaysInMonth);
  }
}

TEST(AggregateStorageTest, VolumeLabelsMergeNodeNamespaceVolumeThenClaimLabels) {
  const SummarySettings settings = Settings({"disk", "team", "storage", "backup"});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", R"({"disk": "nvme", "backup": "node"})")).ok());
  ASSERT_TRUE(
      day.AddNamespaceLabels(NamespaceLabels("data", R"({"team": "data", "backup": "ns"})")).ok());
  ASSERT_TRUE(day.AddPodUsage(PodRow("data", "n1", "db-0")).ok());
  StorageUsageRow mounted =
      StorageRow("data", "db-0", "db-data", "pv-db", R"({"storage": "ssd", "backup": "pv"})",
                 R"({"backup": "daily"})");
  StorageUsageRow orphan =
      StorageRow("data", "ghost", "orphan", "pv-orphan", R"({"storage": "hdd"})", "{}");
  ASSERT_TRUE(day.AddStorageUsage(mounted).ok());
  ASSERT_TRUE(day.AddStorageUsage(orphan).ok());
  auto rows = StorageRowsOf(std::move(day));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].volume_labels,
            R"({"backup":"daily","disk":"nvme","storage":"ssd","team":"data"})");
  EXPECT_EQ(rows[0].all_labels, *rows[0].volume_labels);
  // No pod, no node: no node labels.
  EXPECT_EQ(rows[1].volume_labels, R"({"backup":"ns","storage":"hdd","team":"data"})");
}

TEST(AggregateStorageTest, TwoNodeLabelMapsOfTheVolumesNodeCountTheStorageRowTwice) {
  const SummarySettings settings = Settings({"zone"});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", R"({"zone": "a"})")).ok());
  ASSERT_TRUE(day.AddNodeLabels(NodeLabels("n1", R"({"zone": "b"})")).ok());
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "n1", "p1")).ok());
  ASSERT_TRUE(day.AddStorageUsage(Volume("ns", "p1", "claim", "pv", 31, 31, 31)).ok());
  auto rows = StorageRowsOf(std::move(day));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].volume_labels, R"({"zone":"a"})");
  EXPECT_EQ(rows[1].volume_labels, R"({"zone":"b"})");
  EXPECT_DOUBLE_EQ(Value(rows[0], Metric::kVolumeRequestStorageGigabyteMonths), 1.0);
}

TEST(AggregateStorageTest, GibMonthsDivideByTheDaysOfTheUsageMonth) {
  const SummarySettings settings = Settings({});
  const Date leap_day = MakeDate(2024, 2, 27);
  DaySummary day(settings, leap_day);
  StorageUsageRow r = Volume("ns", "", "claim", "pv", 29, 29, 29);
  r.usage_start = leap_day;
  ASSERT_TRUE(day.AddStorageUsage(r).ok());
  auto rows = StorageRowsOf(std::move(day));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].usage_start, leap_day);
  EXPECT_EQ(Value(rows[0], Metric::kPersistentVolumeClaimCapacityGigabyteMonths), 1.0);
  EXPECT_EQ(Value(rows[0], Metric::kVolumeRequestStorageGigabyteMonths), 1.0);
}

TEST(AggregateStorageTest, NamespaceMatchingTwoCostCategoryPatternsDoublesStorageSums) {
  SummarySettings settings = Settings({});
  settings.cost_categories.push_back({"team-%", 2});
  settings.cost_categories.push_back({"team-a", 3});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddStorageUsage(Volume("team-a", "", "claim", "pv", 31, 31, 31)).ok());
  auto rows = StorageRowsOf(std::move(day));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].cost_category_id, 3);
  EXPECT_EQ(Value(rows[0], Metric::kPersistentVolumeClaimCapacityGigabyte), 31.0);
  EXPECT_DOUBLE_EQ(Value(rows[0], Metric::kPersistentVolumeClaimCapacityGigabyteMonths), 2.0);
  EXPECT_DOUBLE_EQ(Value(rows[0], Metric::kVolumeRequestStorageGigabyteMonths), 2.0);
}

TEST(AggregateStorageTest, PodOnEmptyNodeStillPlacesItsVolumeOnNodeEmpty) {
  // cte_volume_nodes has no `node != ''` filter, and '' is a node that counts.
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", "", "p1", "{}", "")).ok());
  ASSERT_TRUE(day.AddStorageUsage(Volume("ns", "p1", "claim", "pv", 31, 31, 31)).ok());
  auto rows = FinishDay(std::move(day));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(IsStorage(rows[0]));
  EXPECT_EQ(rows[0].node, "");
  EXPECT_EQ(rows[0].resource_id, "");
  EXPECT_DOUBLE_EQ(Value(rows[0], Metric::kVolumeRequestStorageGigabyteMonths), 1.0);
}

TEST(AggregateStorageTest, VolumeWhoseOnlyPodsHaveNullNodeFailsLikeKoku) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("ns", std::nullopt, "p1")).ok());
  ASSERT_TRUE(day.AddStorageUsage(Volume("ns", "p1", "claim", "pv-z", 1, 1, 1)).ok());
  auto rows = std::move(day).Finish(NodeRoleTable{});
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("pv-z"), std::string::npos);
}

TEST(AggregateStorageTest, ClaimlessVolumeKeepsItsEmptyNamespaceAndClaim) {
  const SummarySettings settings = Settings({"storage"});
  DaySummary day(settings, kDay);
  ASSERT_TRUE(day.AddPodUsage(PodRow("data", "n1", "p1")).ok());
  StorageUsageRow free = StorageRow("", "", "", "pv-free", R"({"storage": "spare"})", "{}");
  free.persistentvolumeclaim_capacity_bytes = 25 * kGib;
  free.persistentvolumeclaim_capacity_byte_seconds = 31 * kGibDay;
  ASSERT_TRUE(day.AddStorageUsage(free).ok());
  auto rows = StorageRowsOf(std::move(day));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].namespace_, "");
  EXPECT_EQ(rows[0].persistentvolumeclaim, "");
  EXPECT_FALSE(rows[0].node.has_value());
  EXPECT_EQ(rows[0].volume_labels, R"({"storage":"spare"})");
  EXPECT_EQ(Value(rows[0], Metric::kPersistentVolumeClaimCapacityGigabyte), 25.0);
  EXPECT_EQ(Value(rows[0], Metric::kPersistentVolumeClaimCapacityGigabyteMonths), 1.0);
  EXPECT_EQ(Value(rows[0], Metric::kVolumeRequestStorageGigabyteMonths), 0.0);
}

TEST(AggregateStorageTest, InvalidClaimLabelTextFailsNamingTheClaim) {
  const SummarySettings settings = Settings({});
  DaySummary day(settings, kDay);
  Status st = day.AddStorageUsage(StorageRow("ns", "p", "my-claim", "pv", "{}", "{bad"));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("my-claim"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace ocpagg::testing
