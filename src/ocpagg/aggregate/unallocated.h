#pragma once
// koku's statement (iii), unallocated capacity (docs/semantics.md "Unallocated rows"). It reads
// back the Pod rows that statement (ii) just wrote, as doubles, and per (node, day):
//   - skips rows whose namespace is NULL or one of 'Platform unallocated', 'Worker unallocated',
//     'Network unattributed', 'Storage unattributed' (`namespace != ...` is not true for NULL);
//   - usage/request/effective = max(node capacity hours) - sum(pod row values), never clamped,
//     so over-requested nodes give negative values;
//   - namespace from max(node_role) over the (node, resource_id) of those rows in
//     reporting_ocp_nodes: master or infra → 'Platform unallocated', worker → 'Worker
//     unallocated', anything else or no row → NULL;
//   - one row per cost-category pattern the namespace matches (no aggregate, so duplicates:
//     docs/semantics.md "Multiplicity traps").
//
// The Pod rows are folded in as they are produced, so a day's rows never have to be held; the
// pieces of a day summarized separately (the partitions of a spilled day) merge their folds.

#include <absl/container/flat_hash_map.h>
#include <absl/functional/function_ref.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "ocpagg/aggregate/cost_categories.h"
#include "ocpagg/aggregate/node_roles.h"
#include "ocpagg/common/status.h"
#include "ocpagg/koku/date.h"
#include "ocpagg/koku/summary_row.h"

namespace ocpagg {

class UnallocatedCapacity {
 public:
  // `roles` must outlive this fold.
  explicit UnallocatedCapacity(const NodeRoleTable& roles) : roles_(&roles) {}

  // Folds in one row of statement (ii); rows that statement (iii) skips are ignored.
  void AddPodRow(const SummaryRow& row);
  // Folds in another fold of the same day; its new nodes come after this one's.
  void Merge(const UnallocatedCapacity& other);

  // The unallocated rows of `day`, nodes in first-seen order.
  Status Emit(const CostCategoryMatcher& categories, Date day,
              absl::FunctionRef<Status(SummaryRow&&)> emit) const;

 private:
  struct NodeGroup {
    std::string node;
    std::optional<std::string> max_resource_id;
    std::optional<std::string_view> max_role;  // views into the role table
    std::optional<std::string> last_role_lookup;
    std::array<std::optional<double>, kMetricCount> sums{};
    std::array<std::optional<double>, kMetricCount> maxes{};
  };
  NodeGroup& Group(std::string_view node);

  const NodeRoleTable* roles_;
  absl::flat_hash_map<std::string, size_t, StringViewHash, StringViewEq> index_;
  std::vector<NodeGroup> groups_;
};

}  // namespace ocpagg
