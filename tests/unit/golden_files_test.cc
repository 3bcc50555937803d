// Acceptance: every golden scenario (tests/golden, rows made by koku's own self-hosted SQL)
// through `ocpagg ingest` + `ocpagg summarize` into summary files gives koku's rows.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

#include "support/golden.h"
#include "support/process.h"
#include "support/summary_compare.h"

namespace ocpagg::testing {
namespace {

// Every CSV file under `dir` as one table.
SummaryTable GatherCsv(const std::string& dir) {
  SummaryTable all;
  if (!std::filesystem::exists(dir)) return all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".csv") continue;
    SummaryTable part = LoadCsv(entry.path().string(), NullStyle::kUnquotedEmpty);
    if (all.columns.empty()) all.columns = part.columns;
    for (auto& row : part.rows) all.rows.push_back(std::move(row));
  }
  return all;
}

// reporting_ocp_nodes as the nodes file keeps it (files_state.h), in expected_tables/' columns.
SummaryTable NodesFileTable(const std::string& path) {
  SummaryTable t;
  t.columns = {"node",       "resource_id", "node_capacity_cpu_cores",
               "cluster_id", "node_role",   "architecture"};
  auto field = [](const YAML::Node& n) -> Field {
    if (!n || n.IsNull()) return std::nullopt;
    return n.as<std::string>();
  };
  for (const auto& n : YAML::LoadFile(path)["nodes"]) {
    t.rows.push_back({field(n["node"]), field(n["resource_id"]),
                      field(n["node_capacity_cpu_cores"]), field(n["cluster_id"]),
                      field(n["node_role"]), field(n["architecture"])});
  }
  return t;
}

class GoldenFiles : public ::testing::TestWithParam<std::string> {
 protected:
  // ingest and summarize every month of the scenario into `out`, the way koku would.
  void IngestAndSummarize(const GoldenScenario& s, const std::string& out);

  TempDir tmp;
};

void GoldenFiles::IngestAndSummarize(const GoldenScenario& s, const std::string& out) {
  const std::string data = tmp.path() + "/data";
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
}

TEST_P(GoldenFiles, IngestAndSummarizeToFilesGiveKokuRows) {
  const GoldenScenario s = LoadGoldenScenario(GetParam());
  const std::string out = tmp.path() + "/out";
  ASSERT_NO_FATAL_FAILURE(IngestAndSummarize(s, out));
  SummaryTable actual = GatherCsv(out + "/reporting_ocpusagelineitem_daily_summary");
  SummaryTable expected = LoadCsv(s.ExpectedSummaryPath(), NullStyle::kBackslashN);
  EXPECT_EQ(CountByDataSource(actual), CountByDataSource(expected));
  auto diffs = CompareSummaries(expected, actual);
  for (size_t i = 0; i < diffs.size() && i < 20; ++i) ADD_FAILURE() << diffs[i];
}

TEST_P(GoldenFiles, TablesBesideTheSummaryEqualKokusRows) {
  const GoldenScenario s = LoadGoldenScenario(GetParam());
  const std::string out = tmp.path() + "/out";
  ASSERT_NO_FATAL_FAILURE(IngestAndSummarize(s, out));
  for (const std::string& table : ExpectedTableNames()) {
    SummaryTable actual = table == "reporting_ocp_nodes"
                              ? NodesFileTable(tmp.path() + "/nodes.yaml")
                              : GatherCsv(out + "/" + table);
    SummaryTable expected = LoadCsv(s.ExpectedTablePath(table), NullStyle::kBackslashN);
    if (actual.columns.empty()) actual.columns = expected.columns;  // no file: no rows
    auto diffs = CompareSummaries(expected, actual);
    for (size_t i = 0; i < diffs.size() && i < 20; ++i) ADD_FAILURE() << table << ": " << diffs[i];
  }
}

TEST_F(GoldenFiles, RerunReplacesTheUiRowsAndAddsLabelRowsWithoutNodeAgain) {
  const GoldenScenario s = LoadGoldenScenario("03_storage");
  const std::string out = tmp.path() + "/out";
  ASSERT_NO_FATAL_FAILURE(IngestAndSummarize(s, out));
  ASSERT_NO_FATAL_FAILURE(IngestAndSummarize(s, out));
  for (const std::string& table : ExpectedTableNames()) {
    if (table == "reporting_ocp_nodes") continue;  // the nodes file: koku's state
    SummaryTable expected = ExpectedTableAfterRuns(s, table, 2);
    SummaryTable actual = GatherCsv(out + "/" + table);
    if (actual.columns.empty()) actual.columns = expected.columns;
    auto diffs = CompareSummaries(expected, actual);
    for (size_t i = 0; i < diffs.size() && i < 20; ++i) ADD_FAILURE() << table << ": " << diffs[i];
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenFiles, ::testing::ValuesIn(GoldenScenarioNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ocpagg::testing
