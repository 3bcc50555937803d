// Where `ingest` puts files and how it names them (docs/semantics.md "Operator reports", "Parquet
// layout"): koku's path layout, cumulative versus per-day units, and the payload shapes it accepts.

#include <gtest/gtest.h>

#include "ingest_test_support.h"
#include "ocpagg/ingest/ingest.h"
#include "ocpagg/koku/layout.h"

namespace ocpagg {
namespace {

using namespace ingest_test;

TEST(KokuLayoutTest, AccountDropsOnlyALeadingAcct) {
  EXPECT_EQ(AccountFromSchema("acct10001"), "10001");
  EXPECT_EQ(AccountFromSchema("org1234567"), "org1234567");
  // koku's ParquetReportProcessor.account uses startswith, not lstrip("acct").
  EXPECT_EQ(AccountFromSchema("cat42"), "cat42");
  EXPECT_EQ(AccountFromSchema("myacct1"), "myacct1");
}

TEST(KokuLayoutTest, PartitionDirectoriesFollowGetPathPrefix) {
  auto p = KokuPartition::ForDate("org1234567", ReportType::kStorageUsage,
                                  "4dffa412-8024-5c69-9bd5-985d52df9f9b", MakeDate(2024, 2, 27));
  EXPECT_EQ(p.year, 2024);
  EXPECT_EQ(p.month, 2u);
  EXPECT_EQ(HourlyPartitionDir("/out", p),
            "/out/data/parquet/org1234567/OCP/storage_usage/"
            "source=4dffa412-8024-5c69-9bd5-985d52df9f9b/year=2024/month=02");
  EXPECT_EQ(DailyPartitionDir("", p),
            "data/parquet/daily/org1234567/OCP/storage_usage/"
            "source=4dffa412-8024-5c69-9bd5-985d52df9f9b/year=2024/month=02");
}

TEST(KokuLayoutTest, TableDirectoriesHoldEverySourcesPartitions) {
  EXPECT_EQ(ParquetRoot("", /*daily=*/false), "data/parquet");
  EXPECT_EQ(ParquetRoot("s3://bucket/prefix", /*daily=*/true),
            "s3://bucket/prefix/data/parquet/daily");
  EXPECT_EQ(TableDir("/out", "10001", {ReportType::kNodeLabels, true}),
            "/out/data/parquet/daily/10001/OCP/node_labels");
  auto p = KokuPartition::ForDate("10001", ReportType::kNodeLabels, "s", MakeDate(2025, 10, 9));
  EXPECT_EQ(
      PartitionDir("/out", p, /*daily=*/true),
      TableDir("/out", "10001", {ReportType::kNodeLabels, true}) + "/source=s/year=2025/month=10");
}

TEST(KokuLayoutTest, FileNamesCarryTheChunkIndex) {
  EXPECT_EQ(HourlyFileName("pod_usage.2024-01-05.1234.0", 3),
            "pod_usage.2024-01-05.1234.0_3.parquet");
  EXPECT_EQ(DailyFileName("abc_openshift_report.0", 0), "abc_openshift_report.0_daily_0.parquet");
}

class IngestLayoutTest : public ::testing::Test {
 protected:
  Result<IngestReport> Ingest(const std::string& payload, int64_t manifest_id = 0,
                              const std::string& schema = "org1234567") {
    IngestOptions o;
    o.payload_path = payload;
    o.output_dir = out_.path();
    o.source_uuid = kSource;
    o.manifest_id = manifest_id;
    o.schema_name = schema;
    return IngestPayload(o);
  }

