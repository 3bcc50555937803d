// The tables beside the summary, computed from summary rows (docs/semantics.md "Tables beside the
// summary"): each behaviour of koku's SQL or Python the golden scenarios rely on, on rows built
// here.

#include <gtest/gtest.h>

#include <algorithm>

#include "ocpagg/sinks/table_encoding.h"
#include "ocpagg/tables/cluster_tables.h"
#include "ocpagg/tables/label_summaries.h"
#include "ocpagg/tables/ui_summaries.h"

namespace ocpagg {
namespace {

constexpr Date kDay = 20'362;  // 2025-10-01

SummaryRow PodRow(std::optional<std::string> namespace_, std::string node, std::string resource_id,
                  double cpu_hours) {
  SummaryRow r;
  r.data_source = DataSource::kPod;
  r.usage_start = kDay;
  r.namespace_ = std::move(namespace_);
  r.node = std::move(node);
  r.resource_id = std::move(resource_id);
  r.metric(Metric::kPodUsageCpuCoreHours) = cpu_hours;
  r.metric(Metric::kClusterCapacityCpuCoreHours) = 100;
  return r;
}

SummaryRow StorageRow(std::optional<std::string> claim, std::optional<std::string> node,
                      std::optional<std::string> resource_id) {
  SummaryRow r;
  r.data_source = DataSource::kStorage;
  r.usage_start = kDay;
  r.namespace_ = "data";
  r.node = std::move(node);
  r.resource_id = std::move(resource_id);
  r.persistentvolumeclaim = std::move(claim);
  r.persistentvolume = "pv-1";
  r.storageclass = "gp3";
  r.metric(Metric::kPersistentVolumeClaimUsageGigabyteMonths) = 0.5;
  return r;
}

RunIdentity TestRun() {
  RunIdentity run;
  run.source_uuid = "00000000-0000-0000-0000-000000000001";
  run.cluster_id = "c1";
  run.cluster_alias = "alias";
  run.report_period_id = 7;
  run.enabled_keys = {"app"};
  return run;
}

const Cell& At(const TableRow& row, ReportingTable table, std::string_view column) {
  return row[static_cast<size_t>(SpecOf(table).ColumnIndex(column))];
}

TEST(UiSummaries, PodSummaryLeavesOutUnallocatedRowsAndKeepsANullNamespace) {
  UiSummaries ui;
  std::vector<SummaryRow> rows = {PodRow("shop", "n1", "i-1", 1),
                                  PodRow(std::nullopt, "n1", "i-1", 2),
                                  PodRow("Worker unallocated", "n1", "i-1", 40)};
  ui.Add(rows);
  const auto pod = ui.Rows(ReportingTable::kPodSummary, TestRun());
  ASSERT_EQ(pod.size(), 1u);
  EXPECT_EQ(std::get<double>(At(pod[0], ReportingTable::kPodSummary, "pod_usage_cpu_core_hours")),
            3);
  // The cost summaries take every row, unallocated ones included.
  const auto cost = ui.Rows(ReportingTable::kCostSummaryByProject, TestRun());
  EXPECT_EQ(cost.size(), 3u);
}

TEST(UiSummaries, ResourceIdsKeepANullWhichTheCountLeavesOut) {
  UiSummaries ui;
  std::vector<SummaryRow> rows = {StorageRow("claim", std::nullopt, std::nullopt),
                                  StorageRow("claim", "n1", "i-2"),
                                  StorageRow("claim", "n2", "i-1")};
  ui.Add(rows);
  const auto volume = ui.Rows(ReportingTable::kVolumeSummary, TestRun());
  ASSERT_EQ(volume.size(), 1u);
  EXPECT_EQ(std::get<TextArray>(At(volume[0], ReportingTable::kVolumeSummary, "resource_ids")),
            (TextArray{"i-1", "i-2", std::nullopt}));
  EXPECT_EQ(std::get<int64_t>(At(volume[0], ReportingTable::kVolumeSummary, "resource_count")), 2);
  EXPECT_EQ(std::get<std::string>(At(volume[0], ReportingTable::kVolumeSummary, "data_source")),
            "Storage");
}

TEST(UiSummaries, VolumeSummariesNeedAClaim) {
  UiSummaries ui;
  std::vector<SummaryRow> rows = {StorageRow(std::nullopt, "n1", "i-1"),
                                  StorageRow("", "n1", "i-1")};
  ui.Add(rows);
  const auto volume = ui.Rows(ReportingTable::kVolumeSummary, TestRun());
  ASSERT_EQ(volume.size(), 1u);  // the claimless volume's '' claim, not the NULL one
  EXPECT_EQ(
      std::get<std::string>(At(volume[0], ReportingTable::kVolumeSummary, "persistentvolumeclaim")),
      "");
}

TEST(UiSummaries, NetworkSummariesStayEmpty) {
  UiSummaries ui;
  std::vector<SummaryRow> rows = {PodRow("Network unattributed", "n1", "i-1", 1)};
  ui.Add(rows);
  EXPECT_TRUE(ui.Rows(ReportingTable::kNetworkSummary, TestRun()).empty());
}

SummaryRow Labelled(std::string labels, std::optional<std::string> node = "n1") {
  SummaryRow r = PodRow("shop", "n1", "i-1", 1);
  r.node = std::move(node);
  r.pod_labels = std::move(labels);
  return r;
}

TEST(RunLabels, ARowHoldingAnEnabledKeyGivesTagValuesForEveryKeyAndSummaryRowsForEnabledOnes) {
  const RunIdentity run = TestRun();
  RunLabels labels(DataSource::kPod, run.enabled_keys);
  ASSERT_TRUE(labels.Add(Labelled(R"({"app": "web", "vm_kubevirt_io_name": "vm1"})")).ok());
  ASSERT_TRUE(labels.Add(Labelled(R"({"app": "api"})")).ok());
  const auto summary = labels.SummaryRows(7);
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0].key, "app");
  EXPECT_EQ(summary[0].values, (std::vector<std::string>{"api", "web"}));
  const auto tags = labels.TagValues("c1", std::nullopt);
  ASSERT_EQ(tags.size(), 3u);
  EXPECT_EQ(tags[2].key, "vm_kubevirt_io_name");
  EXPECT_EQ(tags[2].cluster_aliases, TextArray{std::nullopt});
}

