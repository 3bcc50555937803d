#pragma once
// What a summary run reads from koku's settings tables (or from files when there is no
// database): enabled tag keys, cost-category namespace patterns, node roles (docs/semantics.md
// "Settings tables", "Node roles").

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ocpagg {

// Which engine's semantics to reproduce where koku's two SQL versions differ (docs/semantics.md
// "PostgreSQL and Trino differences").
enum class Compat : uint8_t {
  kPostgres,  // the self-hosted (on-prem) PostgreSQL SQL: the default
  kTrino,     // the SaaS Trino SQL
};

// A row of reporting_ocp_cost_category_namespace: namespaces LIKE `pattern` belong to the
// category.
struct CostCategoryPattern {
  std::string pattern;
  int32_t cost_category_id = 0;
};

// koku's defaults (migration 0315): all four patterns point to category 1, "Platform".
std::vector<CostCategoryPattern> DefaultCostCategoryPatterns();

struct SummarySettings {
  Compat compat = Compat::kPostgres;
  // Enabled OCP tag keys (reporting_enabledtagkeys where enabled and provider_type = 'OCP'),
  // without the implicit 'vm_kubevirt_io_name' (the aggregators add it per docs/semantics.md
  // "Enabled keys", "PostgreSQL and Trino differences").
  std::vector<std::string> enabled_keys;
  std::vector<CostCategoryPattern> cost_categories = DefaultCostCategoryPatterns();
};

// One result row of koku's nodes query (docs/semantics.md "Node roles"), to be upserted into
// reporting_ocp_nodes.
struct NodeInventoryRow {
  std::string node;
  std::string resource_id;
  std::optional<double> node_capacity_cpu_cores;
  std::optional<std::string> node_role;
  std::optional<std::string> architecture;
};

// A row of reporting_ocp_nodes of one cluster, as koku's populate_node_table sees it
// (docs/semantics.md "Node roles"). node_capacity_cpu_cores is numeric(18,2) in PostgreSQL.
struct StoredNode {
  std::string node;
  std::string resource_id;
  std::optional<double> node_capacity_cpu_cores;
  std::optional<std::string> node_role;
  std::optional<std::string> architecture;
  bool is_new = false;   // created by this run: to be inserted
  bool changed = false;  // existing row whose role/architecture this run filled: to be updated
};

// A row of reporting_ocp_nodes as read back: unallocated rows take max(node_role) per
// (node, resource_id) over all such rows (docs/semantics.md "Unallocated rows").
struct NodeRoleRow {
  std::string node;
  std::string resource_id;
  std::optional<std::string> node_role;
};

}  // namespace ocpagg
