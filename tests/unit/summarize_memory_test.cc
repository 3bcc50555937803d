// The memory limit seen from the command line: a day too large for the limit spills its groups
// to disk and still gives the in-memory rows; without spilling it stops with exit code 5 and
// writes nothing; a limit too small to start stops at once; spill files never outlive the run.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "support/process.h"
#include "support/summary_compare.h"
#include "unit/run_report_support.h"

namespace ocpagg::testing {
namespace {

namespace fs = std::filesystem;

// The summary rows of an output folder (the tables beside them aside).
SummaryTable ReadOutput(const std::string& dir) {
  SummaryTable all;
  for (const auto& entry :
       fs::recursive_directory_iterator(dir + "/reporting_ocpusagelineitem_daily_summary")) {
    if (entry.path().extension() != ".csv") continue;
    SummaryTable day = LoadCsv(entry.path().string(), NullStyle::kUnquotedEmpty);
    if (all.columns.empty()) all.columns = day.columns;
    for (auto& row : day.rows) all.rows.push_back(std::move(row));
  }
  return all;
}

class SummarizeMemory : public ::testing::Test {
 protected:
  // One day of 25,000 pods in small files: a day's groups far larger than the small limits
  // below, each of its row groups small.
  static void SetUpTestSuite() {
    data_ = new TempDir();
    auto gen =
        RunProcess({OcpaggBinary(), "generate", "--output", data_->path(), "--pod-hour-rows",
                    "600000", "--days", "1", "--chunk-rows", "20000", "--seed", "7", "--quiet"});
    ASSERT_EQ(gen.exit_code, 0) << gen.output;
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }

  ProcessResult Summarize(const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> argv = {
        OcpaggBinary(), "summarize", "--input",  data_->path(), "--source",     kSource,
        "--year",       "2025",      "--month",  "10",          "--cluster-id", "mem",
        "--output",     out,         "--format", "csv",         "--quiet"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunProcess(argv);
  }

  static constexpr const char* kSource = "00000000-0000-0000-0000-000000000001";
  static TempDir* data_;
  TempDir tmp_;
};

TempDir* SummarizeMemory::data_ = nullptr;

TEST_F(SummarizeMemory, OneDayTooLargeForTheLimitSpillsAndGivesTheInMemoryRows) {
  if (kAddressSanitizer) {
    GTEST_SKIP() << "a limit this close to the resident set needs an uninstrumented build";
  }
  auto baseline = Summarize(tmp_.path() + "/in-memory", {"--mode", "in-memory"});
  ASSERT_EQ(baseline.exit_code, 0) << baseline.output;
  const std::string report = tmp_.path() + "/report.json";
  const std::string spill_dir = tmp_.path() + "/spill";
  auto limited = Summarize(tmp_.path() + "/limited", {"--memory-limit", "52MB", "--report", report,
                                                      "--spill-dir", spill_dir});
  ASSERT_EQ(limited.exit_code, 0) << limited.output;
  const std::string text = ReadText(report);
  EXPECT_EQ(ReportValue(text, "days_spilled"), 1) << text;
  EXPECT_GT(ReportValue(text, "spill_bytes"), 0) << text;
  auto diffs = CompareSummaries(ReadOutput(tmp_.path() + "/in-memory"),
                                ReadOutput(tmp_.path() + "/limited"), {"uuid"});
  for (size_t i = 0; i < diffs.size() && i < 5; ++i) ADD_FAILURE() << diffs[i];
  // The spill directory is left as it was found: no scratch directory inside.
  ASSERT_TRUE(fs::exists(spill_dir));
  EXPECT_TRUE(fs::is_empty(spill_dir));
}

TEST_F(SummarizeMemory, WithoutSpillingADayTooLargeStopsWithExitCode5AndWritesNothing) {
  auto r = Summarize(tmp_.path() + "/out", {"--max-state-memory", "1MB", "--no-spill"});
  EXPECT_EQ(r.exit_code, 5) << r.output;
  EXPECT_NE(r.output.find("does not fit the memory limit"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2025-10-01"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(tmp_.path() + "/out/reporting_ocpusagelineitem_daily_summary"));
}

TEST_F(SummarizeMemory, ALimitTooSmallToStartStopsAtOnceWithTheLeastThatWorks) {
  auto r = Summarize(tmp_.path() + "/out", {"--memory-limit", "8MB"});
  EXPECT_EQ(r.exit_code, 5) << r.output;
  EXPECT_NE(r.output.find("is too small for this input"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("give at least"), std::string::npos) << r.output;
}

TEST_F(SummarizeMemory, StatesCappedFarBelowTheDaySpillInManyRunsAndGiveTheSameRows) {
  auto whole = Summarize(tmp_.path() + "/whole", {"--mode", "serial"});
  ASSERT_EQ(whole.exit_code, 0) << whole.output;
  const std::string report = tmp_.path() + "/report.json";
  auto capped = Summarize(tmp_.path() + "/capped",
                          {"--threads", "2", "--max-state-memory", "256KB", "--report", report});
  ASSERT_EQ(capped.exit_code, 0) << capped.output;
  EXPECT_GT(ReportValue(ReadText(report), "spill_bytes"), 0);
  auto diffs = CompareSummaries(ReadOutput(tmp_.path() + "/whole"),
                                ReadOutput(tmp_.path() + "/capped"), {"uuid"});
  for (size_t i = 0; i < diffs.size() && i < 5; ++i) ADD_FAILURE() << diffs[i];
}

// Row groups of 20,000 rows, a share of 1 MB for two workers and batches of 1,024 rows: every
// daily pod row group is read in about twenty slices, each through all its column passes.
TEST_F(SummarizeMemory, RowGroupsLargerThanTheShareAreReadInSlicesAndGiveTheSameRows) {
  auto whole = Summarize(tmp_.path() + "/whole", {"--mode", "serial"});
  ASSERT_EQ(whole.exit_code, 0) << whole.output;
  auto sliced = Summarize(tmp_.path() + "/sliced",
                          {"--threads", "2", "--max-state-memory", "1MB", "--batch-rows", "1024"});
  ASSERT_EQ(sliced.exit_code, 0) << sliced.output;
  auto diffs = CompareSummaries(ReadOutput(tmp_.path() + "/whole"),
                                ReadOutput(tmp_.path() + "/sliced"), {"uuid"});
  for (size_t i = 0; i < diffs.size() && i < 5; ++i) ADD_FAILURE() << diffs[i];
}

}  // namespace
}  // namespace ocpagg::testing
