#include "ocpagg/aggregate/cost_categories.h"

#include <algorithm>

namespace ocpagg {

Result<CostCategoryMatcher> CostCategoryMatcher::Make(std::span<const CostCategoryPattern> patterns,
                                                      Compat compat) {
  CostCategoryMatcher m;
  m.patterns_.reserve(patterns.size());
  for (const auto& p : patterns) {
    ARROW_ASSIGN_OR_RAISE(LikePattern compiled, LikePattern::Compile(p.pattern, compat));
    m.patterns_.push_back({std::move(compiled), p.cost_category_id});
  }
  return m;
}

std::vector<int32_t> CostCategoryMatcher::MatchingIds(
    std::optional<std::string_view> namespace_) const {
  std::vector<int32_t> ids;
  if (!namespace_) return ids;  // NULL LIKE anything is NULL: no row joins
  for (const auto& p : patterns_) {
    if (p.pattern.Matches(*namespace_)) ids.push_back(p.cost_category_id);
  }
  return ids;
}

CostCategoryJoin CostCategoryMatcher::Join(std::optional<std::string_view> namespace_) const {
  CostCategoryJoin join;
  const std::vector<int32_t> ids = MatchingIds(namespace_);
  if (ids.empty()) return join;
  join.joined_rows = static_cast<int32_t>(ids.size());
  join.max_category_id = *std::max_element(ids.begin(), ids.end());
  return join;
}

}  // namespace ocpagg
