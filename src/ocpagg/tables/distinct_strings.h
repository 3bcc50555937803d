#pragma once
// array_agg(DISTINCT ...) of interned strings, as the tables beside the summary hold them.

#include <absl/container/flat_hash_set.h>

#include "ocpagg/aggregate/string_pool.h"
#include "ocpagg/koku/table_columns.h"

namespace ocpagg {

// The strings of `ids` sorted byte-wise, a NULL (kNullString) last: the array PostgreSQL's
// array_agg(DISTINCT ...) builds under the C collation.
inline TextArray SortedArray(const StringPool& strings, const absl::flat_hash_set<StringId>& ids) {
  TextArray out;
  out.reserve(ids.size());
  for (StringId id : ids) out.push_back(strings.Copy(id));
  SortNullsLast(out);
  return out;
}

}  // namespace ocpagg
