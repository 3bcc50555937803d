#pragma once
// double -> text for koku's numeric(33,15) columns (docs/semantics.md "Writing the rows",
// "PostgreSQL and Trino differences": numbers). PostgreSQL then rounds the text to 15 decimals
// (half away from zero), as both koku engines do.

#include <string>
#include <string_view>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/settings.h"

namespace ocpagg::pg {

// Appends the text of `value` to `out`:
//   kTrino:    the shortest round-trip decimal (Java's BigDecimal.valueOf, what Trino casts);
//   kPostgres: 15 significant digits, what PostgreSQL's float8 -> numeric cast keeps.
// NaN, infinities and |value| >= 1e18 would fail koku's insert: they are errors naming `column`.
Status AppendNumeric(double value, Compat compat, std::string_view column, std::string& out);

}  // namespace ocpagg::pg
