#include "ocpagg/ingest/csv_locator.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace ocpagg {
namespace {

constexpr int64_t kReadBytes = 1 << 20;
// Bytes of a cell shown on each side of an invalid byte.
constexpr size_t kExcerptBytes = 40;

// Fills `chunk` unless the stream ends first (a stream may return fewer bytes than asked).
Result<int64_t> ReadFull(arrow::io::InputStream* in, std::string* chunk) {
  int64_t filled = 0;
  const auto size = static_cast<int64_t>(chunk->size());
  while (filled < size) {
    ARROW_ASSIGN_OR_RAISE(int64_t n, in->Read(size - filled, chunk->data() + filled));
    if (n == 0) break;
    filled += n;
  }
  return filled;
}

struct Field {
  std::string value;  // quotes removed, "" as one quote, line breaks kept
  int64_t line = 0;   // where the field starts
  // Offsets in `value` where a new line starts (after a quoted line break).
  std::vector<size_t> line_starts;

  int64_t LineOfByte(size_t at) const {
    return line +
           (std::upper_bound(line_starts.begin(), line_starts.end(), at) - line_starts.begin());
  }
};

struct Record {
  int64_t number = 0;  // Arrow's numbering: the header is 1
  std::vector<Field> fields;
};

// Splits the text into records as the CSV tokenizer does, counting lines on the way. The
// visitor returns true to stop.
class RecordScanner {
 public:
  using Visitor = std::function<bool(const Record&)>;

  explicit RecordScanner(Visitor visit) : visit_(std::move(visit)) {}

  Status Scan(arrow::io::InputStream* in) {
    std::string chunk(kReadBytes, '\0');
    bool first = true;
    while (!stop_) {
      ARROW_ASSIGN_OR_RAISE(int64_t n, ReadFull(in, &chunk));
      if (n == 0) break;
      std::string_view text(chunk.data(), static_cast<size_t>(n));
      if (first && text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // as Arrow does
      first = false;
      for (char c : text) {
        Feed(c);
        if (stop_) break;
      }
    }
    if (!stop_ && state_ != State::kRecordStart) {
      if (state_ == State::kFieldStart) StartField();
      EndRecord();
    }
    return Status::OK();
  }

 private:
  enum class State { kRecordStart, kFieldStart, kInField, kInQuoted, kQuoteInQuoted };

  void Feed(char c) {
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') {  // the second half of a CRLF line break
        if (state_ == State::kInQuoted) Append(c);
        return;
      }
    }
    switch (state_) {
      case State::kRecordStart:
        if (c == '\r' || c == '\n') {  // a blank line: Arrow skips it, the line counts
          LineBreak(c);
          return;
        }
        record_.number += 1;
        record_.fields.clear();
        [[fallthrough]];
      case State::kFieldStart:
        StartField();
        if (c == '"') {
          state_ = State::kInQuoted;
          return;
        }
        state_ = State::kInField;
        break;
      case State::kInField:
        break;
      case State::kInQuoted:
        if (c == '"') {
          state_ = State::kQuoteInQuoted;
        } else {
          Append(c);
          if (c == '\r' || c == '\n') {
            LineBreak(c);
            record_.fields.back().line_starts.push_back(record_.fields.back().value.size());
          }
        }
        return;
      case State::kQuoteInQuoted:
        if (c == '"') {
          Append(c);
          state_ = State::kInQuoted;
          return;
        }
        // A closing quote; the rest of the field, if any, is read as unquoted text.
        state_ = State::kInField;
        break;
    }
    // Unquoted text.
    if (c == ',') {
      state_ = State::kFieldStart;
    } else if (c == '\r' || c == '\n') {
      EndRecord();
      LineBreak(c);
    } else {
      Append(c);
    }
  }

  void StartField() {
    record_.fields.emplace_back();
    record_.fields.back().line = line_;
  }
  void Append(char c) { record_.fields.back().value.push_back(c); }
  void LineBreak(char c) {
    ++line_;
    after_cr_ = c == '\r';
  }
  void EndRecord() {
    state_ = State::kRecordStart;
    if (visit_(record_)) stop_ = true;
  }

  Visitor visit_;
  State state_ = State::kRecordStart;
  Record record_;
  int64_t line_ = 1;
  bool after_cr_ = false;
  bool stop_ = false;
};

}  // namespace

CsvLocator::CsvLocator(StreamOpener opener, int num_columns)
    : opener_(std::move(opener)), num_columns_(num_columns) {}

Result<std::optional<int64_t>> CsvLocator::LineOfRecordField(int64_t record, int column) {
  ARROW_ASSIGN_OR_RAISE(auto in, opener_());
  std::optional<int64_t> line;
  RecordScanner scanner([&](const Record& r) {
    if (r.number < record) return false;
    if (column >= 0 && column < static_cast<int>(r.fields.size())) line = r.fields[column].line;
    return true;
  });
  ARROW_RETURN_NOT_OK(scanner.Scan(in.get()));
  return line;
}

Result<std::optional<int64_t>> CsvLocator::LineOfRowField(int64_t row, int column) {
  ARROW_ASSIGN_OR_RAISE(auto in, opener_());
  std::optional<int64_t> line;
  int64_t rows = 0;
  RecordScanner scanner([&](const Record& r) {
    if (r.number == 1 || static_cast<int>(r.fields.size()) != num_columns_) return false;
    if (rows++ < row) return false;
    if (column >= 0 && column < num_columns_) line = r.fields[column].line;
    return true;
  });
  ARROW_RETURN_NOT_OK(scanner.Scan(in.get()));
  return line;
}

