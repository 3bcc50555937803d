#pragma once
// Cuts an operator CSV into blocks of whole records for the CSV tokenizer (csv_tokenizer.h).
//
// A block is about `block_bytes` long and ends after its last whole record; a block that starts
// with a longer record is as long as that record, up to `max_record_bytes` (a longer one fails
// the file). Records end as CsvTokenizer has them end (',' between fields, '"' quoting only at
// the start of a field with "" inside it, CR, LF or CRLF line ends, a UTF-8 BOM skipped), so a
// quoted line break is never taken for a record end. A block without quotes costs one memchr.

#include <arrow/buffer.h>
#include <arrow/io/interfaces.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ocpagg/common/status.h"

namespace ocpagg {

// The longest CSV line ingest reads (a record, with the line breaks of its quoted cells).
// Kubernetes keeps an object within 1.5 MiB, labels included, and an operator line holds the
// labels of one or two objects.
constexpr int64_t kMaxCsvLineBytes = 16 << 20;

// Finds record ends in CSV text fed in pieces.
class CsvRecordEnds {
 public:
  struct Ends {
    int64_t first = -1;  // just past the first record end, -1 for none
    int64_t last = -1;   // just past the last one
    void Add(int64_t at);
    void Append(const Ends& later);  // the ends of text that follows, in the same offsets
  };
  // Scans the next piece of the text; the lexer starts at a record start.
  Ends Scan(const char* data, int64_t size);

 private:
  enum class State : uint8_t { kFieldStart, kInField, kInQuoted, kQuoteInQuoted };
  Ends ScanUnquoted(const char* data, int64_t size, int64_t from);
  Ends ScanQuoted(const char* data, int64_t size, int64_t from);

  State state_ = State::kFieldStart;
  // A CR ended the last piece: a record ends there, or after the LF that may follow it.
  bool pending_cr_ = false;
};

class CsvBlockStream : public arrow::io::InputStream {
 public:
  CsvBlockStream(std::shared_ptr<arrow::io::InputStream> source, int64_t block_bytes,
                 int64_t max_record_bytes);

  // The longest block Read(nbytes) returns.
  int64_t max_block_bytes() const { return max_record_bytes_ + 2 + block_bytes_; }
  int64_t max_record_bytes() const { return max_record_bytes_; }

  // When a Read failed on a record longer than max_record_bytes: the failure and the offset in
  // the file where the record starts.
  std::optional<std::pair<Status, int64_t>> too_long() const;

  // The next block, whole records (the last one may lack its line end at the end of the file)
  // when `nbytes` is max_block_bytes or more (a smaller read gets the block in pieces); empty
  // at the end.
  arrow::Result<std::shared_ptr<arrow::Buffer>> Read(int64_t nbytes) override;
  arrow::Result<int64_t> Read(int64_t nbytes, void* out) override;
  arrow::Status Close() override;
  bool closed() const override { return closed_; }
  arrow::Result<int64_t> Tell() const override { return position_; }

 private:
  Result<std::shared_ptr<arrow::Buffer>> NextBlock();

  std::shared_ptr<arrow::io::InputStream> source_;
  const int64_t block_bytes_;
  const int64_t max_record_bytes_;
  CsvRecordEnds record_ends_;
  std::string carry_;                       // read and scanned, not returned yet
  std::shared_ptr<arrow::Buffer> pending_;  // a block partly handed out by Read into memory
  int64_t position_ = 0;                    // bytes handed out
  bool source_done_ = false;
  bool closed_ = false;
  mutable std::mutex mu_;
  std::optional<std::pair<Status, int64_t>> too_long_;
};

}  // namespace ocpagg