  ScratchDir in_, out_;
};

TEST_F(IngestLayoutTest, CumulativePayloadIsOneUnitDatedByManifestDate) {
  // A versioned operator without daily reports: rows of Nov 1 stay in the file dated Oct 31.
  PodRow oct{.day = "2025-10-31", .hour = 23};
  PodRow nov{.day = "2025-11-01", .hour = 0};
  WriteMonthPayload(in_.path(), {{"abc_openshift_report.0.csv", PodCsv({oct, nov})}},
                    "2025-10-31T00:00:00.000000+00:00");
  auto report = Ingest(in_.path(), 0, "acct10001");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(
      ListFiles(out_.path()),
      (std::vector<std::string>{
          KokuPath(false, "pod_usage", "2025", "10", "abc_openshift_report.0_0.parquet", "10001"),
          KokuPath(true, "pod_usage", "2025", "10", "abc_openshift_report.0_daily_0.parquet",
                   "10001")}));
  auto daily = ReadParquet(out_ / KokuPath(true, "pod_usage", "2025", "10",
                                           "abc_openshift_report.0_daily_0.parquet", "10001"));
  EXPECT_EQ(daily->num_rows(), 2);  // one per day, both in the October partition
}

TEST_F(IngestLayoutTest, DailyReportsAreSplitPerDayWithKokusNames) {
  PodRow d1{.day = "2025-10-31", .hour = 23};
  PodRow d2{.day = "2025-11-01", .hour = 0};
  WriteMonthPayload(in_.path(), {{"a.0.csv", PodCsv({d1, d2})}, {"a.1.csv", PodCsv({d2})}},
                    "2025-10-31T00:00:00+00:00", R"("version": "5.4.1", "daily_reports": true)");
  auto report = Ingest(in_.path(), 7);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  // The second file with rows of Nov 1 gets counter 1; each day lands in its own month.
  EXPECT_EQ(
      ListFiles(out_.path()),
      (std::vector<std::string>{
          KokuPath(true, "pod_usage", "2025", "10", "pod_usage.2025-10-31.7.0_daily_0.parquet"),
          KokuPath(true, "pod_usage", "2025", "11", "pod_usage.2025-11-01.7.0_daily_0.parquet"),
          KokuPath(true, "pod_usage", "2025", "11", "pod_usage.2025-11-01.7.1_daily_0.parquet"),
          KokuPath(false, "pod_usage", "2025", "10", "pod_usage.2025-10-31.7.0_0.parquet"),
          KokuPath(false, "pod_usage", "2025", "11", "pod_usage.2025-11-01.7.0_0.parquet"),
          KokuPath(false, "pod_usage", "2025", "11", "pod_usage.2025-11-01.7.1_0.parquet"),
      }));
}

TEST_F(IngestLayoutTest, UnversionedOperatorPayloadIsSplitPerDay) {
  PodRow d1{.day = "2025-10-01"};
  PodRow d2{.day = "2025-10-02"};
  WriteMonthPayload(in_.path(), {{"a.0.csv", PodCsv({d1, d2})}}, "2025-10-01T00:00:00+00:00", "");
  auto report = Ingest(in_.path());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(ListFiles(out_.path()).size(), 4u);
  EXPECT_TRUE(fs::exists(
      out_ / KokuPath(false, "pod_usage", "2025", "10", "pod_usage.2025-10-02.0.0_0.parquet")));
}

TEST_F(IngestLayoutTest, ArchiveGivesTheSameFilesAsTheDirectory) {
  // Golden 12 has 28 daily-report files: per-day names depend on manifest order, not on the
  // order tar stores them in.
  const std::string month =
      SourceDir() + "/tests/golden/12_split_daily_files/payload/oracle-12_split_daily_files";
  auto from_dir = Ingest(month);
  ASSERT_TRUE(from_dir.ok()) << from_dir.status().ToString();
  auto dir_files = ListFiles(out_.path());
  std::map<std::string, std::string> dir_bytes;
  for (const auto& f : dir_files) dir_bytes[f] = ReadText(out_ / f);

  ScratchDir archive_out;
  const std::string archive = in_ / "payload.tar.gz";
  auto tar =
      RunCommand({"tar", "-czf", archive, "-C", month + "/20251001-20251101", "--sort=none", "."});
  ASSERT_EQ(tar.exit_code, 0) << tar.output;
  IngestOptions o;
  o.payload_path = archive;
  o.output_dir = archive_out.path();
  o.source_uuid = kSource;
  auto from_archive = IngestPayload(o);
  ASSERT_TRUE(from_archive.ok()) << from_archive.status().ToString();
  ASSERT_EQ(ListFiles(archive_out.path()), dir_files);
  for (const auto& f : dir_files) EXPECT_EQ(ReadText(archive_out / f), dir_bytes[f]) << f;
}

TEST_F(IngestLayoutTest, DirectoryAboveMonthsIngestsEveryMonth) {
  auto report = Ingest(SourceDir() + "/tests/golden/06_month_boundary/payload");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->months, 2);
  int november = 0;
  for (const auto& f : ListFiles(out_.path()))
    november += f.find("/month=11/") != std::string::npos;
  EXPECT_GT(november, 0);
}

TEST_F(IngestLayoutTest, VmGpuEmptyAndHeaderOnlyFilesAreSkippedAndReported) {
  std::string vm = ReadText(SourceDir() +
                            "/tests/golden/01_basic_labels/payload/oracle-01_basic_labels/"
                            "20251001-20251101/0072bda2-81e7-5274-86d4-93a42aba14fd_"
                            "openshift_report.4.csv");
  WriteMonthPayload(in_.path(), {{"r.0.csv", PodCsv({PodRow{}})},
                                 {"r.1.csv", Csv({kStorageHeader})},
                                 {"r.4.csv", vm},
                                 {"r.9.csv", ""}});
  WriteText(in_ / "notes.txt", "not listed");
  auto report = Ingest(in_.path());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->skipped.size(), 3u);
  EXPECT_EQ(report->skipped[0].reason, "header only, no rows");
  EXPECT_EQ(report->skipped[1].reason, "vm_usage: not used by the summary");
  EXPECT_EQ(report->skipped[2].reason, "empty file");
  ASSERT_EQ(report->unlisted_files.size(), 1u);
  EXPECT_TRUE(report->unlisted_files[0].ends_with("notes.txt"));
  EXPECT_EQ(report->files.size(), 2u);
}

