#pragma once
// The rows of the tables beside the summary (koku/table_columns.h) in the text formats ocpagg
// writes and reads back: PostgreSQL's COPY text and its text output, and CSV files with
// PostgreSQL's CSV conventions (NULL an unquoted empty field, '' a quoted one). Arrays are
// PostgreSQL's array text ({a,"b c",NULL}) in every format.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/common/uuid.h"
#include "ocpagg/koku/settings.h"
#include "ocpagg/koku/table_columns.h"

namespace ocpagg {

// "id, cluster_id, ..." for COPY's column list (names quoted where SQL needs it: "values").
std::string TableColumnList(const TableSpec& spec);

// Gives every row whose key column (columns[0]) is NULL a new random uuid.
void AssignKeys(std::vector<TableRow>& rows, UuidGenerator& uuids);

// One line of COPY text; numbers as koku's engine `compat` stores them (pg/numeric_text.h).
Status AppendTableCopyRow(const TableSpec& spec, const TableRow& row, Compat compat,
                          std::string& out);

// The header line, and one CSV line (numbers as the shortest round-trip text).
void AppendTableCsvHeader(const TableSpec& spec, std::string& out);
void AppendTableCsvRow(const TableSpec& spec, const TableRow& row, std::string& out);

// PostgreSQL's array text of `values`, and back.
void AppendArrayText(const TextArray& values, std::string& out);
Result<TextArray> ParseArrayText(std::string_view text);

// A value of a column of `type` from its text (PostgreSQL's output, or a CSV field); nullopt is
// NULL.
Result<Cell> ParseCell(CellType type, std::optional<std::string_view> text);

// The rows of a CSV file AppendTableCsv* wrote, columns matched by the header's names (a column
// the file lacks is NULL). `path` names the file in errors.
Result<std::vector<TableRow>> ParseTableCsv(const TableSpec& spec, std::string_view text,
                                            const std::string& path);

}  // namespace ocpagg
