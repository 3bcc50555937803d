#include "ocpagg/tables/label_summaries.h"

#include <simdjson.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "ocpagg/tables/distinct_strings.h"

namespace ocpagg {
namespace {

std::optional<int32_t> IntCell(const Cell& c) {
  if (const auto* v = std::get_if<int64_t>(&c)) return static_cast<int32_t>(*v);
  return std::nullopt;
}

}  // namespace

TableRow LabelSummaryRow::ToTableRow() const {
  TextArray array(values.begin(), values.end());
  return {TextCell(uuid),       key,
          std::move(array),     report_period_id ? Cell(int64_t{*report_period_id}) : Cell(),
          TextCell(namespace_), TextCell(node)};
}

Result<LabelSummaryRow> LabelSummaryRow::FromTableRow(const TableRow& row) {
  ARROW_RETURN_NOT_OK(CheckRowShape(row, ReportingTable::kPodLabelSummary));
  LabelSummaryRow r;
  r.uuid = CellText(row[0]);
  r.key = CellText(row[1]).value_or("");
  if (const auto* values = std::get_if<TextArray>(&row[2])) {
    for (const auto& v : *values) {
      if (v) r.values.push_back(*v);
    }
  }
  r.report_period_id = IntCell(row[3]);
  r.namespace_ = CellText(row[4]);
  r.node = CellText(row[5]);
  return r;
}

TableRow TagValuesRow::ToTableRow() const {
  return {TextCell(uuid), key, value, cluster_ids, cluster_aliases, namespaces, nodes};
}

Result<TagValuesRow> TagValuesRow::FromTableRow(const TableRow& row) {
  ARROW_RETURN_NOT_OK(CheckRowShape(row, ReportingTable::kTagsValues));
  auto array = [](const Cell& c) {
    const auto* a = std::get_if<TextArray>(&c);
    return a ? *a : TextArray{};
  };
  TagValuesRow r;
  r.uuid = CellText(row[0]);
  r.key = CellText(row[1]).value_or("");
  r.value = CellText(row[2]).value_or("");
  r.cluster_ids = array(row[3]);
  r.cluster_aliases = array(row[4]);
  r.namespaces = array(row[5]);
  r.nodes = array(row[6]);
  return r;
}

RunLabels::RunLabels(DataSource source, std::span<const std::string> enabled_keys)
    : source_(source),
      enabled_(enabled_keys.begin(), enabled_keys.end()),
      parser_(std::make_unique<simdjson::dom::parser>()) {}
RunLabels::~RunLabels() = default;
RunLabels::RunLabels(RunLabels&&) noexcept = default;
RunLabels& RunLabels::operator=(RunLabels&&) noexcept = default;

Status RunLabels::Add(const SummaryRow& row) {
  if (row.data_source != source_) return Status::OK();
  const std::optional<std::string>& text =
      source_ == DataSource::kPod ? row.pod_labels : row.volume_labels;
  if (!text) return Status::OK();
  auto cached = parsed_.find(*text);
  if (cached == parsed_.end()) {
    ARROW_ASSIGN_OR_RAISE(ParsedLabels parsed, Parse(*text));
    if (parsed_text_bytes_ > kMaxParsedTextBytes) {
      parsed_.clear();
      parsed_text_bytes_ = 0;
    }
    parsed_text_bytes_ += text->size();
    cached = parsed_.emplace(*text, std::move(parsed)).first;
  }
  const ParsedLabels& labels = cached->second;
  if (!labels.holds_enabled_key) return Status::OK();
  const StringId namespace_ = strings_.Intern(row.namespace_);
  const StringId node = strings_.Intern(row.node);
  for (const auto& [key, value] : labels.pairs) tuples_.insert({key, value, namespace_, node});
  return Status::OK();
}

Result<RunLabels::ParsedLabels> RunLabels::Parse(std::string_view text) {
  simdjson::dom::element doc;
  simdjson::dom::object object;
  if (parser_->parse(text).get(doc) || doc.get_object().get(object)) {
    return InternalError("label text of a summary row is not a JSON object: {}", text);
  }
  // jsonb_each_text: a string is its text, a JSON null is NULL (dropped by `value IS NOT
  // NULL`), anything else its JSON text.
  ParsedLabels parsed;
  for (simdjson::dom::key_value_pair field : object) {
    // `labels ?| enabled keys` looks at the keys, whatever their values.
    if (enabled_.contains(field.key)) parsed.holds_enabled_key = true;
    const simdjson::dom::element v = field.value;
    if (v.is_null()) continue;
    const StringId key = strings_.Intern(field.key);
    const StringId value = v.is_string() ? strings_.Intern(v.get_string().value_unsafe())
                                         : strings_.Intern(std::string_view(simdjson::minify(v)));
    parsed.pairs.emplace_back(key, value);
  }
  return parsed;
}

std::vector<LabelSummaryRow> RunLabels::SummaryRows(std::optional<int32_t> report_period_id) const {
  // GROUP BY key, namespace, node: NULLs group together.
  std::map<std::tuple<StringId, StringId, StringId>, std::vector<std::string>> groups;
  for (const Tuple& t : tuples_) {
    if (!enabled_.contains(*strings_.Get(t.key))) continue;  // the join on enabled keys
    groups[{t.key, t.namespace_, t.node}].push_back(*strings_.Copy(t.value));
  }
  std::vector<LabelSummaryRow> rows;
  rows.reserve(groups.size());
  for (auto& [group, values] : groups) {
    LabelSummaryRow r;
    r.key = *strings_.Copy(std::get<0>(group));
    std::sort(values.begin(), values.end());
    r.values = std::move(values);
    r.report_period_id = report_period_id;
    r.namespace_ = strings_.Copy(std::get<1>(group));
    r.node = strings_.Copy(std::get<2>(group));
    rows.push_back(std::move(r));
  }
  std::sort(rows.begin(), rows.end(), [](const LabelSummaryRow& a, const LabelSummaryRow& b) {
    if (a.key != b.key) return a.key < b.key;
    if (a.namespace_ != b.namespace_) return LessNullsLast(a.namespace_, b.namespace_);
    return LessNullsLast(a.node, b.node);
  });
  return rows;
}

std::vector<TagValuesRow> RunLabels::TagValues(
    const std::string& cluster_id, const std::optional<std::string>& cluster_alias) const {
  struct Seen {
    absl::flat_hash_set<StringId> namespaces, nodes;
  };
  std::map<std::pair<std::string, std::string>, Seen> by_key_value;
  for (const Tuple& t : tuples_) {
    Seen& seen = by_key_value[{*strings_.Copy(t.key), *strings_.Copy(t.value)}];
    seen.namespaces.insert(t.namespace_);
    seen.nodes.insert(t.node);
  }
  std::vector<TagValuesRow> rows;
  rows.reserve(by_key_value.size());
  for (const auto& [kv, seen] : by_key_value) {
    TagValuesRow r;
    r.key = kv.first;
    r.value = kv.second;
    r.cluster_ids = {cluster_id};
    r.cluster_aliases = {cluster_alias};
    r.namespaces = SortedArray(strings_, seen.namespaces);
    r.nodes = SortedArray(strings_, seen.nodes);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<LabelSummaryRow> MergeLabelSummary(std::vector<LabelSummaryRow> period_rows,
                                               std::span<const LabelSummaryRow> run_rows) {
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<size_t>> matchable;
  for (size_t i = 0; i < period_rows.size(); ++i) {
    const LabelSummaryRow& r = period_rows[i];
    if (r.namespace_ && r.node) matchable[{r.key, *r.namespace_, *r.node}].push_back(i);
  }
  std::vector<LabelSummaryRow> added;
  for (const LabelSummaryRow& run : run_rows) {
    const std::vector<size_t>* matches = nullptr;
    if (run.namespace_ && run.node) {
      auto it = matchable.find({run.key, *run.namespace_, *run.node});
      if (it != matchable.end()) matches = &it->second;
    }
    if (!matches) {
      added.push_back(run);
      added.back().uuid.reset();
      continue;
    }
    // array_agg(DISTINCT ...) over the run's values and those of every matching row.
    std::vector<std::string> merged = run.values;
    for (size_t i : *matches) {
      merged.insert(merged.end(), period_rows[i].values.begin(), period_rows[i].values.end());
    }
    std::sort(merged.begin(), merged.end());
    merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
    for (size_t i : *matches) period_rows[i].values = merged;
  }
  period_rows.insert(period_rows.end(), std::make_move_iterator(added.begin()),
                     std::make_move_iterator(added.end()));
  return period_rows;
}

void ApplyTagValues(std::vector<TagValuesRow>& rows, std::span<const TagValuesRow> run_rows) {
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> existing;
  for (size_t i = 0; i < rows.size(); ++i) existing[{rows[i].key, rows[i].value}].push_back(i);
  for (const TagValuesRow& run : run_rows) {
    auto it = existing.find({run.key, run.value});
    if (it == existing.end()) {
      rows.push_back(run);
      rows.back().uuid.reset();
      existing[{run.key, run.value}].push_back(rows.size() - 1);
      continue;
    }
    for (size_t i : it->second) {
      TagValuesRow& r = rows[i];
      r.cluster_ids = run.cluster_ids;
      r.cluster_aliases = run.cluster_aliases;
      r.namespaces = run.namespaces;
      r.nodes = run.nodes;
    }
  }
}

}  // namespace ocpagg
