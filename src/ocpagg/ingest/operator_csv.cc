#include "ocpagg/ingest/operator_csv.h"

#include <arrow/io/interfaces.h>
#include <arrow/record_batch.h>

#include <limits>
#include <string_view>

#include "ocpagg/koku/operator_labels.h"

namespace ocpagg {
namespace {

// Parsed batches waiting for the consumer: enough to keep both threads busy, few enough to
// keep memory small.
constexpr size_t kPrefetchBatches = 4;
// Header lines longer than this are not an operator CSV.
constexpr int64_t kMaxHeaderBytes = 1 << 20;

// Splits one CSV record (RFC 4180 quoting) into fields.
std::vector<std::string> SplitRecord(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back().push_back(c);
      }
    } else if (c == '"' && fields.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back().push_back(c);
    }
  }
  return fields;
}

}  // namespace

Result<std::optional<std::vector<std::string>>> PeekCsvHeader(
    arrow::io::BufferedInputStream* stream, const std::string& display_name) {
  auto peeked = stream->Peek(kMaxHeaderBytes);
  if (!peeked.ok()) {
    return BadInput("{}: cannot read: {}", display_name, peeked.status().message());
  }
  std::string_view text = *peeked;
  if (text.empty()) return std::nullopt;
  size_t start = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  bool quoted = false;
  size_t end = start;
  while (end < text.size() && (quoted || text[end] != '\n')) {
    if (text[end] == '"') quoted = !quoted;
    ++end;
  }
  if (end == text.size() && static_cast<int64_t>(text.size()) == kMaxHeaderBytes) {
    return BadInput("{}: line 1: no end of the header line within {} bytes", display_name,
                    kMaxHeaderBytes);
  }
  std::string_view line = text.substr(start, end - start);
  if (line.ends_with('\r')) line.remove_suffix(1);
  if (line.empty()) return std::nullopt;
  return SplitRecord(line);
}

Result<std::unique_ptr<OperatorCsvReader>> OperatorCsvReader::Open(
    std::shared_ptr<arrow::io::InputStream> stream, const std::vector<std::string>& header,
    std::string display_name, const OperatorCsvOptions& options, StreamOpener reopen) {
  std::unique_ptr<OperatorCsvReader> reader(new OperatorCsvReader());
  reader->display_name_ = std::move(display_name);
  reader->header_ = header;
  reader->reopen_ = std::move(reopen);
  reader->blocks_ = std::make_shared<CsvBlockStream>(std::move(stream), options.block_bytes,
                                                     options.max_line_bytes);
  if (reader->blocks_->max_block_bytes() > std::numeric_limits<int32_t>::max()) {
    return MakeError(ErrorKind::kInternal,
                     fmt::format("CSV block size {} + line limit {} is too large",
                                 options.block_bytes, options.max_line_bytes));
  }
  reader->tokenizer_ = std::make_unique<CsvTokenizer>(header);

  // The header record as the tokenizer reads it; the rest of the first block is read later.
  auto first = reader->blocks_->Read(reader->blocks_->max_block_bytes());
  if (!first.ok()) return reader->Explain(first.status());
  reader->first_block_ = *first;
  reader->first_rows_ =
      std::string_view(reinterpret_cast<const char*>(reader->first_block_->data()),
                       static_cast<size_t>(reader->first_block_->size()));
  const std::vector<std::string> names = CsvTokenizer::ReadHeaderRecord(&reader->first_rows_);
  if (names.empty()) {
    return BadInput("{}: line 1: no header line, only blank lines", reader->display_name_);
  }
  if (names.size() != header.size()) {
    return BadInput("{}: line 1: the header has {} columns but the CSV reader found {}",
                    reader->display_name_, header.size(), names.size());
  }
  // PeekCsvHeader and the tokenizer split a header line differently where it holds a stray
  // '\r' or quote: "a,b\r\r\n" is "a","b\r" to the one and "a","b" to the other, whose line
  // ends at the first '\r'.
  for (size_t i = 0; i < header.size(); ++i) {
    if (names[i] != header[i]) {
      // Quoted and escaped as JSON strings: the names differ in control characters.
      std::string ours, tokenized;
      AppendPythonJsonString(header[i], &ours);
      AppendPythonJsonString(names[i], &tokenized);
      return BadInput(
          "{}: line 1: column {} of the header reads as {} or as {}; is there a stray carriage "
          "return or quote in the header line?",
          reader->display_name_, i + 1, ours, tokenized);
    }
  }
  return reader;
}

