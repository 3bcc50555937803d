#include "ocpagg/ingest/label_json_cache.h"

#include "ocpagg/ingest/cell_converters.h"
#include "ocpagg/koku/operator_labels.h"

namespace ocpagg {

std::string_view LabelJsonCache::Get(std::string_view cell) {
  if (auto it = json_by_cell_.find(cell); it != json_by_cell_.end()) return it->second;
  // koku's CSV rewrite empties NA tokens, and an empty label string gives "{}".
  std::string_view labels = IsPandasNaToken(cell) ? std::string_view() : cell;
  auto parsed = ParseOperatorLabels(labels);
  for (const auto& label : parsed) {
    if (!label_keys_.contains(label.first)) label_keys_.insert(label.first);
  }
  scratch_.clear();
  AppendOperatorLabelsJson(labels, &scratch_);
  std::string_view json = arena_.Copy(scratch_);
  json_by_cell_.emplace(arena_.Copy(cell), json);
  return json;
}

void LabelJsonCache::Trim() {
  if (arena_.bytes() <= max_bytes_) return;
  json_by_cell_.clear();
  arena_.Clear();
}

}  // namespace ocpagg
