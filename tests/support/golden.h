#pragma once
// Test support: the golden scenarios under tests/golden (see tests/golden/README.md): their
// parameters and a runner that takes a scenario through `ocpagg ingest` and `ocpagg summarize`
// the way koku would (months in date order, node roles carried from one month to the next).

#include <optional>
#include <string>
#include <vector>

#include "support/summary_compare.h"

namespace ocpagg::testing {

struct GoldenSummaryRun {
  std::string payload_dir;  // <YYYYMMDD>-<YYYYMMDD> folder name
  std::string start_date, end_date, year, month;
  int report_period_id = 0;
};

struct GoldenCostCategory {
  std::string pattern;
  int id = 0;
  std::string name;
};

struct GoldenScenario {
  std::string name;
  std::string dir;  // tests/golden/<name>
  std::string source_uuid, cluster_id;
  std::optional<std::string> cluster_alias;
  std::vector<std::string> enabled_keys;
  std::vector<GoldenCostCategory> cost_categories;
  std::vector<GoldenSummaryRun> runs;  // in date order

  std::string PayloadPath(const GoldenSummaryRun& run) const;
  std::string ExpectedSummaryPath() const { return dir + "/expected_summary.csv"; }
  // expected_tables/<table>.csv: koku's rows of a table its summary step fills besides the
  // daily summary.
  std::string ExpectedTablePath(const std::string& table) const {
    return dir + "/expected_tables/" + table + ".csv";
  }
};

// The tables of expected_tables/ ocpagg writes: every one but reporting_ocp_gpu_summary_p and
// reporting_ocp_vm_summary_p, which need reports ocpagg does not read and stay koku's.
std::vector<std::string> ExpectedTableNames();

// koku's rows of `table` after the scenario's months were summarized `times` times: the first
// run's rows (expected_tables/), plus, for every later run, the label summary rows with a NULL
// node again (koku's label summary SQL matches rows with `=`, which never holds for NULL, and
// inserts them anew).
SummaryTable ExpectedTableAfterRuns(const GoldenScenario& s, const std::string& table, int times);

// Every scenario folder under tests/golden, sorted by name.
std::vector<std::string> GoldenScenarioNames();
GoldenScenario LoadGoldenScenario(const std::string& name);

}  // namespace ocpagg::testing
