#pragma once
// Streaming reader of one operator CSV (CRLF lines, a header on every file): every column as a
// non-null utf8 string, an empty cell as '' like koku's converters. Blocks of whole records
// (CsvBlockStream) are split into columns by CsvTokenizer; lines may be longer than a block, up
// to OperatorCsvOptions::max_line_bytes. Errors name the line as an editor counts it
// (CsvLocator).

#include <arrow/io/buffered.h>
#include <arrow/type_fwd.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/ingest/csv_blocks.h"
#include "ocpagg/ingest/csv_locator.h"
#include "ocpagg/ingest/csv_tokenizer.h"

namespace ocpagg {

// Reads the header line of `stream` without consuming it (a UTF-8 BOM and quotes handled).
// nullopt for an empty file. `display_name` names the file in errors.
Result<std::optional<std::vector<std::string>>> PeekCsvHeader(
    arrow::io::BufferedInputStream* stream, const std::string& display_name);

struct OperatorCsvOptions {
  int64_t block_bytes = 4 << 20;              // the usual size of the blocks parsed at once
  int64_t max_line_bytes = kMaxCsvLineBytes;  // a longer line fails the file (see CsvBlockStream)
};

class OperatorCsvReader {
 public:
  // `header` is the one PeekCsvHeader returned for `stream`. `reopen` gives the file again
  // from its start, for errors to find their line (see CsvLocator); it may be empty.
  static Result<std::unique_ptr<OperatorCsvReader>> Open(
      std::shared_ptr<arrow::io::InputStream> stream, const std::vector<std::string>& header,
      std::string display_name, const OperatorCsvOptions& options, StreamOpener reopen = {});
  ~OperatorCsvReader();

  // The next rows (columns in header order, utf8), or nullptr at the end. Reading and parsing
  // run on a background thread a few batches ahead, overlapping the caller's work. A row with fewer
  // fields than the header fails (bad input, with its line); a row with more fields is dropped
  // and counted, as pandas' on_bad_lines="warn" in koku does.
  Result<std::shared_ptr<arrow::RecordBatch>> Next();

  int64_t rows_read() const { return rows_read_; }
  // The line on which field `column` of row `row` (0-based, counting the rows Next returned)
  // starts, read again from the file; nullopt when it cannot be read again.
  std::optional<int64_t> LineOfRowField(int64_t row, int column) const;
  int64_t bad_lines_skipped() const { return bad_lines_skipped_.load(); }

 private:
  OperatorCsvReader() = default;
  void Prefetch();
  // The next block's rows, on the prefetching thread; nullptr at the end.
  Result<std::shared_ptr<arrow::RecordBatch>> ReadBatch();
  Status Explain(const Status& st);

  std::shared_ptr<CsvBlockStream> blocks_;
  std::unique_ptr<CsvTokenizer> tokenizer_;
  std::shared_ptr<arrow::Buffer> first_block_;  // the rows after the header are not read yet
  std::string_view first_rows_;
  std::thread prefetcher_;
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Result<std::shared_ptr<arrow::RecordBatch>>> queue_;
  bool stop_ = false;
  std::string display_name_;
  std::vector<std::string> header_;
  StreamOpener reopen_;
  std::atomic<int64_t> bad_lines_skipped_{0};
  int64_t rows_read_ = 0;
};

}  // namespace ocpagg
