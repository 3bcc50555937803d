#include "ocpagg/tables/ui_summaries.h"

#include <algorithm>

#include "ocpagg/aggregate/sql_fold.h"
#include "ocpagg/tables/distinct_strings.h"

namespace ocpagg {
namespace {

// The WHERE of the table's SQL file. `namespace IS DISTINCT FROM 'Worker unallocated'` and its
// siblings keep rows whose namespace is NULL.
bool Selects(UiRows rows, const SummaryRow& row) {
  switch (rows) {
    case UiRows::kAll:
      return true;
    case UiRows::kPodUsage:
      return row.data_source == DataSource::kPod &&
             !(row.namespace_ && IsUnallocatedNamespace(*row.namespace_));
    case UiRows::kStorageClaims:
      return row.data_source == DataSource::kStorage && row.persistentvolumeclaim.has_value();
    case UiRows::kNone:
      break;
  }
  return false;
}

Cell OptionalText(const StringPool& strings, StringId id) {
  if (auto s = strings.Get(id)) return std::string(*s);
  return std::monostate{};
}

}  // namespace

UiSummaries::UiSummaries() {
  for (ReportingTable t : UiSummaryTables()) {
    const TableSpec& spec = SpecOf(t);
    if (spec.ui_rows == UiRows::kNone) continue;
    Table table{t, &spec, {}, {}};
    for (size_t c = 0; c < spec.columns.size(); ++c) {
      const UiValue v = spec.columns[c].ui;
      if (v == UiValue::kSum || v == UiValue::kMax) table.metric_columns.push_back(c);
    }
    tables_.push_back(std::move(table));
  }
}

void UiSummaries::Add(std::span<const SummaryRow> rows) {
  for (const SummaryRow& row : rows) {
    const StringId namespace_ = strings_.Intern(row.namespace_);
    const StringId node = strings_.Intern(row.node);
    const StringId claim = strings_.Intern(row.persistentvolumeclaim);
    const StringId storageclass = strings_.Intern(row.storageclass);
    const StringId resource_id = strings_.Intern(row.resource_id);
    for (Table& table : tables_) {
      const TableSpec& spec = *table.spec;
      if (!Selects(spec.ui_rows, row)) continue;
      GroupKey key{row.usage_start};
      if (spec.ui_group & kGroupByNamespace) key.namespace_ = namespace_;
      if (spec.ui_group & kGroupByNode) key.node = node;
      if (spec.ui_group & kGroupByClaim) {
        key.claim = claim;
        key.storageclass = storageclass;
      }
      auto [it, inserted] = table.groups.try_emplace(key);
      Group& g = it->second;
      if (inserted) {
        g.metrics.resize(table.metric_columns.size());
        g.data_source = row.data_source;
      }
      for (size_t i = 0; i < table.metric_columns.size(); ++i) {
        const TableColumn& col = spec.columns[table.metric_columns[i]];
        if (col.ui == UiValue::kSum) {
          FoldSum(g.metrics[i], row.metric(col.metric));
        } else {
          FoldMax(g.metrics[i], row.metric(col.metric));
        }
      }
      g.resource_ids.insert(resource_id);
      if (row.cost_category_id &&
          (!g.cost_category_id || *row.cost_category_id > *g.cost_category_id)) {
        g.cost_category_id = row.cost_category_id;
      }
      // max(data_source): 'Storage' sorts after 'Pod'.
      if (row.data_source == DataSource::kStorage) g.data_source = DataSource::kStorage;
    }
  }
}

std::vector<TableRow> UiSummaries::Rows(ReportingTable table_id, const RunIdentity& run) const {
  std::vector<TableRow> out;
  auto table = std::find_if(tables_.begin(), tables_.end(),
                            [&](const Table& t) { return t.table == table_id; });
  if (table == tables_.end()) return out;  // a table no summary row qualifies for
  const TableSpec& spec = *table->spec;
  out.reserve(table->groups.size());
  for (const auto& [key, g] : table->groups) {
    TableRow row(spec.columns.size());
    size_t metric = 0;
    for (size_t c = 0; c < spec.columns.size(); ++c) {
      Cell& cell = row[c];
      switch (spec.columns[c].ui) {
        case UiValue::kNull:
          break;
        case UiValue::kClusterId:
          cell = run.cluster_id;
          break;
        case UiValue::kClusterAlias:
          if (run.cluster_alias) cell = *run.cluster_alias;
          break;
        case UiValue::kSourceUuid:
          cell = run.source_uuid;
          break;
        case UiValue::kUsageStart:
        case UiValue::kUsageEnd:
          cell = int64_t{key.day};
          break;
        case UiValue::kNamespace:
          cell = OptionalText(strings_, key.namespace_);
          break;
        case UiValue::kNode:
          cell = OptionalText(strings_, key.node);
          break;
        case UiValue::kPersistentVolumeClaim:
          cell = OptionalText(strings_, key.claim);
          break;
        case UiValue::kStorageClass:
          cell = OptionalText(strings_, key.storageclass);
          break;
        case UiValue::kResourceIds:
          cell = SortedArray(strings_, g.resource_ids);
          break;
        case UiValue::kResourceCount:
          cell = static_cast<int64_t>(g.resource_ids.size() - g.resource_ids.count(kNullString));
          break;
        case UiValue::kDataSource:
          cell = std::string(DataSourceName(g.data_source));
          break;
        case UiValue::kCostCategoryId:
          if (g.cost_category_id) cell = int64_t{*g.cost_category_id};
          break;
        case UiValue::kSum:
        case UiValue::kMax:
          if (const auto& v = g.metrics[metric]) cell = *v;
          ++metric;
          break;
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace ocpagg