Result<int64_t> CsvLocator::LineOfOffset(int64_t offset) {
  ARROW_ASSIGN_OR_RAISE(auto in, opener_());
  // Counts the line breaks that end before `offset`; a CRLF ends at its LF, so the byte at
  // `offset` is read too, to know whether a CR just before it is one.
  std::string chunk;
  int64_t breaks = 0;
  bool after_cr = false;
  for (int64_t read = 0; read <= offset;) {
    chunk.resize(static_cast<size_t>(std::min<int64_t>(kReadBytes, offset + 1 - read)));
    ARROW_ASSIGN_OR_RAISE(int64_t n, ReadFull(in.get(), &chunk));
    if (n == 0) break;
    for (int64_t i = 0; i < n; ++i) {
      const char c = chunk[static_cast<size_t>(i)];
      if (after_cr && c != '\n') ++breaks;  // a lone CR
      after_cr = false;
      if (read + i == offset) break;  // the last byte read
      if (c == '\n') ++breaks;
      after_cr = c == '\r';
    }
    read += n;
  }
  if (after_cr) ++breaks;  // the file ends with a CR before `offset`
  return 1 + breaks;
}

Result<std::optional<InvalidUtf8Cell>> CsvLocator::FirstInvalidUtf8(int column) {
  ARROW_ASSIGN_OR_RAISE(auto in, opener_());
  std::optional<InvalidUtf8Cell> found;
  RecordScanner scanner([&](const Record& r) {
    if (r.number == 1 || static_cast<int>(r.fields.size()) != num_columns_ || column < 0 ||
        column >= num_columns_) {
      return false;
    }
    const Field& field = r.fields[column];
    std::string_view value = field.value;
    for (size_t i = 0; i < value.size();) {
      int length = Utf8SequenceLength(value.substr(i));
      if (length > 0) {
        i += static_cast<size_t>(length);
        continue;
      }
      const size_t from = i > kExcerptBytes ? i - kExcerptBytes : 0;
      const size_t to = std::min(value.size(), i + kExcerptBytes);
      found = InvalidUtf8Cell{field.LineOfByte(i), static_cast<uint8_t>(value[i]),
                              fmt::format("{}{}{}", from > 0 ? "..." : "",
                                          EscapeForMessage(value.substr(from, to - from)),
                                          to < value.size() ? "..." : "")};
      return true;
    }
    return false;
  });
  ARROW_RETURN_NOT_OK(scanner.Scan(in.get()));
  return found;
}

Status LocateCsvRowProblem(const CsvRowProblem& problem, const std::string& file,
                           const std::vector<std::string>& header, const StreamOpener& reopen) {
  const bool invalid_utf8 = problem.column >= 0;
  const std::string what = invalid_utf8 ? std::string("invalid UTF-8") : problem.what;
  std::string where;
  if (invalid_utf8) {
    where = problem.column < static_cast<int>(header.size())
                ? fmt::format(", column {}", header[problem.column])
                : fmt::format(", column #{}", problem.column + 1);
  }
  std::string not_located;
  if (reopen) {
    CsvLocator locator(reopen, static_cast<int>(header.size()));
    if (invalid_utf8) {
      // The reader checks the rows in order: the problem is the column's first bad cell in
      // the file, and the file says on which line its first bad byte is.
      auto cell = locator.FirstInvalidUtf8(problem.column);
      if (cell.ok() && *cell) {
        return BadInput("{}: line {}{}: invalid UTF-8 (byte 0x{:02X} in '{}')", file, (*cell)->line,
                        where, (*cell)->byte, (*cell)->excerpt);
      }
      if (!cell.ok()) not_located = cell.status().message();
    }
    if (not_located.empty()) {
      auto line = locator.LineOfRecordField(problem.record, invalid_utf8 ? problem.column : 0);
      if (line.ok() && *line) return BadInput("{}: line {}{}: {}", file, **line, where, what);
      if (!line.ok()) not_located = line.status().message();
    }
  }
  return BadInput("{}: record {} (the header is record 1){}: {}{}", file, problem.record, where,
                  what, not_located.empty() ? "" : fmt::format(" (line unknown: {})", not_located));
}

int Utf8SequenceLength(std::string_view text) {
  if (text.empty()) return 0;
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  if (p[0] < 0x80) return 1;
  int length = 0;
  uint8_t low = 0x80, high = 0xBF;  // the range of the second byte
  if (p[0] >= 0xC2 && p[0] <= 0xDF) {
    length = 2;
  } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
    length = 3;
    if (p[0] == 0xE0) low = 0xA0;   // overlong
    if (p[0] == 0xED) high = 0x9F;  // surrogates
  } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
    length = 4;
    if (p[0] == 0xF0) low = 0x90;   // overlong
    if (p[0] == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() < static_cast<size_t>(length) || p[1] < low || p[1] > high) return 0;
  for (int i = 2; i < length; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
  }
  return length;
}

std::string EscapeForMessage(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto byte = static_cast<uint8_t>(c);
    if (c == '\n' || c == '\r' || c == '\t' || c == '\\' || c == '\'') {
      out += c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : c == '\\' ? "\\\\" : "\\'";
      ++i;
    } else if (byte >= 0x20 && byte < 0x7F) {
      out += c;
      ++i;
    } else if (int length = byte >= 0x80 ? Utf8SequenceLength(text.substr(i)) : 0; length > 0) {
      out.append(text.substr(i, static_cast<size_t>(length)));
      i += static_cast<size_t>(length);
    } else {
      out += fmt::format("\\x{:02X}", byte);
      ++i;
    }
  }
  return out;
}

}  // namespace ocpagg
