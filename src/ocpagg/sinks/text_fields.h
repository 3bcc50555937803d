#pragma once
// One value as a field of the text formats ocpagg writes: PostgreSQL's CSV and COPY text. The
// summary rows (summary_encoding.h) and the tables beside them (table_encoding.h) share these,
// and the reverse, SplitCsvRecords, reads such a CSV back.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ocpagg {

// A CSV field: quoted when empty (PostgreSQL's CSV reads an unquoted empty field as NULL) or
// holding a comma, quote or line break.
void AppendCsvField(std::string& out, std::string_view value);
// A COPY text field: backslash, tab, newline and carriage return escaped.
void AppendCopyField(std::string& out, std::string_view value);
// The shortest decimal text that reads back as the same double.
void AppendShortestDouble(std::string& out, double v);
void AppendInteger(std::string& out, int64_t v);

// A CSV field as read back: its text, and whether it was quoted (PostgreSQL's CSV reads an
// unquoted empty field as NULL and a quoted one as the empty text).
struct CsvField {
  std::string text;
  bool quoted = false;
};
// The records of CSV `text` (quotes doubled inside quoted fields, "\n" or "\r\n" line ends, the
// last line end optional), appended to `records`. False when the text ends inside a quoted field.
bool SplitCsvRecords(std::string_view text, std::vector<std::vector<CsvField>>& records);

}  // namespace ocpagg
