#include "ocpagg/ingest/operator_csv.h"

#include <arrow/csv/api.h>
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
  reader->bad_lines_ = std::make_shared<BadLines>();

  // Arrow takes its blocks from a CsvBlockStream, which cuts them where Arrow can join their
  // records and makes a block as long as a long line needs: Arrow must accept the longest.
  reader->blocks_ = std::make_shared<CsvBlockStream>(std::move(stream), options.block_bytes,
                                                     options.max_line_bytes);
  if (reader->blocks_->max_block_bytes() > std::numeric_limits<int32_t>::max()) {
    return MakeError(ErrorKind::kInternal,
                     fmt::format("CSV block size {} + line limit {} is too large",
                                 options.block_bytes, options.max_line_bytes));
  }
  auto read_options = arrow::csv::ReadOptions::Defaults();
  read_options.use_threads = options.use_threads;
  read_options.block_size = static_cast<int32_t>(reader->blocks_->max_block_bytes());

  auto parse_options = arrow::csv::ParseOptions::Defaults();
  parse_options.newlines_in_values = true;  // pandas accepts quoted newlines
  parse_options.ignore_empty_lines = true;  // pandas' skip_blank_lines
  std::weak_ptr<BadLines> bad_lines = reader->bad_lines_;
  parse_options.invalid_row_handler = [bad_lines](const arrow::csv::InvalidRow& row) {
    auto state = bad_lines.lock();
    if (state && row.actual_columns > row.expected_columns) {
      state->skipped.fetch_add(1);
      return arrow::csv::InvalidRowResult::Skip;
    }
    if (state) {
      std::lock_guard<std::mutex> lock(state->mu);
      if (!state->first_error) {
        // row.number is Arrow's record number, not a line: Explain finds the line.
        state->first_error = {row.number, fmt::format("{} fields where the header has {}",
                                                      row.actual_columns, row.expected_columns)};
      }
    }
    return arrow::csv::InvalidRowResult::Error;
  };

  auto convert_options = arrow::csv::ConvertOptions::Defaults();
  convert_options.strings_can_be_null = false;
  convert_options.quoted_strings_can_be_null = false;
  convert_options.check_utf8 = true;
  for (const std::string& name : header) convert_options.column_types[name] = arrow::utf8();

  auto made = arrow::csv::StreamingReader::Make(arrow::io::default_io_context(), reader->blocks_,
                                                read_options, parse_options, convert_options);
  // Errors in the first block come from Make.
  if (!made.ok()) return reader->Explain(made.status());
  reader->reader_ = *made;
  const arrow::Schema& schema = *reader->reader_->schema();
  if (schema.num_fields() != static_cast<int>(header.size())) {
    return BadInput("{}: line 1: the header has {} columns but the CSV reader found {}",
                    reader->display_name_, header.size(), schema.num_fields());
  }
  // Column types are set by name, so a column the CSV reader names otherwise than `header` would
  // come back with an inferred type, where the converters expect utf8. It happens where the two
  // split the header line differently: "a,b\r\r\n" is "a","b\r" here and "a","b" to Arrow,
  // whose line ends at the first '\r'.
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string& name = schema.field(static_cast<int>(i))->name();
    if (name != header[i]) {
      // Quoted and escaped as JSON strings: the names differ in control characters.
      std::string ours, arrows;
      AppendPythonJsonString(header[i], &ours);
      AppendPythonJsonString(name, &arrows);
      return BadInput(
          "{}: line 1: column {} of the header reads as {} or as {}; is there a stray carriage "
          "return or quote in the header line?",
          reader->display_name_, i + 1, ours, arrows);
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

void OperatorCsvReader::Prefetch() {
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    Status st = reader_->ReadNext(&batch);
    std::unique_lock<std::mutex> lock(queue_mu_);
    queue_cv_.wait(lock, [&] { return stop_ || queue_.size() < kPrefetchBatches; });
    if (stop_) return;
    const bool last = !st.ok() || !batch;
    if (st.ok()) {
      queue_.emplace_back(std::move(batch));
    } else {
      queue_.emplace_back(st);
    }
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
  std::optional<BadLines::Row> bad_row;
  {
    std::lock_guard<std::mutex> lock(bad_lines_->mu);
    bad_row = bad_lines_->first_error;
  }
  if (bad_row) {
    std::optional<int64_t> line;
    if (bad_row->record >= 0 && reopen_) {
      auto located = CsvLocator(reopen_, static_cast<int>(header_.size()))
                         .LineOfRecordField(bad_row->record, 0);
      if (located.ok()) line = *located;
    }
    if (line) return BadInput("{}: line {}: {}", display_name_, *line, bad_row->what);
    if (bad_row->record >= 0) {
      return BadInput("{}: record {} (the header is record 1): {}", display_name_, bad_row->record,
                      bad_row->what);
    }
    return BadInput("{}: a row has {}", display_name_, bad_row->what);
  }
  if (KindOf(st) == ErrorKind::kBadInput && st.detail()) return WithContext(st, display_name_);
  if (auto located = LocateArrowCsvError(st.message(), display_name_, header_, reopen_)) {
    return *located;
  }
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
