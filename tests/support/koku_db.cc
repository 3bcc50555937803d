#include "support/koku_db.h"

#include <fstream>
#include <map>
#include <sstream>

#include "support/process.h"

namespace ocpagg::testing {
namespace {

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

}  // namespace

void PrepareKokuSchema(PgServer& pg, const std::string& url, const GoldenScenario& s) {
  std::ifstream in(SourceDir() + "/tests/sql/koku-schema.sql");
  std::stringstream ddl;
  ddl << in.rdbuf();
  pg.Psql(url, Replace(ddl.str(), "{schema}", kKokuSchema));
  const std::string schema = kKokuSchema;
  std::string sql;
  std::map<int, std::string> categories;
  for (const auto& c : s.cost_categories) categories[c.id] = c.name;
  for (const auto& [id, name] : categories) {
    sql += "INSERT INTO " + schema +
           ".reporting_ocp_cost_category (id, name, description, source_type, system_default, "
           "label) VALUES (" +
           std::to_string(id) + ", '" + Replace(name, "'", "''") + "', '', 'OCP', " +
           (id == 1 ? "true" : "false") + ", '{}');";
  }
  for (const auto& c : s.cost_categories) {
    sql += "INSERT INTO " + schema +
           ".reporting_ocp_cost_category_namespace (namespace, system_default, cost_category_id) "
           "VALUES ('" +
           Replace(c.pattern, "'", "''") + "', " + (c.id == 1 ? "true" : "false") + ", " +
           std::to_string(c.id) + ");";
  }
  for (const auto& k : s.enabled_keys) {
    sql += "INSERT INTO " + schema +
           ".reporting_enabledtagkeys (key, enabled, provider_type) VALUES ('" + k +
           "', true, 'OCP');";
  }
  if (!sql.empty()) pg.Psql(url, sql);
}

SummaryTable ReadTable(PgServer& pg, const std::string& url, const std::string& dir,
                       const std::string& table) {
  const std::string s = kKokuSchema;
  std::string query = "SELECT * FROM " + s + "." + table;
  const std::string cluster = " t JOIN " + s + ".reporting_ocp_clusters c ON c.uuid = t.cluster_id";
  if (table == "reporting_ocp_nodes") {
    query =
        "SELECT t.node, t.resource_id, t.node_capacity_cpu_cores, c.cluster_id, t.node_role, "
        "t.architecture FROM " +
        s + "." + table + cluster;
  } else if (table == "reporting_ocp_pvcs") {
    query =
        "SELECT t.persistent_volume_claim, t.persistent_volume, c.cluster_id, "
        "t.csi_volume_handle FROM " +
        s + "." + table + cluster;
  } else if (table == "reporting_ocp_projects") {
    query = "SELECT t.project, c.cluster_id FROM " + s + "." + table + cluster;
  }
  const std::string path = dir + "/" + table + ".csv";
  pg.Psql(url, "\\copy (" + query + ") TO '" + path + "' WITH CSV HEADER");
  return LoadCsv(path, NullStyle::kUnquotedEmpty);
}

}  // namespace ocpagg::testing
