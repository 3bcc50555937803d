#pragma once
// koku's statement (iii), unallocated capacity (koku.md §2.7). It reads back the Pod rows that
// statement (ii) just wrote, as doubles, and per (node, day):
//   - skips rows whose namespace is NULL or one of 'Platform unallocated', 'Worker unallocated',
//     'Network unattributed', 'Storage unattributed' (`namespace != ...` is not true for NULL);
//   - usage/request/effective = max(node capacity hours) - sum(pod row values), never clamped,
//     so over-requested nodes give negative values;
//   - namespace from max(node_role) over the (node, resource_id) of those rows in
//     reporting_ocp_nodes: master or infra → 'Platform unallocated', worker → 'Worker
//     unallocated', anything else or no row → NULL;
//   - one row per cost-category pattern the namespace matches (no aggregate: duplicates, §2.8).

#include <span>
#include <vector>

#include "ocpagg/aggregate/cost_categories.h"
#include "ocpagg/aggregate/node_roles.h"
#include "ocpagg/koku/date.h"
#include "ocpagg/koku/summary_row.h"

namespace ocpagg {

// The unallocated rows of `day` from that day's Pod rows, nodes in first-seen order.
std::vector<SummaryRow> UnallocatedRows(std::span<const SummaryRow> pod_rows,
                                        const NodeRoleTable& roles,
                                        const CostCategoryMatcher& categories, Date day);

}  // namespace ocpagg
