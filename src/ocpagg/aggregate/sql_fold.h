#pragma once
// SQL aggregate semantics over nullable doubles, shared by the aggregators: max() skips NULLs
// and orders NaN above every number (PostgreSQL's float8 order), sum() skips NULLs and is NULL
// when every input was NULL.

#include <cmath>
#include <optional>

namespace ocpagg {

inline void FoldMax(std::optional<double>& acc, std::optional<double> v) {
  if (!v) return;
  if (!acc || std::isnan(*v) || (!std::isnan(*acc) && *v > *acc)) acc = v;
}

inline void FoldSum(std::optional<double>& acc, std::optional<double> v) {
  if (v) acc = acc.value_or(0.0) + *v;
}

// greatest(a, b) over non-NULL doubles, NaN above every number.
inline double Greatest(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) ? a : b;
  return a < b ? b : a;
}

}  // namespace ocpagg
