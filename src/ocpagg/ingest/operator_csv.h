#pragma once
// Streaming reader of one operator CSV (CRLF lines, a header on every file) with Arrow's CSV
// reader: every column as a non-null utf8 string, an empty cell as '' like koku's converters.
// Lines may be longer than a block, up to OperatorCsvOptions::max_line_bytes (CsvBlockStream);
// errors name the line as an editor counts it (CsvLocator).

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

namespace arrow::csv {
class StreamingReader;
}

namespace ocpagg {

// Reads the header line of `stream` without consuming it (a UTF-8 BOM and quotes handled).
// nullopt for an empty file. `display_name` names the file in errors.
Result<std::optional<std::vector<std::string>>> PeekCsvHeader(
    arrow::io::BufferedInputStream* stream, const std::string& display_name);

struct OperatorCsvOptions {
  int64_t block_bytes = 4 << 20;              // the usual size of the blocks Arrow parses
  int64_t max_line_bytes = kMaxCsvLineBytes;  // a longer line fails the file (see CsvBlockStream)
  bool use_threads = true;
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
  int64_t bad_lines_skipped() const { return bad_lines_->skipped.load(); }

 private:
  struct BadLines {
    struct Row {
      int64_t record = -1;  // Arrow's record number (the header is 1), -1 when unknown
      std::string what;
    };
    std::atomic<int64_t> skipped{0};
    std::mutex mu;
    std::optional<Row> first_error;  // the first row with too few fields
  };

  OperatorCsvReader() = default;
  void Prefetch();
  Status Explain(const Status& st);

  std::shared_ptr<CsvBlockStream> blocks_;
  std::shared_ptr<arrow::csv::StreamingReader> reader_;
  std::thread prefetcher_;
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Result<std::shared_ptr<arrow::RecordBatch>>> queue_;
  bool stop_ = false;
  std::string display_name_;
  std::vector<std::string> header_;
  StreamOpener reopen_;
  std::shared_ptr<BadLines> bad_lines_;
  int64_t rows_read_ = 0;
};

}  // namespace ocpagg
