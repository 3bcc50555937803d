#include "support/golden.h"

#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "support/process.h"

namespace ocpagg::testing {

std::string GoldenScenario::PayloadPath(const GoldenSummaryRun& run) const {
  return dir + "/payload/" + cluster_id + "/" + run.payload_dir;
}

std::vector<std::string> ExpectedTableNames() {
  return {"reporting_ocp_clusters",
          "reporting_ocp_nodes",
          "reporting_ocp_pvcs",
          "reporting_ocp_projects",
          "reporting_ocp_cost_summary_p",
          "reporting_ocp_cost_summary_by_node_p",
          "reporting_ocp_cost_summary_by_project_p",
          "reporting_ocp_pod_summary_p",
          "reporting_ocp_pod_summary_by_node_p",
          "reporting_ocp_pod_summary_by_project_p",
          "reporting_ocp_volume_summary_p",
          "reporting_ocp_volume_summary_by_project_p",
          "reporting_ocp_network_summary_p",
          "reporting_ocp_network_summary_by_node_p",
          "reporting_ocp_network_summary_by_project_p",
          "reporting_ocpusagepodlabel_summary",
          "reporting_ocpstoragevolumelabel_summary",
          "reporting_ocptags_values"};
}

SummaryTable ExpectedTableAfterRuns(const GoldenScenario& s, const std::string& table, int times) {
  SummaryTable t = LoadCsv(s.ExpectedTablePath(table), NullStyle::kBackslashN);
  if (table != "reporting_ocpusagepodlabel_summary" &&
      table != "reporting_ocpstoragevolumelabel_summary") {
    return t;
  }
  const int node = t.ColumnIndex("node");
  const size_t first_rows = t.rows.size();
  for (int run = 1; run < times; ++run) {
    for (size_t i = 0; i < first_rows; ++i) {
      if (!t.rows[i][static_cast<size_t>(node)]) t.rows.push_back(t.rows[i]);
    }
  }
  return t;
}

std::vector<std::string> GoldenScenarioNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(SourceDir() + "/tests/golden")) {
    if (entry.is_directory() && std::filesystem::exists(entry.path() / "params.json")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

GoldenScenario LoadGoldenScenario(const std::string& name) {
  GoldenScenario s;
  s.name = name;
  s.dir = SourceDir() + "/tests/golden/" + name;
  simdjson::dom::parser parser;
  simdjson::dom::element params;
  if (parser.load(s.dir + "/params.json").get(params) != simdjson::SUCCESS) {
    throw std::runtime_error("cannot parse " + s.dir + "/params.json");
  }
  s.source_uuid = std::string(params["source_uuid"].get_string().value());
  s.cluster_id = std::string(params["cluster_id"].get_string().value());
  if (auto alias = params["cluster_alias"]; alias.is_string()) {
    s.cluster_alias = std::string(alias.get_string().value());
  }
  for (auto key : params["enabled_keys"].get_array()) {
    s.enabled_keys.emplace_back(key.get_string().value());
  }
  for (auto cat : params["cost_category_namespaces"].get_array()) {
    s.cost_categories.push_back({std::string(cat["namespace_pattern"].get_string().value()),
                                 static_cast<int>(cat["cost_category_id"].get_int64().value()),
                                 std::string(cat["name"].get_string().value())});
  }
  for (auto period : params["report_periods"].get_array()) {
    for (auto summary : period["summary"].get_array()) {
      GoldenSummaryRun run;
      run.payload_dir = std::string(summary["payload_dir"].get_string().value());
      run.start_date = std::string(summary["start_date"].get_string().value());
      run.end_date = std::string(summary["end_date"].get_string().value());
      run.year = std::string(summary["year"].get_string().value());
      run.month = std::string(summary["month"].get_string().value());
      run.report_period_id = static_cast<int>(summary["report_period_id"].get_int64().value());
      s.runs.push_back(std::move(run));
    }
  }
  return s;
}

}  // namespace ocpagg::testing
