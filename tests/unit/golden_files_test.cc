// Acceptance: every golden scenario (tests/golden, rows made by koku's own self-hosted SQL)
// through `ocpagg ingest` + `ocpagg summarize` into summary files gives koku's rows.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/golden.h"
#include "support/process.h"
#include "support/summary_compare.h"

namespace ocpagg::testing {
namespace {

class GoldenFiles : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenFiles, IngestAndSummarizeToFilesGiveKokuRows) {
  const GoldenScenario s = LoadGoldenScenario(GetParam());
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  const std::string out = tmp.path() + "/out";
  const std::string keys = tmp.path() + "/enabled_keys.txt";
  const std::string categories = tmp.path() + "/cost_categories.txt";
  {
    std::ofstream k(keys);
    for (const auto& key : s.enabled_keys) k << key << "\n";
    std::ofstream c(categories);
    for (const auto& cat : s.cost_categories) c << cat.id << "," << cat.pattern << "\n";
  }
  for (const auto& run : s.runs) {
    auto r = RunProcess({OcpaggBinary(), "ingest", s.PayloadPath(run), "--output", data, "--source",
                         s.source_uuid});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  for (const auto& run : s.runs) {
    std::vector<std::string> argv = {OcpaggBinary(),
                                     "summarize",
                                     "--input",
                                     data,
                                     "--source",
                                     s.source_uuid,
                                     "--year",
                                     run.year,
                                     "--month",
                                     run.month,
                                     "--start-date",
                                     run.start_date,
                                     "--end-date",
                                     run.end_date,
                                     "--cluster-id",
                                     s.cluster_id,
                                     "--output",
                                     out,
                                     "--format",
                                     "csv",
                                     "--enabled-keys",
                                     keys,
                                     "--cost-categories",
                                     categories,
                                     "--report-period-id",
                                     std::to_string(run.report_period_id),
                                     "--nodes-file",
                                     tmp.path() + "/nodes.yaml"};
    if (s.cluster_alias) {
      argv.push_back("--cluster-alias");
      argv.push_back(*s.cluster_alias);
    }
    auto r = RunProcess(argv);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  // Gather every CSV the runs wrote into one table.
  SummaryTable actual;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(out)) {
    if (entry.path().extension() != ".csv") continue;
    SummaryTable day = LoadCsv(entry.path().string(), NullStyle::kUnquotedEmpty);
    if (actual.columns.empty()) actual.columns = day.columns;
    for (auto& row : day.rows) actual.rows.push_back(std::move(row));
  }
  SummaryTable expected = LoadCsv(s.ExpectedSummaryPath(), NullStyle::kBackslashN);
  EXPECT_EQ(CountByDataSource(actual), CountByDataSource(expected));
  auto diffs = CompareSummaries(expected, actual);
  for (size_t i = 0; i < diffs.size() && i < 20; ++i) ADD_FAILURE() << diffs[i];
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenFiles, ::testing::ValuesIn(GoldenScenarioNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ocpagg::testing
