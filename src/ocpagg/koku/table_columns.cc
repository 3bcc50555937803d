#include "ocpagg/koku/table_columns.h"

#include <algorithm>
#include <array>
#include <type_traits>

namespace ocpagg {
namespace {

// Column helpers, named for what the column is in koku's model.
TableColumn Key(std::string_view name) { return {name, CellType::kUuid, "uuid", false}; }
TableColumn Text(std::string_view name, std::string_view sql_type = "text", bool nullable = true,
                 UiValue ui = UiValue::kNull) {
  return {name, CellType::kText, sql_type, nullable, ui};
}
TableColumn Numeric(std::string_view name) {
  return {name, CellType::kNumeric, "numeric(33, 15)", true};
}
TableColumn Json(std::string_view name) { return {name, CellType::kJson, "jsonb", true}; }
TableColumn MetricFold(UiValue fold, Metric m) {
  return {MetricColumnName(m), CellType::kNumeric, "numeric(33, 15)", true, fold, m};
}
TableColumn Sum(Metric m) { return MetricFold(UiValue::kSum, m); }
TableColumn Max(Metric m) { return MetricFold(UiValue::kMax, m); }
TableColumn TextArrayColumn(std::string_view name, std::string_view sql_type, bool nullable) {
  return {name, CellType::kTextArray, sql_type, nullable};
}

using Columns = std::vector<TableColumn>;

Columns Concat(std::initializer_list<Columns> parts) {
  Columns out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// The columns every UI summary table shares, by where they stand in koku's models.
Columns ClusterColumns() {
  return {Key("id"), Text("cluster_id", "text", false, UiValue::kClusterId),
          Text("cluster_alias", "text", true, UiValue::kClusterAlias)};
}
Columns Dates() {
  return {{"usage_start", CellType::kDate, "date", false, UiValue::kUsageStart},
          {"usage_end", CellType::kDate, "date", false, UiValue::kUsageEnd}};
}
Columns Resources() {
  return {{"resource_ids", CellType::kTextArray, "varchar(256)[]", true, UiValue::kResourceIds},
          {"resource_count", CellType::kInteger, "integer", true, UiValue::kResourceCount},
          Text("data_source", "varchar(64)", true, UiValue::kDataSource)};
}
Columns InfrastructureCosts() {
  return {Numeric("infrastructure_raw_cost"),    Json("infrastructure_usage_cost"),
          Numeric("infrastructure_markup_cost"), Json("infrastructure_monthly_cost_json"),
          Json("supplementary_usage_cost"),      Json("supplementary_monthly_cost_json")};
}
Columns SourceAndCategory() {
  return {
      {"source_uuid", CellType::kUuid, "uuid", true, UiValue::kSourceUuid},
      {"cost_category_id", CellType::kInteger,
       "integer REFERENCES {s}.reporting_ocp_cost_category (id)", true, UiValue::kCostCategoryId},
      Text("raw_currency"),
      Numeric("distributed_cost")};
}
Columns CostModelCosts() {
  return {Numeric("cost_model_cpu_cost"), Numeric("cost_model_memory_cost"),
          Numeric("cost_model_volume_cost"), Numeric("cost_model_gpu_cost"),
          Text("cost_model_rate_type")};
}
Columns PodUsage() {
  using M = Metric;
  return {Sum(M::kPodUsageCpuCoreHours),
          Sum(M::kPodRequestCpuCoreHours),
          Sum(M::kPodEffectiveUsageCpuCoreHours),
          Sum(M::kPodLimitCpuCoreHours),
          Sum(M::kPodUsageMemoryGigabyteHours),
          Sum(M::kPodRequestMemoryGigabyteHours),
          Sum(M::kPodEffectiveUsageMemoryGigabyteHours),
          Sum(M::kPodLimitMemoryGigabyteHours),
          Max(M::kClusterCapacityCpuCoreHours),
          Max(M::kClusterCapacityMemoryGigabyteHours)};
}
Columns NodeCapacity() {
  using M = Metric;
  return {Max(M::kNodeCapacityCpuCores), Max(M::kNodeCapacityCpuCoreHours),
          Max(M::kNodeCapacityMemoryGigabytes), Max(M::kNodeCapacityMemoryGigabyteHours)};
}
TableColumn Namespace() { return Text("namespace", "varchar(253)", true, UiValue::kNamespace); }
TableColumn Node() { return Text("node", "varchar(253)", true, UiValue::kNode); }
TableColumn Claim() {
  return Text("persistentvolumeclaim", "varchar(253)", true, UiValue::kPersistentVolumeClaim);
}
TableColumn StorageClass() {
  return Text("storageclass", "varchar(253)", true, UiValue::kStorageClass);
}
// The network summaries' columns, alphabetical as in koku's models; ocpagg never fills them.
Columns Network(std::optional<TableColumn> group) {
  Columns c = {Key("id"),
               Text("cluster_alias"),
               Text("cluster_id", "text", false),
               Numeric("cost_model_cpu_cost"),
               Numeric("cost_model_memory_cost"),
               Text("cost_model_rate_type"),
               Numeric("cost_model_volume_cost"),
               Numeric("cost_model_gpu_cost"),
               Text("data_source", "varchar(64)"),
               Numeric("distributed_cost"),
               Numeric("infrastructure_data_in_gigabytes"),
               Numeric("infrastructure_data_out_gigabytes"),
               Numeric("infrastructure_markup_cost"),
               Numeric("infrastructure_raw_cost")};
  if (group) c.push_back(*group);
  Columns tail = {Text("raw_currency"),
                  {"resource_count", CellType::kInteger, "integer"},
                  TextArrayColumn("resource_ids", "varchar(256)[]", true),
                  {"usage_end", CellType::kDate, "date", false},
                  {"usage_start", CellType::kDate, "date", false},
                  {"cost_category_id", CellType::kInteger,
                   "integer REFERENCES {s}.reporting_ocp_cost_category (id)"},
                  {"source_uuid", CellType::kUuid, "uuid"}};
  c.insert(c.end(), tail.begin(), tail.end());
  return c;
}
Columns LabelSummary() {
  return {Key("uuid"),
          Text("key", "text", false),
          TextArrayColumn("values", "text[]", false),
          {"report_period_id", CellType::kInteger,
           "integer REFERENCES {s}.reporting_ocpusagereportperiod (id)", false},
          Text("namespace", "text", false),
          Text("node")};
}

struct TableDef {
  ReportingTable table;
  std::string_view name;
  Columns columns;
  std::string_view constraints;
  UiRows ui_rows = UiRows::kNone;
  uint8_t ui_group = kGroupByDay;
};

std::vector<TableDef> Definitions() {
  using M = Metric;
  const Columns storage = {Sum(M::kVolumeRequestStorageGigabyteMonths),
                           Sum(M::kPersistentVolumeClaimUsageGigabyteMonths),
                           Sum(M::kPersistentVolumeClaimCapacityGigabyteMonths)};
  const Columns project_costs = {
      Json("infrastructure_usage_cost"),     Numeric("infrastructure_raw_cost"),
      Numeric("infrastructure_markup_cost"), Json("infrastructure_project_monthly_cost"),
      Json("supplementary_usage_cost"),      Json("supplementary_project_monthly_cost")};
  const std::string_view cluster_ref = "uuid REFERENCES {s}.reporting_ocp_clusters (uuid)";
  std::vector<TableDef> defs;
  // Cluster information (koku's populate_openshift_cluster_information_tables). cluster_id is the
  // cluster's uuid in PostgreSQL, its text id in files.
  defs.push_back({ReportingTable::kClusters,
                  "reporting_ocp_clusters",
                  {Key("uuid"),
                   Text("cluster_id", "text", false),
                   Text("cluster_alias"),
                   {"provider_id", CellType::kUuid, "uuid", false}},
                  "UNIQUE (cluster_id, cluster_alias, provider_id)"});
  defs.push_back({ReportingTable::kPvcs,
                  "reporting_ocp_pvcs",
                  {Key("uuid"), Text("persistent_volume_claim", "text", false),
                   Text("persistent_volume", "text", false), Text("cluster_id", cluster_ref, false),
                   Text("csi_volume_handle")},
                  "UNIQUE (persistent_volume, persistent_volume_claim, cluster_id)"});
  defs.push_back(
      {ReportingTable::kProjects,
       "reporting_ocp_projects",
       {Key("uuid"), Text("project", "text", false), Text("cluster_id", cluster_ref, false)},
       "UNIQUE (project, cluster_id)"});
  // UI summaries (koku's ui_summary/*.sql), per day.
  defs.push_back({ReportingTable::kCostSummary, "reporting_ocp_cost_summary_p",
                  Concat({ClusterColumns(), Dates(), InfrastructureCosts(), SourceAndCategory(),
                          CostModelCosts()}),
                  "", UiRows::kAll, kGroupByDay});
  defs.push_back({ReportingTable::kCostSummaryByNode, "reporting_ocp_cost_summary_by_node_p",
                  Concat({ClusterColumns(),
                          {Node()},
                          Dates(),
                          InfrastructureCosts(),
                          SourceAndCategory(),
                          CostModelCosts()}),
                  "", UiRows::kAll, kGroupByNode});
  defs.push_back({ReportingTable::kCostSummaryByProject, "reporting_ocp_cost_summary_by_project_p",
                  Concat({ClusterColumns(),
                          {Namespace()},
                          Dates(),
                          project_costs,
                          SourceAndCategory(),
                          CostModelCosts()}),
                  "", UiRows::kAll, kGroupByNamespace});
  defs.push_back({ReportingTable::kPodSummary, "reporting_ocp_pod_summary_p",
                  Concat({ClusterColumns(), Resources(), Dates(), InfrastructureCosts(), PodUsage(),
                          SourceAndCategory(), CostModelCosts()}),
                  "", UiRows::kPodUsage, kGroupByDay});
  defs.push_back({ReportingTable::kPodSummaryByNode, "reporting_ocp_pod_summary_by_node_p",
                  Concat({ClusterColumns(),
                          {Node()},
                          Resources(),
                          Dates(),
                          InfrastructureCosts(),
                          PodUsage(),
                          NodeCapacity(),
                          SourceAndCategory(),
                          CostModelCosts()}),
                  "", UiRows::kPodUsage, kGroupByNode});
  defs.push_back({ReportingTable::kPodSummaryByProject, "reporting_ocp_pod_summary_by_project_p",
                  Concat({ClusterColumns(),
                          {Namespace()},
                          Resources(),
                          Dates(),
                          InfrastructureCosts(),
                          PodUsage(),
                          SourceAndCategory(),
                          CostModelCosts()}),
                  "", UiRows::kPodUsage, kGroupByNamespace});
  defs.push_back({ReportingTable::kVolumeSummary, "reporting_ocp_volume_summary_p",
                  Concat({ClusterColumns(),
                          Resources(),
                          Dates(),
                          InfrastructureCosts(),
                          {storage[0], Claim(), StorageClass(), storage[1], storage[2]},
                          SourceAndCategory(),
                          CostModelCosts()}),
                  "", UiRows::kStorageClaims, kGroupByClaim});
  defs.push_back({ReportingTable::kVolumeSummaryByProject,
                  "reporting_ocp_volume_summary_by_project_p",
                  Concat({ClusterColumns(),
                          {Namespace()},
                          Resources(),
                          Dates(),
                          InfrastructureCosts(),
                          storage,
                          SourceAndCategory(),
                          {Claim(), StorageClass()},
                          CostModelCosts()}),
                  "", UiRows::kStorageClaims, kGroupByNamespace | kGroupByClaim});
  defs.push_back({ReportingTable::kNetworkSummary, "reporting_ocp_network_summary_p",
                  Network(std::nullopt), "", UiRows::kNone, kGroupByDay});
  defs.push_back({ReportingTable::kNetworkSummaryByNode, "reporting_ocp_network_summary_by_node_p",
                  Network(Text("node", "varchar(253)")), "", UiRows::kNone, kGroupByNode});
  defs.push_back(
      {ReportingTable::kNetworkSummaryByProject, "reporting_ocp_network_summary_by_project_p",
       Network(Text("namespace", "varchar(253)")), "", UiRows::kNone, kGroupByNamespace});
  // Label summaries (reporting_ocpusagepodlabel_summary.sql,
  // reporting_ocpstoragevolumelabel_summary.sql).
  defs.push_back({ReportingTable::kPodLabelSummary, "reporting_ocpusagepodlabel_summary",
                  LabelSummary(), "UNIQUE (key, report_period_id, namespace, node)"});
  defs.push_back({ReportingTable::kVolumeLabelSummary, "reporting_ocpstoragevolumelabel_summary",
                  LabelSummary(), "UNIQUE (key, report_period_id, namespace, node)"});
  defs.push_back(
      {ReportingTable::kTagsValues,
       "reporting_ocptags_values",
       {Key("uuid"), Text("key", "text", false), Text("value", "text", false),
        TextArrayColumn("cluster_ids", "text[]", false),
        TextArrayColumn("cluster_aliases", "text[]", false),
        TextArrayColumn("namespaces", "text[]", false), TextArrayColumn("nodes", "text[]", true)},
       "UNIQUE (key, value)"});
  return defs;
}

struct Registry {
  std::vector<TableDef> defs;
  std::array<TableSpec, kReportingTableCount> specs;
};

const Registry& Tables() {
  static const Registry registry = [] {
    Registry r;
    r.defs = Definitions();
    for (const TableDef& d : r.defs) {
      r.specs[static_cast<size_t>(d.table)] =
          TableSpec{d.name, d.columns, d.constraints, d.ui_rows, d.ui_group};
    }
    return r;
  }();
  return registry;
}

}  // namespace

int TableSpec::ColumnIndex(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return static_cast<int>(i);
  }
  return -1;
}

static_assert(std::is_same_v<std::variant_alternative_t<1, Cell>, std::string> &&
              std::is_same_v<std::variant_alternative_t<2, Cell>, int64_t> &&
              std::is_same_v<std::variant_alternative_t<3, Cell>, double> &&
              std::is_same_v<std::variant_alternative_t<4, Cell>, TextArray>);

size_t CellIndexOf(CellType type) {
  switch (type) {
    case CellType::kInteger:
    case CellType::kDate:
      return 2;
    case CellType::kNumeric:
      return 3;
    case CellType::kTextArray:
      return 4;
    case CellType::kUuid:
    case CellType::kText:
    case CellType::kJson:
      break;
  }
  return 1;  // std::string
}

bool LessNullsLast(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (!a || !b) return a.has_value() && !b.has_value();
  return *a < *b;
}

void SortNullsLast(TextArray& values) { std::sort(values.begin(), values.end(), LessNullsLast); }

Status CheckRowShape(const TableRow& row, ReportingTable table) {
  const TableSpec& spec = SpecOf(table);
  if (row.size() != spec.columns.size()) {
    return InternalError("a row of {} with {} columns instead of {}", spec.name, row.size(),
                         spec.columns.size());
  }
  return Status::OK();
}

const TableSpec& SpecOf(ReportingTable table) { return Tables().specs[static_cast<size_t>(table)]; }

std::span<const ReportingTable> UiSummaryTables() {
  static constexpr ReportingTable kUi[] = {ReportingTable::kCostSummary,
                                           ReportingTable::kCostSummaryByNode,
                                           ReportingTable::kCostSummaryByProject,
                                           ReportingTable::kPodSummary,
                                           ReportingTable::kPodSummaryByNode,
                                           ReportingTable::kPodSummaryByProject,
                                           ReportingTable::kVolumeSummary,
                                           ReportingTable::kVolumeSummaryByProject,
                                           ReportingTable::kNetworkSummary,
                                           ReportingTable::kNetworkSummaryByNode,
                                           ReportingTable::kNetworkSummaryByProject};
  return kUi;
}

std::span<const ReportingTable> AllReportingTables() {
  static const std::array<ReportingTable, kReportingTableCount> kAll = [] {
    std::array<ReportingTable, kReportingTableCount> all{};
    for (size_t i = 0; i < kReportingTableCount; ++i) all[i] = static_cast<ReportingTable>(i);
    return all;
  }();
  return kAll;
}

}  // namespace ocpagg
