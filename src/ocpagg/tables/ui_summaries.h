#pragma once
// koku's populate_ui_summary_tables (the SQL files of masu/database/sql/openshift/ui_summary/,
// docs/semantics.md "UI summary tables") over the summary rows of one run. Each table's rows are
// groups of summary rows (by day, and namespace, node or claim), folded as the rows stream by:
// memory follows the size of the tables, not the number of summary rows.

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <span>
#include <vector>

#include "ocpagg/aggregate/string_pool.h"
#include "ocpagg/koku/summary_row.h"
#include "ocpagg/koku/table_columns.h"

namespace ocpagg {

class UiSummaries {
 public:
  UiSummaries();

  // Folds summary rows of the run in, any day, in any order. Not thread-safe.
  void Add(std::span<const SummaryRow> rows);

  // The rows of the UI summary table `table` (one of UiSummaryTables()), in no order. The key
  // column is NULL: each row gets a new uuid when written, as koku's uuid_generate_v4().
  std::vector<TableRow> Rows(ReportingTable table, const RunIdentity& run) const;

 private:
  struct GroupKey {
    Date day = 0;
    StringId namespace_ = kNullString;
    StringId node = kNullString;
    StringId claim = kNullString;
    StringId storageclass = kNullString;
    bool operator==(const GroupKey&) const = default;
    template <typename H>
    friend H AbslHashValue(H h, const GroupKey& k) {
      return H::combine(std::move(h), k.day, k.namespace_, k.node, k.claim, k.storageclass);
    }
  };
  struct Group {
    std::vector<std::optional<double>> metrics;  // one per kSum/kMax column, in column order
    absl::flat_hash_set<StringId> resource_ids;  // kNullString for a NULL resource_id
    std::optional<int32_t> cost_category_id;
    DataSource data_source = DataSource::kPod;
  };
  struct Table {
    ReportingTable table;
    const TableSpec* spec;
    std::vector<size_t> metric_columns;  // the kSum/kMax columns of spec
    absl::flat_hash_map<GroupKey, Group> groups;
  };

  StringPool strings_;
  std::vector<Table> tables_;
};

}  // namespace ocpagg
