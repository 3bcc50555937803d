#pragma once
// Splits operator CSV text into string columns, one block of whole records at a time (the
// blocks CsvBlockStream cuts). Records are lexed as Arrow's CSV reader lexes them with ingest's
// options, which is also how CsvBlockStream and CsvLocator split them: ',' between fields, '"'
// quoting only at the start of a field with "" for a quote inside (text after the closing quote
// goes on unquoted), CR, LF or CRLF line ends, line breaks kept in quoted fields, blank lines
// skipped, a UTF-8 BOM at the start of the file skipped, and a last record without a line end
// read to the end of the file.
//
// Each field is copied once, into the data buffer of its column; the buffers are sized
// exactly before the copy. UTF-8 is checked once per block (simdjson); only a block that fails
// is checked field by field, to find the column and row to report.

#include <arrow/type_fwd.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/ingest/csv_locator.h"

namespace ocpagg {

class CsvTokenizer {
 public:
  // `names` are the header's fields: the columns of every batch, all utf8 and non-null.
  explicit CsvTokenizer(const std::vector<std::string>& names);
  CsvTokenizer(const CsvTokenizer&) = delete;
  CsvTokenizer& operator=(const CsvTokenizer&) = delete;

  // Reads the first record of the file from the start of its first block (after a BOM and
  // blank lines) and returns its fields, with *block advanced past it; an empty vector when
  // the block holds no record.
  static std::vector<std::string> ReadHeaderRecord(std::string_view* block);

  // The data rows of `block`, whole records of the file after those of earlier calls (and
  // after the header). A row with more fields than the header is dropped and counted; one
  // with fewer fails (bad input), as does a field that is not UTF-8: problem() says which.
  Result<std::shared_ptr<arrow::RecordBatch>> Tokenize(std::string_view block);

  int64_t rows_with_extra_fields() const { return rows_with_extra_fields_; }
  const std::optional<CsvRowProblem>& problem() const { return problem_; }

 private:
  // A field of the block: its bytes in the block, or, with kInScratch set in `offset`, in
  // scratch_ (a quoted field, unquoted).
  struct Span {
    uint32_t offset;
    uint32_t size;
  };
  static constexpr uint32_t kInScratch = 0x80000000U;

  // Lexes one record starting at `p` (not a line break) into *spans, quoted fields into
  // *scratch; returns where the next record starts. Offsets are from `begin`.
  static const char* LexRecord(const char* begin, const char* p, const char* end,
                               std::vector<Span>* spans, std::string* scratch);
  // The text of a field lexed from `block`, quoted fields into `scratch`.
  static std::string_view View(std::string_view block, std::string_view scratch, Span span);
  // The problem of the first invalid UTF-8 cell of the block, column by column.
  Status InvalidUtf8(std::string_view block);

  const int num_columns_;
  std::shared_ptr<arrow::Schema> schema_;
  int64_t records_ = 1;  // the header
  int64_t rows_with_extra_fields_ = 0;
  std::optional<CsvRowProblem> problem_;
  // Per block: num_columns_ spans per data row, the record number of each row, unquoted text.
  std::vector<Span> spans_;
  std::vector<int64_t> row_records_;
  std::string scratch_;
  std::vector<int64_t> column_bytes_;
};

}  // namespace ocpagg
