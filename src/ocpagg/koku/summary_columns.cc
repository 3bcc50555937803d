#include "ocpagg/koku/summary_columns.h"

namespace ocpagg {
namespace {

using Text = std::optional<std::string_view>;

Text Opt(const std::optional<std::string>& s) { return s ? Text(*s) : std::nullopt; }

constexpr SummaryColumn TextColumn(std::string_view name, std::string_view sql_type,
                                   Text (*get)(const RowContext&), bool nullable = true) {
  return {name, SummaryColumnType::kText, sql_type, nullable, get};
}
constexpr SummaryColumn JsonColumn(std::string_view name, Text (*get)(const RowContext&)) {
  return {name, SummaryColumnType::kJson, "jsonb", true, get};
}
constexpr SummaryColumn IntColumn(std::string_view name,
                                  std::optional<int32_t> (*get)(const RowContext&)) {
  return {name, SummaryColumnType::kInt32, "integer", true, nullptr, get};
}
constexpr SummaryColumn DateColumn(std::string_view name) {
  return {name, SummaryColumnType::kDate, "date", false, nullptr, nullptr, [](const RowContext& c) {
            return c.row.usage_start;
          }};
}
// Metric names live with the metrics (MetricColumnName), where numeric errors name them too.
template <Metric M>
SummaryColumn MetricColumn() {
  return {MetricColumnName(M),
          SummaryColumnType::kNumeric,
          "numeric(33, 15)",
          true,
          nullptr,
          nullptr,
          nullptr,
          [](const RowContext& c) { return c.row.metric(M); }};
}

}  // namespace

// docs/semantics.md "Writing the rows": uuid has no default (the writer supplies one per row);
// usage_end is always usage_start; report_period_id is NULL without a report period (files without
// one).
const std::array<SummaryColumn, kSummaryColumnCount> kSummaryColumns = {{
    {"uuid", SummaryColumnType::kUuid, "uuid", false,
     [](const RowContext& c) { return Text(c.uuid); }},
    IntColumn("report_period_id",
              [](const RowContext& c) {
                return c.run.report_period_id > 0 ? std::optional(c.run.report_period_id)
                                                  : std::nullopt;
              }),
    TextColumn("cluster_id", "varchar(50)",
               [](const RowContext& c) { return Text(c.run.cluster_id); }),
    TextColumn("cluster_alias", "varchar(256)",
               [](const RowContext& c) { return Opt(c.run.cluster_alias); }),
    TextColumn("data_source", "varchar(64)",
               [](const RowContext& c) { return Text(DataSourceName(c.row.data_source)); }),
    DateColumn("usage_start"),
    DateColumn("usage_end"),
    TextColumn("namespace", "varchar(253)",
               [](const RowContext& c) { return Opt(c.row.namespace_); }),
    TextColumn("node", "varchar(253)", [](const RowContext& c) { return Opt(c.row.node); }),
    TextColumn("resource_id", "varchar(253)",
               [](const RowContext& c) { return Opt(c.row.resource_id); }),
    JsonColumn("pod_labels", [](const RowContext& c) { return Opt(c.row.pod_labels); }),
    MetricColumn<Metric::kPodUsageCpuCoreHours>(),
    MetricColumn<Metric::kPodRequestCpuCoreHours>(),
    MetricColumn<Metric::kPodEffectiveUsageCpuCoreHours>(),
    MetricColumn<Metric::kPodLimitCpuCoreHours>(),
    MetricColumn<Metric::kPodUsageMemoryGigabyteHours>(),
    MetricColumn<Metric::kPodRequestMemoryGigabyteHours>(),
    MetricColumn<Metric::kPodEffectiveUsageMemoryGigabyteHours>(),
    MetricColumn<Metric::kPodLimitMemoryGigabyteHours>(),
    MetricColumn<Metric::kNodeCapacityCpuCores>(),
    MetricColumn<Metric::kNodeCapacityCpuCoreHours>(),
    MetricColumn<Metric::kNodeCapacityMemoryGigabytes>(),
    MetricColumn<Metric::kNodeCapacityMemoryGigabyteHours>(),
    MetricColumn<Metric::kClusterCapacityCpuCoreHours>(),
    MetricColumn<Metric::kClusterCapacityMemoryGigabyteHours>(),
    TextColumn("persistentvolumeclaim", "varchar(253)",
               [](const RowContext& c) { return Opt(c.row.persistentvolumeclaim); }),
    TextColumn("persistentvolume", "varchar(253)",
               [](const RowContext& c) { return Opt(c.row.persistentvolume); }),
    TextColumn("storageclass", "varchar(253)",
               [](const RowContext& c) { return Opt(c.row.storageclass); }),
    JsonColumn("volume_labels", [](const RowContext& c) { return Opt(c.row.volume_labels); }),
    JsonColumn("all_labels", [](const RowContext& c) { return Text(c.row.all_labels); }),
    MetricColumn<Metric::kPersistentVolumeClaimCapacityGigabyte>(),
    MetricColumn<Metric::kPersistentVolumeClaimCapacityGigabyteMonths>(),
    MetricColumn<Metric::kVolumeRequestStorageGigabyteMonths>(),
    MetricColumn<Metric::kPersistentVolumeClaimUsageGigabyteMonths>(),
    {"source_uuid", SummaryColumnType::kUuid, "uuid", true,
     [](const RowContext& c) { return Text(c.run.source_uuid); }},
    JsonColumn("infrastructure_usage_cost",
               [](const RowContext& c) {
                 return c.row.has_infrastructure_usage_cost ? Text(kZeroInfrastructureUsageCost)
                                                            : std::nullopt;
               }),
    IntColumn("cost_category_id", [](const RowContext& c) { return c.row.cost_category_id; }),
}};

}  // namespace ocpagg
