// A day's partial groups written to disk by namespace partition (aggregate/day_spill.h) and
// finished piece by piece give the rows of the day finished whole.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "ocpagg/aggregate/day_finalize.h"
#include "support/process.h"
#include "unit/aggregate_test_support.h"

namespace ocpagg::testing {
namespace {

// A day with every kind of group: node and namespace label rows (two maps for one node), hourly
// capacity, pod rows in several namespaces with NULL and '' nodes, a claim shared by two pods on
// two nodes, a claim whose volume is mounted from two namespaces, and a row with NULL namespace.
void AddDay(std::vector<DaySummary*> parts) {
  size_t next = 0;
  auto sink = [&]() -> DaySummary& { return *parts[next++ % parts.size()]; };
  EXPECT_TRUE(sink().AddNodeLabels(NodeLabels("n1", R"({"zone": "a"})")).ok());
  EXPECT_TRUE(sink().AddNodeLabels(NodeLabels("n1", R"({"zone": "b"})")).ok());
  EXPECT_TRUE(sink().AddNodeLabels(NodeLabels("n2", R"({"zone": "c"})")).ok());
  EXPECT_TRUE(sink().AddNamespaceLabels(NamespaceLabels("data", R"({"team": "d"})")).ok());
  EXPECT_TRUE(sink().AddNamespaceLabels(NamespaceLabels("web", R"({"team": "w"})")).ok());
  for (int h = 0; h < 24; ++h) {
    sink().AddCapacity(CapacityRow(h, "n1", 4 * 3600.0, 8 * kGib * 3600));
    sink().AddCapacity(CapacityRow(h, "n2", 2 * 3600.0, 4 * kGib * 3600));
  }
  const char* namespaces[] = {"data", "web", "openshift-monitoring", "batch"};
  static const char* const kPods[] = {"p0", "p1", "p2", "p3",  "p4",  "p5", "p6",
                                      "p7", "p8", "p9", "p10", "p11", "p12"};
  for (int i = 0; i < 40; ++i) {
    const char* node = i % 7 == 6 ? "" : (i % 2 ? "n1" : "n2");
    PodUsageRow r =
        PodRow(namespaces[i % 4], node, kPods[i % 13],
               i % 3 ? R"({"app": "db"})" : R"({"app": "fe", "tier": "x"})", i % 2 ? "i-1" : "i-2");
    r.pod_usage_cpu_core_seconds = 3600.0 * (i + 1);
    r.pod_request_cpu_core_seconds = 1800.0 + i;
    r.pod_limit_cpu_core_seconds = 7200.0;
    r.pod_usage_memory_byte_seconds = kGib * 3600 * (i % 5 + 1);
    r.pod_request_memory_byte_seconds = kGib * 1800;
    r.node_capacity_cpu_cores = i % 2 ? 4 : 2;
    r.node_capacity_memory_bytes = (i % 2 ? 8 : 4) * kGib;
    EXPECT_TRUE(sink().AddPodUsage(r).ok());
  }
  PodUsageRow no_namespace = PodRow(std::nullopt, "n1", "p0");
  no_namespace.pod_usage_cpu_core_seconds = 3600;
  EXPECT_TRUE(sink().AddPodUsage(no_namespace).ok());
  PodUsageRow other_namespace = PodRow("web", "n2", "p0");
  EXPECT_TRUE(sink().AddPodUsage(other_namespace).ok());

  for (int i = 0; i < 3; ++i) {
    StorageUsageRow s = StorageRow("data", "p0", "claim", "pv-a", R"({"app": "vol"})");
    s.volume_request_storage_byte_seconds = 31 * kGib * 86400;
    s.persistentvolumeclaim_usage_byte_seconds = 10 * kGib * 86400;
    s.persistentvolumeclaim_capacity_byte_seconds = 50 * kGib * 86400;
    s.persistentvolumeclaim_capacity_bytes = 50 * kGib;
    EXPECT_TRUE(sink().AddStorageUsage(s).ok());
  }
  // One volume seen from two namespaces: its node count spans partitions.
  for (const char* ns : {"data", "web"}) {
    StorageUsageRow s = StorageRow(ns, "p1", "shared-claim", "pv-shared");
    s.volume_request_storage_byte_seconds = 62 * kGib * 86400;
    EXPECT_TRUE(sink().AddStorageUsage(s).ok());
  }
}

NodeRoleTable Roles() {
  NodeRoleTable roles;
  roles.Add({"n1", "i-1", "worker"});
  roles.Add({"n2", "i-2", "master"});
  return roles;
}

// What the engine does with a spilled day (DayFinalize over its partitions, in order): volume
// node counts over every partition, then each partition's rows, then the unallocated rows of the
// whole day.
std::vector<SummaryRow> FinishSpilled(const SummarySettings& settings, const DaySummary& dims,
                                      const std::string& dir,
                                      const std::vector<std::string>& prefixes, uint32_t partitions,
                                      const NodeRoleTable& roles) {
  auto load = [&](uint32_t p, bool pods) {
    DaySummary piece = dims.DimensionsOnly();
    for (const auto& prefix : prefixes) {
      if (pods) {
        EXPECT_TRUE(piece.LoadSpilled(SpillStreamPath(dir, prefix, p, SpillStream::kPods)).ok());
      }
      EXPECT_TRUE(piece.LoadSpilled(SpillStreamPath(dir, prefix, p, SpillStream::kStorage)).ok());
    }
    return piece;
  };
  auto finalize = DayFinalize::Make(settings, kDay, roles, partitions, /*in_order=*/false);
  EXPECT_TRUE(finalize.ok());
  if (partitions > 1) {
    for (uint32_t p = 0; p < partitions; ++p) (*finalize)->AddVolumeNodes(load(p, false));
  }
  std::vector<SummaryRow> rows;
  auto collect = [&](std::span<const SummaryRow> chunk) {
    rows.insert(rows.end(), chunk.begin(), chunk.end());
    return Status::OK();
  };
  for (uint32_t p = 0; p < partitions; ++p) {
    RowChunker out(collect);
    EXPECT_TRUE((*finalize)->FinishPartition(p, load(p, true), out).ok());
  }
  return rows;
}

class AggregateSpillPartitions : public ::testing::TestWithParam<std::tuple<Compat, uint32_t>> {};

TEST_P(AggregateSpillPartitions, SpilledPartitionsFinishedApartGiveTheRowsOfTheWholeDay) {
  const auto [compat, partitions] = GetParam();
  const SummarySettings settings = Settings({"zone", "team", "app", "tier"}, compat);
  const NodeRoleTable roles = Roles();

  DaySummary whole(settings, kDay);
  AddDay({&whole});
  const std::vector<SummaryRow> expected = FinishDay(std::move(whole), roles);
  ASSERT_FALSE(expected.empty());

  // Two workers; the first spills twice (two runs in its files), the second once at the end.
  TempDir tmp;
  DaySummary a(settings, kDay), b(settings, kDay);
  AddDay({&a, &b});
  auto wa = DaySpillWriter::Open(tmp.path(), "lane0", partitions);
  auto wb = DaySpillWriter::Open(tmp.path(), "lane1", partitions);
  ASSERT_TRUE(wa.ok() && wb.ok());
  ASSERT_TRUE(a.SpillGroups(**wa).ok());
  a = a.DimensionsOnly();
  EXPECT_FALSE(a.has_groups());
  AddDay({&a});  // more rows after the first spill: the same groups again
  AddDay({&b});
  ASSERT_TRUE(a.SpillGroups(**wa).ok());
  ASSERT_TRUE(b.SpillGroups(**wb).ok());
  EXPECT_GT((*wa)->bytes_written(), 0);
  wa->reset();
  wb->reset();
  DaySummary dims = a.DimensionsOnly();
  dims.Merge(b.DimensionsOnly());

  // The spilled day saw every row three times (once in `b`, twice in `a`): so must the whole.
  DaySummary thrice(settings, kDay);
  AddDay({&thrice});
  AddDay({&thrice});
  AddDay({&thrice});
  const std::vector<SummaryRow> expected_thrice = FinishDay(std::move(thrice), roles);
  ExpectSameRows(expected_thrice,
                 FinishSpilled(settings, dims, tmp.path(), {"lane0", "lane1"}, partitions, roles));
}

INSTANTIATE_TEST_SUITE_P(CompatAndPartitions, AggregateSpillPartitions,
                         ::testing::Combine(::testing::Values(Compat::kPostgres, Compat::kTrino),
                                            ::testing::Values(1u, 2u, 7u)));

TEST(AggregateSpillTest, VolumeNodeCountSpansNamespacesInOtherPartitions) {
  // pv-shared is mounted by a pod of 'data' on n1 and a pod of 'web' on n2: its node count is 2
  // even when each namespace is finished in a piece of its own.
  const SummarySettings settings = Settings({});
  const NodeRoleTable roles;
  auto day = [&](DaySummary& s, const char* ns, const char* node) {
    EXPECT_TRUE(s.AddPodUsage(PodRow(ns, node, "p")).ok());
    StorageUsageRow r = StorageRow(ns, "p", "claim", "pv-shared");
    r.volume_request_storage_byte_seconds = 62 * kGib * 86400;
    EXPECT_TRUE(s.AddStorageUsage(r).ok());
  };
  DaySummary data(settings, kDay), web(settings, kDay);
  day(data, "data", "n1");
  day(web, "web", "n2");
  auto finalize = DayFinalize::Make(settings, kDay, roles, /*partitions=*/2, /*in_order=*/true);
  ASSERT_TRUE(finalize.ok());
  (*finalize)->AddVolumeNodes(data);
  (*finalize)->AddVolumeNodes(web);
  std::vector<SummaryRow> rows;
  auto collect = [&](std::span<const SummaryRow> chunk) {
    rows.insert(rows.end(), chunk.begin(), chunk.end());
    return Status::OK();
  };
  RowChunker out(collect);
  ASSERT_TRUE((*finalize)->FinishPartition(0, std::move(data), out).ok());
  auto storage = Select(rows, IsStorage);
  ASSERT_EQ(storage.size(), 1u);
  // 62 GiB-days over a 31-day month, divided by the 2 nodes of the volume.
  EXPECT_DOUBLE_EQ(Value(storage[0], Metric::kVolumeRequestStorageGigabyteMonths), 1.0);
}

TEST(AggregateSpillTest, ChangedSpillFileIsAnErrorNotWrongRows) {
  const SummarySettings settings = Settings({"app"});
  TempDir tmp;
  DaySummary s(settings, kDay);
  AddDay({&s});
  {
    auto w = DaySpillWriter::Open(tmp.path(), "lane0", 1);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(s.SpillGroups(**w).ok());
  }
  const std::string path = SpillStreamPath(tmp.path(), "lane0", 0, SpillStream::kPods);
  const auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 10u);
  std::filesystem::resize_file(path, size - 5);
  DaySummary back = s.DimensionsOnly();
  Status st = back.LoadSpilled(path);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
}

TEST(AggregateSpillTest, MissingStreamIsEmpty) {
  const SummarySettings settings = Settings({});
  DaySummary s(settings, kDay);
  EXPECT_TRUE(s.LoadSpilled("/nonexistent/lane0.p0.pods").ok());
  EXPECT_FALSE(s.has_groups());
}

}  // namespace
}  // namespace ocpagg::testing