OperatorCsvReader::~OperatorCsvReader() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stop_ = true;
  }
  queue_cv_.notify_all();
  if (prefetcher_.joinable()) prefetcher_.join();
}

Result<std::shared_ptr<arrow::RecordBatch>> OperatorCsvReader::ReadBatch() {
  std::string_view rows = first_rows_;
  std::shared_ptr<arrow::Buffer> block = std::move(first_block_);
  first_rows_ = {};
  if (!block) {
    ARROW_ASSIGN_OR_RAISE(block, blocks_->Read(blocks_->max_block_bytes()));
    if (block->size() == 0) return nullptr;
    rows = std::string_view(reinterpret_cast<const char*>(block->data()),
                            static_cast<size_t>(block->size()));
  }
  auto batch = tokenizer_->Tokenize(rows);
  bad_lines_skipped_.store(tokenizer_->rows_with_extra_fields());
  return batch;
}

void OperatorCsvReader::Prefetch() {
  while (true) {
    Result<std::shared_ptr<arrow::RecordBatch>> batch = ReadBatch();
    std::unique_lock<std::mutex> lock(queue_mu_);
    queue_cv_.wait(lock, [&] { return stop_ || queue_.size() < kPrefetchBatches; });
    if (stop_) return;
    const bool last = !batch.ok() || !*batch;
    queue_.push_back(std::move(batch));
    lock.unlock();
    queue_cv_.notify_all();
    if (last) return;
  }
}

Status OperatorCsvReader::Explain(const Status& st) {
  if (auto too_long = blocks_ ? blocks_->too_long() : std::nullopt;
      too_long && st.detail() == too_long->first.detail()) {
    const int64_t limit = blocks_->max_record_bytes();
    const std::string size = limit % (1 << 20) == 0 ? fmt::format("{} MiB", limit >> 20)
                                                    : fmt::format("{} bytes", limit);
    std::optional<int64_t> line;
    if (reopen_) {
      auto located =
          CsvLocator(reopen_, static_cast<int>(header_.size())).LineOfOffset(too_long->second);
      if (located.ok()) line = *located;
    }
    const std::string which =
        line ? fmt::format("line {}", *line) : fmt::format("the line at byte {}", too_long->second);
    return BadInput(
        "{}: {} is longer than {}, the longest CSV line ingest reads (line breaks in quoted "
        "cells included)",
        display_name_, which, size);
  }
  // Set before the failed batch was queued, read after it was taken from the queue.
  if (tokenizer_ && tokenizer_->problem()) {
    return LocateCsvRowProblem(*tokenizer_->problem(), display_name_, header_, reopen_);
  }
  if (KindOf(st) == ErrorKind::kBadInput && st.detail()) return WithContext(st, display_name_);
  return BadInput("{}: {}", display_name_, st.message());
}

std::optional<int64_t> OperatorCsvReader::LineOfRowField(int64_t row, int column) const {
  if (!reopen_) return std::nullopt;
  auto line = CsvLocator(reopen_, static_cast<int>(header_.size())).LineOfRowField(row, column);
  return line.ok() ? *line : std::nullopt;
}

Result<std::shared_ptr<arrow::RecordBatch>> OperatorCsvReader::Next() {
  if (!prefetcher_.joinable()) prefetcher_ = std::thread([this] { Prefetch(); });
  std::unique_lock<std::mutex> lock(queue_mu_);
  queue_cv_.wait(lock, [&] { return !queue_.empty(); });
  Result<std::shared_ptr<arrow::RecordBatch>> next = std::move(queue_.front());
  // The end (or an error) stays queued, so every later call sees it again.
  if (next.ok() && *next) queue_.pop_front();
  lock.unlock();
  queue_cv_.notify_all();
  if (!next.ok()) return Explain(next.status());
  if (*next) rows_read_ += (*next)->num_rows();
  return next;
}

}  // namespace ocpagg
