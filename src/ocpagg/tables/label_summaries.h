#pragma once
// koku's label summaries (reporting_ocpusagepodlabel_summary.sql and
// reporting_ocpstoragevolumelabel_summary.sql; docs/semantics.md "Label summaries"): the
// distinct label values of the run's rows per key, namespace and node, merged into the report
// period's rows of reporting_ocpusagepodlabel_summary (pod labels) and
// reporting_ocpstoragevolumelabel_summary (volume labels), and the tag values
// (reporting_ocptags_values) each of the two steps rewrites.

#include <absl/container/flat_hash_set.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ocpagg/aggregate/string_pool.h"
#include "ocpagg/common/status.h"
#include "ocpagg/koku/summary_row.h"
#include "ocpagg/koku/table_columns.h"

namespace simdjson::dom {
class parser;
}

namespace ocpagg {

// A row of reporting_ocpusagepodlabel_summary or reporting_ocpstoragevolumelabel_summary.
struct LabelSummaryRow {
  std::optional<std::string> uuid;  // NULL: a new row
  std::string key;
  std::vector<std::string> values;  // sorted, distinct
  std::optional<int32_t> report_period_id;
  std::optional<std::string> namespace_;
  std::optional<std::string> node;

  TableRow ToTableRow() const;
  // A row read back (SpecOf(kPodLabelSummary) columns); fails on a row of another shape.
  static Result<LabelSummaryRow> FromTableRow(const TableRow& row);
};

// A row of reporting_ocptags_values.
struct TagValuesRow {
  std::optional<std::string> uuid;  // NULL: a new row
  std::string key;
  std::string value;
  TextArray cluster_ids, cluster_aliases, namespaces, nodes;

  TableRow ToTableRow() const;
  static Result<TagValuesRow> FromTableRow(const TableRow& row);
};

// The labels of one kind in the run's rows: pod_labels of Pod rows, or volume_labels of Storage
// rows (cte_tag_value of koku's SQL).
class RunLabels {
 public:
  // `enabled_keys`: the enabled OCP keys of the run (docs/semantics.md "Enabled keys").
  RunLabels(DataSource source, std::span<const std::string> enabled_keys);
  ~RunLabels();
  RunLabels(RunLabels&&) noexcept;
  RunLabels& operator=(RunLabels&&) noexcept;

  // Takes the labels of `row` when it is of this kind and holds an enabled key (koku's `?|`).
  // Fails on label text that is not a JSON object.
  Status Add(const SummaryRow& row);

  // cte_values_agg: per enabled key, namespace and node, the distinct values, as rows of the
  // report period (uuid NULL), sorted by key, namespace and node.
  std::vector<LabelSummaryRow> SummaryRows(std::optional<int32_t> report_period_id) const;

  // cte_kv_cluster_agg: per key and value of the rows taken (every key they hold, enabled or
  // not), the namespaces and nodes it was seen on, sorted by key and value.
  std::vector<TagValuesRow> TagValues(const std::string& cluster_id,
                                      const std::optional<std::string>& cluster_alias) const;

 private:
  struct Tuple {
    StringId key, value, namespace_, node;
    bool operator==(const Tuple&) const = default;
    template <typename H>
    friend H AbslHashValue(H h, const Tuple& t) {
      return H::combine(std::move(h), t.key, t.value, t.namespace_, t.node);
    }
  };

  // A label text's (key, value) pairs, values NULL left out, and whether it holds an enabled
  // key. Rows repeat label texts: each is parsed once (the cache is dropped past a size).
  struct ParsedLabels {
    bool holds_enabled_key = false;
    std::vector<std::pair<StringId, StringId>> pairs;
  };
  Result<ParsedLabels> Parse(std::string_view text);
  static constexpr size_t kMaxParsedTextBytes = 16 << 20;

  DataSource source_;
  StringSet enabled_;
  StringPool strings_;
  absl::flat_hash_set<Tuple> tuples_;
  std::unique_ptr<simdjson::dom::parser> parser_;
  StringKeyedMap<ParsedLabels> parsed_;
  size_t parsed_text_bytes_ = 0;
};

// The UPDATE and INSERT of koku's label summary SQL, for one report period: a row of the run
// whose namespace and node equal those of a row of the period (`=`: a NULL never matches)
// merges its values into that row; any other row of the run is added, as a new row. The
// period's other rows stay. Rows with a NULL node are therefore added again by every run.
std::vector<LabelSummaryRow> MergeLabelSummary(std::vector<LabelSummaryRow> period_rows,
                                               std::span<const LabelSummaryRow> run_rows);

// The UPDATE and INSERT of reporting_ocptags_values: a row with the key and value of a row of
// the run takes the run's arrays (replacing, not merging); the run's other rows are added.
void ApplyTagValues(std::vector<TagValuesRow>& rows, std::span<const TagValuesRow> run_rows);

}  // namespace ocpagg