TEST_F(IngestLayoutTest, RowsWithTooManyFieldsAreDroppedAsKokuDoes) {
  std::string csv = PodCsv({PodRow{.hour = 0}, PodRow{.hour = 1}});
  csv += PodRow{.hour = 2}.Line() + ",extra\r\n";
  WriteMonthPayload(in_.path(), {{"r.0.csv", csv}});
  auto report = Ingest(in_.path());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->bad_lines_skipped, 1);
  EXPECT_EQ(report->of(ReportType::kPodUsage).hourly_rows, 2);
}

TEST_F(IngestLayoutTest, IngestingAgainReplacesTheSameFiles) {
  WriteMonthPayload(in_.path(), {{"r.0.csv", PodCsv({PodRow{}})}});
  ASSERT_TRUE(Ingest(in_.path()).ok());
  auto first = ListFiles(out_.path());
  ASSERT_TRUE(Ingest(in_.path()).ok());
  EXPECT_EQ(ListFiles(out_.path()), first);  // and no staging directory left behind
}

TEST_F(IngestLayoutTest, ReportCountsRowsAndFilesPerType) {
  auto report = Ingest(SourceDir() + "/tests/golden/01_basic_labels/payload");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const auto& pod = report->of(ReportType::kPodUsage);
  EXPECT_EQ(pod.csv_rows, 240);
  EXPECT_EQ(pod.hourly_rows, 240);
  EXPECT_EQ(pod.daily_rows, 10);
  EXPECT_EQ(pod.hourly_files, 1);
  EXPECT_EQ(pod.daily_files, 1);
  EXPECT_EQ(report->of(ReportType::kNodeLabels).daily_rows, 4);
  EXPECT_EQ(report->label_keys, (std::vector<std::string>{"app", "env", "node_role_kubernetes_io",
                                                          "team", "tier", "zone"}));
}

}  // namespace
}  // namespace ocpagg
