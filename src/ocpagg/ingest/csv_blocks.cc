#include "ocpagg/ingest/csv_blocks.h"

#include <algorithm>
#include <cstring>

namespace ocpagg {

void CsvRecordEnds::Ends::Add(int64_t at) {
  if (first < 0) first = at;
  last = at;
}

void CsvRecordEnds::Ends::Append(const Ends& later) {
  if (later.last < 0) return;
  if (first < 0) first = later.first;
  last = later.last;
}

CsvRecordEnds::Ends CsvRecordEnds::Scan(const char* data, int64_t size) {
  int64_t from = 0;
  Ends ends;
  if (pending_cr_ && size > 0) {
    pending_cr_ = false;
    from = data[0] == '\n' ? 1 : 0;
    ends.Add(from);
  }
  if (from == size) return ends;
  const bool quoted = state_ == State::kInQuoted || state_ == State::kQuoteInQuoted;
  if (!quoted && std::memchr(data + from, '"', static_cast<size_t>(size - from)) == nullptr) {
    ends.Append(ScanUnquoted(data, size, from));
  } else {
    ends.Append(ScanQuoted(data, size, from));
  }
  return ends;
}

// No quote in data[from, size) and none open: line breaks are record ends, found with memchr
// and memrchr. (A lone CR next to LFs may be missed: the LFs are record ends all the same.)
CsvRecordEnds::Ends CsvRecordEnds::ScanUnquoted(const char* data, int64_t size, int64_t from) {
  Ends ends;
  const char* begin = data + from;
  const auto n = static_cast<size_t>(size - from);
  auto after = [&](const void* at) { return static_cast<const char*>(at) + 1 - data; };
  const void* lf = std::memchr(begin, '\n', n);
  const auto* cr = static_cast<const char*>(
      std::memchr(begin, '\r', lf ? static_cast<size_t>(static_cast<const char*>(lf) - begin) : n));
  if (cr && cr + 1 < data + size) {
    ends.first = after(cr) + (cr + 1 == lf ? 1 : 0);  // after a lone CR or a CRLF
  } else if (lf) {
    ends.first = after(lf);
  }
  if (const void* last_lf = memrchr(begin, '\n', n)) {
    ends.last = after(last_lf);
  } else if (ends.first >= 0) {
    // Only lone CRs (the file's line ends, or one that ends the piece): the last one not at
    // the very end, as whether an LF follows that one is not known yet.
    ends.last = after(memrchr(begin, '\r', n - 1));
  }
  const char c = data[size - 1];
  state_ = c == ',' || c == '\n' || c == '\r' ? State::kFieldStart : State::kInField;
  pending_cr_ = c == '\r';
  return ends;
}

// The tokenizer's lexing (csv_tokenizer.h): quoting with doubled quotes, no escape character,
// line breaks allowed in quoted values.
CsvRecordEnds::Ends CsvRecordEnds::ScanQuoted(const char* data, int64_t size, int64_t from) {
  Ends ends;
  for (int64_t i = from; i < size; ++i) {
    const char c = data[i];
    switch (state_) {
      case State::kInQuoted:
        if (c == '"') state_ = State::kQuoteInQuoted;
        continue;
      case State::kQuoteInQuoted:
        if (c == '"') {  // "" inside quotes
          state_ = State::kInQuoted;
          continue;
        }
        state_ = State::kInField;  // the closing quote; the field may go on unquoted
        break;
      case State::kFieldStart:
        if (c == '"') {
          state_ = State::kInQuoted;
          continue;
        }
        state_ = State::kInField;
        break;
      case State::kInField:
        break;
    }
    if (c == ',') {
      state_ = State::kFieldStart;
    } else if (c == '\n') {
      state_ = State::kFieldStart;
      ends.Add(i + 1);
    } else if (c == '\r') {
      state_ = State::kFieldStart;
      if (i + 1 == size) {
        pending_cr_ = true;
      } else {
        if (data[i + 1] == '\n') ++i;
        ends.Add(i + 1);
      }
    }
  }
  return ends;
}

CsvBlockStream::CsvBlockStream(std::shared_ptr<arrow::io::InputStream> source, int64_t block_bytes,
                               int64_t max_record_bytes)
    : source_(std::move(source)), block_bytes_(block_bytes), max_record_bytes_(max_record_bytes) {}

std::optional<std::pair<Status, int64_t>> CsvBlockStream::too_long() const {
  std::lock_guard<std::mutex> lock(mu_);
  return too_long_;
}

Result<std::shared_ptr<arrow::Buffer>> CsvBlockStream::NextBlock() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (too_long_) return too_long_->first;
  }
  if (source_done_ && carry_.empty()) return std::make_shared<arrow::Buffer>(nullptr, 0);
  const int64_t block_offset = position_;  // nothing is pending when a block is made
  ARROW_ASSIGN_OR_RAISE(
      std::shared_ptr<arrow::ResizableBuffer> block,
      arrow::AllocateResizableBuffer(static_cast<int64_t>(carry_.size()) + block_bytes_));
  std::memcpy(block->mutable_data(), carry_.data(), carry_.size());
  int64_t filled = static_cast<int64_t>(carry_.size());
  int64_t scanned = filled;  // the carry was scanned with the block before
  CsvRecordEnds::Ends ends;  // offsets in the block
  if (block_offset == 0) {
    // The tokenizer skips a BOM before lexing; so does this, lest a quote after it look
    // unquoted.
    while (!source_done_ && filled < 3) {
      ARROW_ASSIGN_OR_RAISE(int64_t n, source_->Read(3 - filled, block->mutable_data() + filled));
      if (n == 0) source_done_ = true;
      filled += n;
    }
    if (filled >= 3 && std::memcmp(block->data(), "\xEF\xBB\xBF", 3) == 0) scanned = 3;
  }
  const int64_t longest = max_record_bytes_ + 2;  // a record and its CRLF
  int64_t cut = -1;
  while (true) {
    while (!source_done_ && filled < block->size()) {
      ARROW_ASSIGN_OR_RAISE(int64_t n,
                            source_->Read(block->size() - filled, block->mutable_data() + filled));
      if (n == 0) source_done_ = true;
      filled += n;
    }
    const auto* text = reinterpret_cast<const char*>(block->data());
    CsvRecordEnds::Ends piece = record_ends_.Scan(text + scanned, filled - scanned);
    for (int64_t* at : {&piece.first, &piece.last}) {
      if (*at >= 0) *at += scanned;
    }
    ends.Append(piece);
    scanned = filled;
    // The block starts at a record start (the carry is the start of a record without its end):
    // its first record end bounds the length of a record.
    const int64_t first_record = ends.first >= 0 ? ends.first : source_done_ ? filled : -1;
    if (first_record > longest || (first_record < 0 && filled >= longest)) {
      std::lock_guard<std::mutex> lock(mu_);
      too_long_ = {BadInput("a CSV line longer than {} bytes starts at byte {}", max_record_bytes_,
                            block_offset),
                   block_offset};
      return too_long_->first;
    }
    if (source_done_) {
      cut = filled;
    } else if (ends.last >= 0) {
      cut = ends.last;
    }
    if (cut >= 0) break;
    // The block's first record goes on: read more of it, doubling to keep copies linear.
    const int64_t size = std::min(longest, std::max(2 * block->size(), filled + block_bytes_));
    ARROW_RETURN_NOT_OK(block->Resize(size, /*shrink_to_fit=*/false));
  }
  carry_.assign(reinterpret_cast<const char*>(block->data()) + cut,
                static_cast<size_t>(filled - cut));
  return arrow::SliceBuffer(std::move(block), 0, cut);
}

arrow::Result<std::shared_ptr<arrow::Buffer>> CsvBlockStream::Read(int64_t nbytes) {
  if (closed_) return arrow::Status::Invalid("CSV block stream is closed");
  if (!pending_) {
    ARROW_ASSIGN_OR_RAISE(pending_, NextBlock());
  }
  // A caller that asks for less than a block gets it in pieces; the CSV reader asks for
  // max_block_bytes and gets whole blocks.
  std::shared_ptr<arrow::Buffer> out;
  if (pending_->size() <= nbytes) {
    out = std::move(pending_);
    pending_.reset();
  } else {
    out = arrow::SliceBuffer(pending_, 0, nbytes);
    pending_ = arrow::SliceBuffer(pending_, nbytes);
  }
  position_ += out->size();
  return out;
}

arrow::Result<int64_t> CsvBlockStream::Read(int64_t nbytes, void* out) {
  ARROW_ASSIGN_OR_RAISE(auto buffer, Read(nbytes));
  std::memcpy(out, buffer->data(), static_cast<size_t>(buffer->size()));
  return buffer->size();
}

arrow::Status CsvBlockStream::Close() {
  closed_ = true;
  return source_->Close();
}

}  // namespace ocpagg
