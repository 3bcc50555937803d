#pragma once
// Where node roles come from (docs/semantics.md "Node roles"). koku's nodes query runs over the
// whole summarized range, before any day is summarized:
//
//   SELECT node, resource_id, max(node_capacity_cpu_cores),
//          coalesce(max(node_role), CASE WHEN the node ran a pod in 'openshift-kube-apiserver'
//            THEN 'master' WHEN a node-label text is LIKE '%"node_role_kubernetes_io": "infra"%'
//            THEN 'infra' ELSE 'worker' END),
//          lower(max(node_labels) ->> 'kubernetes_io_arch')
//   FROM pod_usage_daily LEFT JOIN node_labels_daily ON node   -- any day of the range
//   WHERE <filters on both tables, which make the LEFT JOIN an inner join>
//   GROUP BY node, resource_id
//
// and populate_node_table upserts the result into reporting_ocp_nodes.

#include <absl/container/flat_hash_map.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ocpagg/aggregate/node_roles.h"
#include "ocpagg/common/status.h"
#include "ocpagg/koku/input_rows.h"
#include "ocpagg/koku/label_set.h"
#include "ocpagg/koku/settings.h"

namespace ocpagg {

// koku's nodes query, fed with the pod daily and node-label daily rows of the whole range.
// Sink (Add*) per worker, Merge to combine, Finish for the result rows.
class NodeInventory {
 public:
  // A pod daily row of the range. Rows with a NULL node never join a node-label row.
  void AddPodUsage(const PodUsageRow& row);
  // A node-label daily row of the range (the raw, unfiltered label text). Never fails today:
  // the day summaries reject invalid label text; an unreadable max text here gives a NULL
  // architecture, as Trino's json_extract_scalar does.
  Status AddNodeLabels(const NodeLabelRow& row);
  // Folds another partial inventory of the same range into this one.
  void Merge(NodeInventory&& other);
  // The query's rows, sorted by (node, resource_id). Nodes without any node-label row in the
  // range produce none (the inner join). A NULL resource_id is reported as ''.
  std::vector<NodeInventoryRow> Finish() const;
  // koku's projects query over the same pod rows (docs/semantics.md "Cluster tables"): their
  // distinct namespaces, pods on no node included, sorted; NULL left out.
  std::vector<std::string> Namespaces() const;

 private:
  struct NodeResource {
    std::string node;
    std::string resource_id;
    std::optional<double> max_capacity_cpu_cores;
    std::optional<std::string> max_operator_role;  // max(node_role) of the operator's column
    bool runs_kube_apiserver = false;
  };
  struct NodeLabelFacts {
    bool has_infra_role_label = false;
    std::optional<std::string> max_labels_text;
  };

  // node + '\0' + resource_id
  StringKeyedMap<NodeResource> by_node_resource_;
  StringKeyedMap<NodeLabelFacts> by_node_;
  StringSet namespaces_;
  std::string key_buffer_;
};

// koku's populate_node_table for the rows of one cluster (docs/semantics.md "Node roles"). For each
// query row it looks for a stored row with the same node, resource_id and node_capacity_cpu_cores:
// none → a new row (is_new) with the query's role and architecture; one whose role or architecture
// is empty (NULL or '') → both overwritten by the query's values (changed); otherwise the stored
// role stays, however the node's labels changed ("sticky" roles, golden 06_month_boundary).
// The capacity matches as Django compares it: the query's double, rounded to 18 significant
// digits, against the stored numeric(18,2); a capacity with more than 2 decimals never matches,
// and a new row stores it rounded to 2 decimals.
void ApplyNodeInventory(std::vector<StoredNode>& nodes_of_cluster,
                        std::span<const NodeInventoryRow> rows);

}  // namespace ocpagg
