#pragma once
// koku's per-cell conversions of operator CSV text (docs/semantics.md "Operator reports", "Cell
// conversions"), one function per step of koku's pipeline: kafka_msg_handler.get_data_frame first
// reads every cell as a pandas string (pandas' NA tokens become empty), sanitizes some columns and
// rewrites the CSV; then OCPPostProcessor's converters turn the rewritten cells into timestamps,
// floats and JSON.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ocpagg {

// True for the cells pandas' read_csv reads as NA by default ("", "NA", "NaN", "nan", "null",
// "None", "N/A", "#N/A", "<NA>", ...). koku's CSV rewrite turns them into empty cells, so a
// numeric "nan" ends up 0.0 and a namespace "None" ends up ''.
bool IsPandasNaToken(std::string_view cell);

// koku's safe_float: Python's float(cell), or 0.0 when that raises. Accepts surrounding ASCII
// whitespace, a sign, digits with single '_' separators, "inf"/"infinity"/"nan" in any case;
// overflow gives +-inf like Python.
double SafeFloat(std::string_view cell);

// A numeric cell after both steps: NA tokens are empty, and empty is 0.0 (never NULL).
inline double KokuNumericCell(std::string_view cell) {
  return IsPandasNaToken(cell) ? 0.0 : SafeFloat(cell);
}

// koku's process_openshift_datetime: every " +0000 UTC" is removed, then the text is parsed as
// ciso8601 does (a calendar, ordinal or week date, optionally followed by 'T' or ' ' and
// hh[:mm[:ss[.f]]], optionally a 'Z' or +-hh[:mm] offset). Returns milliseconds since the epoch of
// the naive UTC time, sub-millisecond digits truncated (koku writes coerce_timestamps="ms"); an
// offset is applied to reach UTC. nullopt when the text does not parse: koku then fails the whole
// file.
std::optional<int64_t> ParseOperatorTimestampMillis(std::string_view cell);

// True when koku's sanitizer would change the cell (a NUL byte, or one of & < > " ').
bool NeedsKokuSanitizing(std::string_view cell);
// Appends the cell with NUL bytes removed and html.escape(quote=True) applied: & < > " ' become
// &amp; &lt; &gt; &quot; &#x27;.
void AppendKokuSanitized(std::string_view cell, std::string* out);

}  // namespace ocpagg
