#pragma once
// Where something is in an operator CSV, as the line number a user sees in an editor: the
// header is line 1 and every line break counts (CRLF, LF or a lone CR), those inside quoted
// cells and blank lines included. The CSV reader numbers records instead (the header is
// record 1, a blank line does not count, a record with quoted line breaks counts once) and the
// rows it returns leave out the records it drops, so neither is a line number.
//
// Reading keeps no per-line bookkeeping, which would slow every file down for the sake of
// rare errors: the locator reads the file again from its start when an error needs a line.
// It splits records as the reader does (csv_tokenizer.h: ',' between fields, '"' quoting only at
// the start of a field, "" for a quote inside one, a UTF-8 BOM skipped).

#include <arrow/io/interfaces.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocpagg/common/status.h"

namespace ocpagg {

// Opens the file again, positioned at its first byte.
using StreamOpener = std::function<Result<std::shared_ptr<arrow::io::InputStream>>()>;

// A data row the CSV reader cannot return, by its record number (see LineOfRecordField).
struct CsvRowProblem {
  int64_t record = 0;
  int column = -1;   // the column of an invalid UTF-8 cell; -1 for a row with too few fields
  std::string what;  // e.g. "2 fields where the header has 19"; empty for invalid UTF-8
};

struct InvalidUtf8Cell {
  int64_t line = 0;     // the line holding the first invalid byte
  uint8_t byte = 0;     // that byte
  std::string excerpt;  // the cell around it, escaped for a message: invalid bytes as \xHH
};

class CsvLocator {
 public:
  // `num_columns` is the number of fields of the header.
  CsvLocator(StreamOpener opener, int num_columns);

  // The line on which field `column` of record `record` starts, records numbered as the CSV
  // reader (and Arrow's "Row #") does: the header is 1; every non-blank record counts, dropped
  // ones too. nullopt when the file has no such field.
  Result<std::optional<int64_t>> LineOfRecordField(int64_t record, int column);

  // The same for data row `row`: 0-based, counting the records after the header that have as
  // many fields as the header, which are the rows the reader returns.
  Result<std::optional<int64_t>> LineOfRowField(int64_t row, int column);

  // The line holding byte `offset` of the file (the BOM included).
  Result<int64_t> LineOfOffset(int64_t offset);

  // The first field of `column` in a data row that is not valid UTF-8.
  Result<std::optional<InvalidUtf8Cell>> FirstInvalidUtf8(int column);

 private:
  StreamOpener opener_;
  int num_columns_;
};

// `problem` as a bad-input status that names the line of `file` (see CsvLocator) and the
// column by its name in `header`. An invalid UTF-8 cell is named by the line of the column's
// first invalid byte in the file, with the cell around it. Without `reopen`, or when the file
// cannot be read again, the record number stays.
Status LocateCsvRowProblem(const CsvRowProblem& problem, const std::string& file,
                           const std::vector<std::string>& header, const StreamOpener& reopen);

// The length of the valid UTF-8 sequence that starts `text`, or 0 when it does not start with
// one (overlong forms, surrogates and code points above U+10FFFF are invalid, as in Arrow).
int Utf8SequenceLength(std::string_view text);

// `text` for a message: valid UTF-8 and printable ASCII as they are, \n \r \t \\ and \' escaped,
// other bytes as \xHH.
std::string EscapeForMessage(std::string_view text);

}  // namespace ocpagg
