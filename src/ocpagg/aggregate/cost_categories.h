#pragma once
// The join `LEFT JOIN reporting_ocp_cost_category_namespace cat_ns ON namespace LIKE
// cat_ns.namespace` that gives every summary row its cost_category_id (docs/semantics.md "Pod
// rows", "Storage rows", "Unallocated rows"). A namespace matching k > 1 patterns joins k rows: the
// pod and storage branches take max(cost_category_id) but their sums are counted k times, and the
// unallocated branch has no aggregate at all, so its row is duplicated k times (docs/semantics.md
// "Multiplicity traps" trap 2).

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/like_pattern.h"
#include "ocpagg/koku/settings.h"

namespace ocpagg {

// What the LEFT JOIN makes of one namespace.
struct CostCategoryJoin {
  int32_t joined_rows = 1;                 // max(1, patterns matched): the fan-out factor
  std::optional<int32_t> max_category_id;  // max(cat_ns.cost_category_id), NULL if no match
};

class CostCategoryMatcher {
 public:
  // Compiles the patterns with the LIKE rules of `compat`.
  static Result<CostCategoryMatcher> Make(std::span<const CostCategoryPattern> patterns,
                                          Compat compat);

  // The category id of every pattern `namespace_` matches, in table order; none for NULL.
  std::vector<int32_t> MatchingIds(std::optional<std::string_view> namespace_) const;

  // The join summarized for the pod and storage branches.
  CostCategoryJoin Join(std::optional<std::string_view> namespace_) const;

 private:
  struct Compiled {
    LikePattern pattern;
    int32_t cost_category_id;
  };
  std::vector<Compiled> patterns_;
};

}  // namespace ocpagg
