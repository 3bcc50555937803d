#include "ocpagg/ingest/csv_tokenizer.h"

#include <arrow/array.h>
#include <arrow/buffer.h>
#include <arrow/record_batch.h>
#include <arrow/type.h>
#include <simdjson.h>

#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ocpagg {
namespace {

// Bytes a copy may write past the end of a field (see CopyField).
constexpr int64_t kCopySlackBytes = 16;

constexpr auto kSpecial = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : {',', '"', '\r', '\n'}) table[c] = true;
  return table;
}();

// The first of ',', '"', CR and LF in [p, end), or end.
const char* FindSpecial(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"');
  const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hits =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, quote)),
                     _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
    if (const int mask = _mm_movemask_epi8(hits); mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  while (p < end && !kSpecial[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

// Copies a field of `size` bytes to `out`, which has kCopySlackBytes to spare after it: in
// 16-byte pieces when the source may be read that far, as fields are short and a call to
// memcpy per field costs more than the copy.
void CopyField(uint8_t* out, const char* from, uint32_t size, const char* readable_end) {
  if (from + size + 16 <= readable_end) {
    for (uint32_t i = 0; i < size; i += 16) std::memcpy(out + i, from + i, 16);
  } else {
    std::memcpy(out, from, size);
  }
}

}  // namespace

CsvTokenizer::CsvTokenizer(const std::vector<std::string>& names)
    : num_columns_(static_cast<int>(names.size())), column_bytes_(names.size()) {
  arrow::FieldVector fields;
  for (const std::string& name : names) fields.push_back(arrow::field(name, arrow::utf8()));
  schema_ = arrow::schema(std::move(fields));
}

const char* CsvTokenizer::LexRecord(const char* begin, const char* p, const char* end,
                                    std::vector<Span>* spans, std::string* scratch) {
  while (true) {
    if (p < end && *p == '"') {
      // Quoted: "" is a quote, a line break is text; after the closing quote the field goes
      // on unquoted. A quote left open runs to the end of the file.
      const auto at = static_cast<uint32_t>(scratch->size());
      ++p;
      while (true) {
        const auto* quote = static_cast<const char*>(std::memchr(p, '"', end - p));
        if (quote == nullptr) {
          scratch->append(p, end);
          p = end;
          break;
        }
        scratch->append(p, quote);
        p = quote + 1;
        if (p == end || *p != '"') break;
        scratch->push_back('"');
        ++p;
      }
      const char* rest = p;
      while (p < end && *p != ',' && *p != '\r' && *p != '\n') ++p;
      scratch->append(rest, p);
      spans->push_back({kInScratch | at, static_cast<uint32_t>(scratch->size() - at)});
    } else {
      // Unquoted: a quote inside is text.
      const char* field_end = FindSpecial(p, end);
      while (field_end < end && *field_end == '"') field_end = FindSpecial(field_end + 1, end);
      spans->push_back({static_cast<uint32_t>(p - begin), static_cast<uint32_t>(field_end - p)});
      p = field_end;
    }
    if (p == end) return end;  // the last record of the file, without a line end
    const char c = *p++;
    if (c == ',') continue;  // (a ',' that ends the file starts an empty last field)
    if (c == '\r' && p < end && *p == '\n') ++p;
    return p;
  }
}

std::vector<std::string> CsvTokenizer::ReadHeaderRecord(std::string_view* block) {
  const char* begin = block->data();
  const char* end = begin + block->size();
  const char* p = begin;
  if (block->starts_with("\xEF\xBB\xBF")) p += 3;
  while (p < end && (*p == '\r' || *p == '\n')) ++p;  // blank lines
  std::vector<std::string> names;
  if (p == end) return names;
  std::vector<Span> spans;
  std::string scratch;
  const char* next = LexRecord(begin, p, end, &spans, &scratch);
  for (Span span : spans) names.emplace_back(View(*block, scratch, span));
  block->remove_prefix(static_cast<size_t>(next - begin));
  return names;
}

std::string_view CsvTokenizer::View(std::string_view block, std::string_view scratch, Span span) {
  return span.offset & kInScratch ? scratch.substr(span.offset & ~kInScratch, span.size)
                                  : block.substr(span.offset, span.size);
}

Result<std::shared_ptr<arrow::RecordBatch>> CsvTokenizer::Tokenize(std::string_view block) {
  spans_.clear();
  row_records_.clear();
  scratch_.clear();
  const char* begin = block.data();
  const char* end = begin + block.size();
  const auto columns = static_cast<size_t>(num_columns_);
  for (const char* p = begin; p < end;) {
    if (*p == '\r' || *p == '\n') {  // a blank line
      p += *p == '\r' && p + 1 < end && p[1] == '\n' ? 2 : 1;
      continue;
    }
    ++records_;
    const size_t first = spans_.size();
    p = LexRecord(begin, p, end, &spans_, &scratch_);
    const size_t fields = spans_.size() - first;
    if (fields == columns) {
      row_records_.push_back(records_);
      continue;
    }
    spans_.resize(first);
    if (fields > columns) {  // koku's pandas drops it (on_bad_lines="warn")
      ++rows_with_extra_fields_;
      continue;
    }
    problem_ = CsvRowProblem{records_, -1,
                             fmt::format("{} fields where the header has {}", fields, columns)};
    return BadInput("record {}: {}", records_, problem_->what);
  }
  if (!simdjson::validate_utf8(block.data(), block.size())) {
    ARROW_RETURN_NOT_OK(InvalidUtf8(block));
  }

  const auto rows = static_cast<int64_t>(row_records_.size());
  std::fill(column_bytes_.begin(), column_bytes_.end(), 0);
  for (size_t at = 0; at < spans_.size(); at += columns) {
    for (size_t c = 0; c < columns; ++c) column_bytes_[c] += spans_[at + c].size;
  }
  std::vector<std::unique_ptr<arrow::ResizableBuffer>> offsets(columns), data(columns);
  std::vector<int32_t*> offset_out(columns);
  std::vector<uint8_t*> data_out(columns);
  for (size_t c = 0; c < columns; ++c) {
    ARROW_ASSIGN_OR_RAISE(offsets[c], arrow::AllocateResizableBuffer((rows + 1) * sizeof(int32_t)));
    ARROW_ASSIGN_OR_RAISE(data[c],
                          arrow::AllocateResizableBuffer(column_bytes_[c] + kCopySlackBytes));
    offset_out[c] = reinterpret_cast<int32_t*>(offsets[c]->mutable_data());
    offset_out[c][0] = 0;
    data_out[c] = data[c]->mutable_data();
  }
  const char* scratch_end = scratch_.data() + scratch_.size();
  const Span* span = spans_.data();
  for (int64_t r = 1; r <= rows; ++r) {
    for (size_t c = 0; c < columns; ++c, ++span) {
      const int32_t at = offset_out[c][r - 1];
      if (span->offset & kInScratch) {
        CopyField(data_out[c] + at, scratch_.data() + (span->offset & ~kInScratch), span->size,
                  scratch_end);
      } else {
        CopyField(data_out[c] + at, begin + span->offset, span->size, end);
      }
      offset_out[c][r] = at + static_cast<int32_t>(span->size);
    }
  }
  arrow::ArrayVector arrays;
  arrays.reserve(columns);
  for (size_t c = 0; c < columns; ++c) {
    ARROW_RETURN_NOT_OK(data[c]->Resize(column_bytes_[c], /*shrink_to_fit=*/false));
    arrays.push_back(std::make_shared<arrow::StringArray>(
        rows, std::shared_ptr<arrow::Buffer>(std::move(offsets[c])),
        std::shared_ptr<arrow::Buffer>(std::move(data[c]))));
  }
  return arrow::RecordBatch::Make(schema_, rows, std::move(arrays));
}

Status CsvTokenizer::InvalidUtf8(std::string_view block) {
  // The block holds more than the rows (line ends, quotes, dropped rows): the rows may be
  // valid all the same. Columns in order, as a reader converting column by column reports.
  const auto columns = static_cast<size_t>(num_columns_);
  for (size_t c = 0; c < columns; ++c) {
    for (size_t r = 0; r < row_records_.size(); ++r) {
      std::string_view cell = View(block, scratch_, spans_[r * columns + c]);
      if (!simdjson::validate_utf8(cell.data(), cell.size())) {
        problem_ = CsvRowProblem{row_records_[r], static_cast<int>(c), ""};
        return BadInput("record {}, column #{}: invalid UTF-8", row_records_[r], c + 1);
      }
    }
  }
  return Status::OK();
}

}  // namespace ocpagg