TEST(RunLabels, ARowWithoutEnabledKeyGivesNothing) {
  RunLabels labels(DataSource::kPod, std::vector<std::string>{"app"});
  ASSERT_TRUE(labels.Add(Labelled(R"({"vm_kubevirt_io_name": "vm1"})")).ok());
  EXPECT_TRUE(labels.SummaryRows(7).empty());
  EXPECT_TRUE(labels.TagValues("c1", "a").empty());
}

LabelSummaryRow Stored(std::string uuid, std::vector<std::string> values,
                       std::optional<std::string> node) {
  return {std::move(uuid), "app", std::move(values), 7, "shop", std::move(node)};
}

TEST(MergeLabelSummary, ValuesOfTheSameNamespaceAndNodeMergeIntoTheStoredRow) {
  std::vector<LabelSummaryRow> stored = {Stored("u1", {"web"}, "n1")};
  std::vector<LabelSummaryRow> run = {Stored("", {"api"}, "n1")};
  run[0].uuid.reset();
  const auto merged = MergeLabelSummary(stored, run);
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].uuid, "u1");
  EXPECT_EQ(merged[0].values, (std::vector<std::string>{"api", "web"}));
}

TEST(MergeLabelSummary, ARowWithoutNodeIsAddedAgain) {
  std::vector<LabelSummaryRow> stored = {Stored("u1", {"web"}, std::nullopt)};
  std::vector<LabelSummaryRow> run = {Stored("", {"web"}, std::nullopt)};
  const auto merged = MergeLabelSummary(stored, run);
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_FALSE(merged[1].uuid.has_value());
}

TEST(ApplyTagValues, AKnownKeyAndValueTakesTheRunsArrays) {
  std::vector<TagValuesRow> rows = {{"u1", "app", "web", {"c1"}, {"a"}, {"old"}, {"n0"}}};
  const std::vector<TagValuesRow> run = {
      {std::nullopt, "app", "web", {"c1"}, {"a"}, {"new"}, {"n1"}},
      {std::nullopt, "app", "api", {"c1"}, {"a"}, {"new"}, {"n1"}}};
  ApplyTagValues(rows, run);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].uuid, "u1");
  EXPECT_EQ(rows[0].namespaces, TextArray{"new"});
  EXPECT_EQ(rows[1].value, "api");
}

TEST(UpsertPvcs, AKnownClaimGetsAHandleOnlyWhenItHasNone) {
  std::vector<PvcRow> rows = {{"u1", "claim-a", "pv-a", ""}, {"u2", "claim-b", "pv-b", "vol-b"}};
  const std::vector<PvcRow> found = {{std::nullopt, "claim-a", "pv-a", "vol-a"},
                                     {std::nullopt, "claim-b", "pv-b", "vol-other"},
                                     {std::nullopt, "claim-c", "pv-c", std::nullopt}};
  UpsertPvcs(rows, found);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].csi_volume_handle, "vol-a");
  EXPECT_EQ(rows[1].csi_volume_handle, "vol-b");
  EXPECT_FALSE(rows[2].uuid.has_value());
}

TEST(UpsertCluster, DuplicatesOfAnotherAliasGoAndTheFirstRowTakesTheAlias) {
  std::vector<ClusterRow> rows = {{"u1", "c1", "old", "p"}, {"u2", "c1", "new", "p"}};
  ClusterUpsert upsert = UpsertCluster(rows, "c1", std::string("new"), "p");
  EXPECT_EQ(upsert.deleted, std::vector<std::string>{"u1"});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[upsert.cluster].uuid, "u2");

  std::vector<ClusterRow> one = {{"u1", "old-id", "old", "p"}};
  upsert = UpsertCluster(one, "c1", std::string("new"), "p");
  EXPECT_TRUE(upsert.alias_changed);
  EXPECT_EQ(one[0].cluster_id, "old-id");  // koku keeps the cluster_id it first stored
  EXPECT_EQ(one[0].cluster_alias, "new");
}

TEST(ArrayText, ElementsArePostgresArrayTextAndReadBack) {
  const TextArray values = {"a", "b c", "", "NULL", "q\"x\\y", std::nullopt};
  std::string text;
  AppendArrayText(values, text);
  EXPECT_EQ(text, R"({a,"b c","","NULL","q\"x\\y",NULL})");
  auto back = ParseArrayText(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, values);
}

}  // namespace
}  // namespace ocpagg
