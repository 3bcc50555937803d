#include "ocpagg/pg/numeric_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace ocpagg::pg {

Status AppendNumeric(double value, Compat compat, std::string_view column, std::string& out) {
  if (!std::isfinite(value) || std::fabs(value) >= 1e18) {
    return SinkError(
        "{} = {} does not fit koku's numeric(33,15) column; koku's own insert fails on it too "
        "(check the input for values above 1e18 or NaN)",
        column, value);
  }
  char buf[64];
  if (compat == Compat::kTrino) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
    out.append(buf, end);
  } else {
    int n = std::snprintf(buf, sizeof(buf), "%.15g", value);
    out.append(buf, static_cast<size_t>(n));
  }
  return Status::OK();
}

}  // namespace ocpagg::pg
