#pragma once
// koku's populate_openshift_cluster_information_tables, nodes aside (docs/semantics.md "Cluster
// tables"): the source's cluster row (populate_cluster_table), the PVCs of the run's storage
// rows (populate_pvc_table) and the namespaces of its pod rows (populate_project_table), upserted
// the way koku's Python does it. Nodes and their sticky roles are koku's state
// (engine/koku_state.h).

#include <absl/container/flat_hash_set.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "ocpagg/aggregate/string_pool.h"
#include "ocpagg/common/status.h"
#include "ocpagg/koku/summary_row.h"
#include "ocpagg/koku/table_columns.h"

namespace ocpagg {

// A row of reporting_ocp_clusters.
struct ClusterRow {
  std::optional<std::string> uuid;  // NULL: a new row
  std::string cluster_id;
  std::optional<std::string> cluster_alias;
  std::string provider_id;

  TableRow ToTableRow() const;
  static Result<ClusterRow> FromTableRow(const TableRow& row);
};

// What populate_cluster_table did to the rows of the source's provider.
struct ClusterUpsert {
  std::vector<std::string> deleted;  // uuids of the rows it removed
  size_t cluster = 0;                // index of the run's cluster in the rows
  bool created = false;              // that row is new
  bool alias_changed = false;        // that row's alias was set to the run's
};

// populate_cluster_table on `provider_rows`, the rows of the provider sorted by uuid (the order
// in which Django's first() reads them): with more than one row, those whose alias is not the
// run's are deleted; then the first row is the cluster, its alias set to the run's, or a new
// row is created when there is none. An existing row keeps its cluster_id.
ClusterUpsert UpsertCluster(std::vector<ClusterRow>& provider_rows, std::string_view cluster_id,
                            const std::optional<std::string>& cluster_alias,
                            std::string_view provider_id);

// A row of reporting_ocp_pvcs; the cluster is given when it is written.
struct PvcRow {
  std::optional<std::string> uuid;  // NULL: a new row
  std::string persistent_volume_claim;
  std::string persistent_volume;
  std::optional<std::string> csi_volume_handle;

  // `cluster`: the cluster column's value (the cluster's uuid in PostgreSQL, its id in files).
  TableRow ToTableRow(const std::string& cluster) const;
  static Result<PvcRow> FromTableRow(const TableRow& row);
};

// A row of reporting_ocp_projects.
struct ProjectRow {
  std::optional<std::string> uuid;  // NULL: a new row
  std::string project;

  TableRow ToTableRow(const std::string& cluster) const;
  static Result<ProjectRow> FromTableRow(const TableRow& row);
};

// koku's PVC query over the run: the distinct (persistentvolume, persistentvolumeclaim,
// csi_volume_handle) of its Storage rows.
class RunPvcs {
 public:
  void Add(const SummaryRow& row);
  // Sorted by volume, claim and handle (NULL last); a NULL volume or claim is left out (koku's
  // insert fails on it and skips the row).
  std::vector<PvcRow> Found() const;

 private:
  StringPool strings_;
  absl::flat_hash_set<std::tuple<StringId, StringId, StringId>> seen_;
};

// populate_pvc_table: each PVC found is looked up by volume and claim; a known one gets the
// handle when it has none (NULL or ''), an unknown one is added.
void UpsertPvcs(std::vector<PvcRow>& cluster_rows, std::span<const PvcRow> found);

// populate_project_table: every namespace not yet a project of the cluster is added.
void UpsertProjects(std::vector<ProjectRow>& cluster_rows, std::span<const std::string> namespaces);

}  // namespace ocpagg
