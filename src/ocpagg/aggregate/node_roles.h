#pragma once
// cte_node_role of koku's unallocated statement (docs/semantics.md "Unallocated rows"):
// max(node_role) per (node, resource_id) over every row of reporting_ocp_nodes, all clusters and
// capacities included. A node resized during the month has two rows, and max('infra', 'worker') is
// 'worker' (golden 06_month_boundary, node-f).

#include <absl/container/flat_hash_map.h>

#include <optional>
#include <string>
#include <string_view>

#include "ocpagg/koku/label_set.h"
#include "ocpagg/koku/settings.h"

namespace ocpagg {

class NodeRoleTable {
 public:
  // Folds one reporting_ocp_nodes row in; a NULL role leaves the max unchanged.
  void Add(const NodeRoleRow& row);

  // max(node_role) for the pair (byte-wise, as Trino compares varchar; the roles koku writes
  // order the same under any collation); nullopt when no row matches or every role is NULL.
  std::optional<std::string_view> MaxRole(std::string_view node,
                                          std::string_view resource_id) const;

  size_t size() const { return roles_.size(); }

 private:
  static std::string Key(std::string_view node, std::string_view resource_id);

  // node + '\0' + resource_id (PostgreSQL text cannot hold '\0', so keys cannot collide).
  StringKeyedMap<std::optional<std::string>> roles_;
};

}  // namespace ocpagg
