// A run that finds no rows for its source and range changes nothing: no row deleted from
// PostgreSQL, no file of the month removed, exit code 6 ("nothing to summarize"). koku skips
// the summary when a period has no line items; replacing the range with nothing would lose an
// earlier run's rows over a mistyped --account.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/dir_snapshot.h"
#include "support/golden.h"
#include "support/pg_server.h"
#include "support/process.h"

namespace ocpagg::testing {
namespace {

constexpr int kNothingToSummarize = 6;
const char* kSchema = "org1234567";
const char* kOtherSource = "11111111-2222-3333-4444-555555555555";

class NoData : public ::testing::Test {
 protected:
  void SetUp() override {
    scenario_ = LoadGoldenScenario("01_basic_labels");
    data_ = tmp_.path() + "/data";
    for (const auto& run : scenario_.runs) {
      auto r = RunProcess({OcpaggBinary(), "ingest", scenario_.PayloadPath(run), "--output", data_,
                           "--source", scenario_.source_uuid});
      ASSERT_EQ(r.exit_code, 0) << r.output;
    }
  }

  // summarize of the scenario's month with `extra` flags, to `sink` flags.
  ProcessResult Summarize(const std::vector<std::string>& sink,
                          const std::vector<std::string>& extra, const std::string& source = "") {
    const GoldenSummaryRun& run = scenario_.runs[0];
    std::vector<std::string> argv = {
        OcpaggBinary(), "summarize",    "--input",
        data_,          "--source",     source.empty() ? scenario_.source_uuid : source,
        "--year",       run.year,       "--month",
        run.month,      "--cluster-id", scenario_.cluster_id,
        "--quiet"};
    argv.insert(argv.end(), sink.begin(), sink.end());
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunProcess(argv);
  }

  GoldenScenario scenario_;
  TempDir tmp_;
  std::string data_;
};

std::string SummaryFingerprint(PgServer& pg, const std::string& url) {
  return pg.Psql(url,
                 "SELECT count(*) || ':' || coalesce(md5(string_agg(uuid::text, ',' ORDER BY "
                 "uuid)), '') FROM " +
                     std::string(kSchema) + ".reporting_ocpusagelineitem_daily_summary");
}

TEST_F(NoData, MistypedAccountLeavesThePostgresMonthAsItWas) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const std::string url = pg->CreateDatabase();
  const std::vector<std::string> sink = {"--postgres", url, "--schema", kSchema, "--create-schema"};
  auto first = Summarize(sink, {});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string before = SummaryFingerprint(*pg, url);
  ASSERT_NE(before.substr(0, 2), "0:");
  const std::string periods = pg->Psql(
      url, "SELECT count(*) FROM " + std::string(kSchema) + ".reporting_ocpusagereportperiod");

  auto typo = Summarize(sink, {"--account", "org999"});
  EXPECT_EQ(typo.exit_code, kNothingToSummarize) << typo.output;
  EXPECT_NE(typo.output.find("nothing to summarize"), std::string::npos) << typo.output;
  EXPECT_NE(typo.output.find("existing rows kept"), std::string::npos) << typo.output;
  EXPECT_EQ(SummaryFingerprint(*pg, url), before);

  auto other_source = Summarize(sink, {}, kOtherSource);
  EXPECT_EQ(other_source.exit_code, kNothingToSummarize) << other_source.output;
  EXPECT_EQ(SummaryFingerprint(*pg, url), before);
  // Not even the report period of the other source is created.
  EXPECT_EQ(pg->Psql(url, "SELECT count(*) FROM " + std::string(kSchema) +
                              ".reporting_ocpusagereportperiod"),
            periods);
}

TEST_F(NoData, DateRangeOutsideTheDataLeavesThePostgresMonthAsItWas) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const std::string url = pg->CreateDatabase();
  const std::vector<std::string> sink = {"--postgres", url, "--schema", kSchema, "--create-schema"};
  auto first = Summarize(sink, {});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string before = SummaryFingerprint(*pg, url);
  const GoldenSummaryRun& run = scenario_.runs[0];
  const std::string month = run.year + "-" + run.month;
  auto outside = Summarize(sink, {"--start-date", month + "-20", "--end-date", month + "-25"});
  EXPECT_EQ(outside.exit_code, kNothingToSummarize) << outside.output;
  EXPECT_EQ(SummaryFingerprint(*pg, url), before);
}

TEST_F(NoData, MistypedAccountLeavesTheMonthsFilesAsTheyWere) {
  const std::string out = tmp_.path() + "/out";
  const std::vector<std::string> sink = {"--output", out, "--nodes-file",
                                         tmp_.path() + "/nodes.yaml"};
  auto first = Summarize(sink, {});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto before = SnapshotDir(out);
  ASSERT_FALSE(before.empty());

  auto typo = Summarize(sink, {"--account", "org999"});
  EXPECT_EQ(typo.exit_code, kNothingToSummarize) << typo.output;
  EXPECT_EQ(SnapshotDir(out), before);
  auto other_source = Summarize(sink, {}, kOtherSource);
  EXPECT_EQ(other_source.exit_code, kNothingToSummarize) << other_source.output;
  const GoldenSummaryRun& run = scenario_.runs[0];
  const std::string month = run.year + "-" + run.month;
  auto outside = Summarize(sink, {"--start-date", month + "-20", "--end-date", month + "-25"});
  EXPECT_EQ(outside.exit_code, kNothingToSummarize) << outside.output;
  EXPECT_EQ(SnapshotDir(out), before);
}

}  // namespace
}  // namespace ocpagg::testing
