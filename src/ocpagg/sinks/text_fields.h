#pragma once
// One value as a field of the text formats ocpagg writes: PostgreSQL's CSV and COPY text. The
// summary rows (summary_encoding.h) and the tables beside them (table_encoding.h) share these.

#include <cstdint>
#include <string>
#include <string_view>

namespace ocpagg {

// A CSV field: quoted when empty (PostgreSQL's CSV reads an unquoted empty field as NULL) or
// holding a comma, quote or line break.
void AppendCsvField(std::string& out, std::string_view value);
// A COPY text field: backslash, tab, newline and carriage return escaped.
void AppendCopyField(std::string& out, std::string_view value);
// The shortest decimal text that reads back as the same double.
void AppendShortestDouble(std::string& out, double v);
void AppendInteger(std::string& out, int64_t v);

}  // namespace ocpagg
