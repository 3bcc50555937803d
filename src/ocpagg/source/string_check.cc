#include "ocpagg/source/string_check.h"

#include <arrow/util/utf8.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <iterator>

namespace ocpagg {
namespace {

bool ValidUtf8(const uint8_t* data, int64_t size) {
  // Arrow's validator needs its tables built once per process before first use.
  static const bool ready = [] {
    arrow::util::InitializeUTF8();
    return true;
  }();
  (void)ready;
  return arrow::util::ValidateUTF8(data, size);
}

struct ByteClasses {
  bool nul = false;
  bool non_ascii = false;
};

// Whether bytes hold a NUL and whether any is outside ASCII, in one pass of 8 bytes at a time
// that the compiler vectorizes. Kubernetes names and label JSON are nearly always ASCII, which is
// valid UTF-8 as it is: for them this pass is the whole check.
ByteClasses Classify(const uint8_t* data, int64_t size) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  uint64_t zero = 0;  // (w - 1) & ~w has a byte's high bit set only if some byte of w is 0
  uint64_t high = 0;
  int64_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t w;
    std::memcpy(&w, data + i, sizeof w);
    zero |= (w - kOnes) & ~w;
    high |= w;
  }
  ByteClasses out{(zero & kHighBits) != 0, (high & kHighBits) != 0};
  for (; i < size; ++i) {
    out.nul |= data[i] == 0;
    out.non_ascii |= data[i] >= 0x80;
  }
  return out;
}

// True when every value of a utf8/binary array with offsets of type OffsetT is valid UTF-8 without
// NUL bytes, judged from its value bytes as a whole. False means a value may be bad (it may also
// be the bytes behind a null slot, which no row uses).
template <typename OffsetT>
bool ValuesLookGood(const arrow::ArrayData& data) {
  const int64_t n = data.length;
  if (n == 0) return true;
  const OffsetT* offsets = data.GetValues<OffsetT>(1);
  const int64_t begin = offsets[0];
  const int64_t size = static_cast<int64_t>(offsets[n]) - begin;
  if (size == 0) return true;
  const uint8_t* bytes = data.buffers[2]->data();
  const ByteClasses classes = Classify(bytes + begin, size);
  if (classes.nul) return false;
  if (!classes.non_ascii) return true;
  if (!ValidUtf8(bytes + begin, size)) return false;
  // Valid as a whole, the bytes could still cut a character between two values: the later value
  // then starts with a continuation byte (10xxxxxx), which no valid value does.
  bool split = false;
  for (int64_t i = 0; i < n; ++i) {
    if (offsets[i] < offsets[i + 1]) split |= (bytes[offsets[i]] & 0xC0) == 0x80;
  }
  return !split;
}

template <typename ArrayT>
std::optional<BadString> FirstBadRow(const ArrayT& array) {
  for (int64_t i = 0; i < array.length(); ++i) {
    if (array.IsNull(i)) continue;
    const std::string_view value = array.GetView(i);
    if (auto fault = StringFaultOf(value)) return BadString{i, *fault, value};
  }
  return std::nullopt;
}

std::optional<BadString> CheckValues(const arrow::Array& array) {
  switch (array.type_id()) {
    case arrow::Type::STRING:
    case arrow::Type::BINARY:
      if (ValuesLookGood<int32_t>(*array.data())) return std::nullopt;
      return FirstBadRow(static_cast<const arrow::BinaryArray&>(array));
    case arrow::Type::LARGE_STRING:
    case arrow::Type::LARGE_BINARY:
      if (ValuesLookGood<int64_t>(*array.data())) return std::nullopt;
      return FirstBadRow(static_cast<const arrow::LargeBinaryArray&>(array));
    case arrow::Type::STRING_VIEW:
    case arrow::Type::BINARY_VIEW:
      // Views point anywhere into their buffers: value by value (Parquet reads give none).
      return FirstBadRow(static_cast<const arrow::BinaryViewArray&>(array));
    default:
      return std::nullopt;
  }
}

std::string_view ValueAt(const arrow::Array& array, int64_t i) {
  switch (array.type_id()) {
    case arrow::Type::STRING:
    case arrow::Type::BINARY:
      return static_cast<const arrow::BinaryArray&>(array).GetView(i);
    case arrow::Type::LARGE_STRING:
    case arrow::Type::LARGE_BINARY:
      return static_cast<const arrow::LargeBinaryArray&>(array).GetView(i);
    case arrow::Type::STRING_VIEW:
    case arrow::Type::BINARY_VIEW:
      return static_cast<const arrow::BinaryViewArray&>(array).GetView(i);
    default:
      return {};
  }
}

// The value bytes of entries [0, k) of an offset-based array; -1 for view arrays, whose values
// are not laid out in order.
int64_t BytesBefore(const arrow::Array& array, int64_t k) {
  if (k == 0) return 0;
  switch (array.type_id()) {
    case arrow::Type::STRING:
    case arrow::Type::BINARY: {
      const auto* offsets = array.data()->GetValues<int32_t>(1);
      return static_cast<int64_t>(offsets[k]) - offsets[0];
    }
    case arrow::Type::LARGE_STRING:
    case arrow::Type::LARGE_BINARY: {
      const auto* offsets = array.data()->GetValues<int64_t>(1);
      return offsets[k] - offsets[0];
    }
    default:
      return -1;
  }
}

}  // namespace

std::optional<StringFault> StringFaultOf(std::string_view value) {
  if (value.empty()) return std::nullopt;
  if (std::memchr(value.data(), 0, value.size()) != nullptr) return StringFault::kNulByte;
  if (!ValidUtf8(reinterpret_cast<const uint8_t*>(value.data()),
                 static_cast<int64_t>(value.size()))) {
    return StringFault::kInvalidUtf8;
  }
  return std::nullopt;
}

std::string DescribeBadString(const BadString& bad) {
  constexpr size_t kMaxShown = 60;
  std::string shown;
  for (size_t i = 0; i < bad.value.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(bad.value[i]);
    if (c == '\\') {
      shown += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      shown.push_back(static_cast<char>(c));
    } else {
      fmt::format_to(std::back_inserter(shown), "\\x{:02x}", c);
    }
  }
  if (bad.value.size() > kMaxShown) shown += "...";
  return fmt::format("{} in \"{}\"",
                     bad.fault == StringFault::kNulByte ? "NUL byte" : "invalid UTF-8", shown);
}

std::optional<BadString> StringColumnCheck::Check(const arrow::Array& array) {
  if (array.type_id() == arrow::Type::DICTIONARY) {
    return CheckDictionary(static_cast<const arrow::DictionaryArray&>(array));
  }
  return CheckValues(array);
}

std::optional<BadString> StringColumnCheck::CheckDictionary(const arrow::DictionaryArray& array) {
  const arrow::Array& entries = *array.dictionary();
  const int64_t n = entries.length();
  // Arrow gives every batch of a column chunk a copy of the chunk's dictionary as it stands so
  // far, and entries are only ever appended to it (Parquet allows one dictionary page per column
  // chunk; values of pages that fell back to plain encoding come after its entries): only the
  // entries past those already checked are new. A dictionary that is shorter, or whose checked
  // entries now take up a different number of bytes, is another one: checked from the start.
  const int64_t checked_bytes =
      dictionary_checked_ <= n ? BytesBefore(entries, dictionary_checked_) : -1;
  if (checked_bytes < 0 || checked_bytes != dictionary_checked_bytes_) {
    dictionary_checked_ = 0;
    dictionary_checked_bytes_ = 0;
    bad_entries_.clear();
  }
  if (n > dictionary_checked_) {
    const std::shared_ptr<arrow::Array> fresh = entries.Slice(dictionary_checked_);
    if (CheckValues(*fresh)) {
      // Some entry is bad (rare): note every bad one, since any later row may use it.
      for (int64_t i = dictionary_checked_; i < n; ++i) {
        if (entries.IsNull(i)) continue;
        if (auto fault = StringFaultOf(ValueAt(entries, i))) bad_entries_.emplace_back(i, *fault);
      }
    }
    dictionary_checked_ = n;
    dictionary_checked_bytes_ = BytesBefore(entries, n);
  }
  if (bad_entries_.empty()) return std::nullopt;
  // An entry is only wrong for the rows that use it; row by row, as only bad input gets here.
  for (int64_t i = 0; i < array.length(); ++i) {
    if (array.IsNull(i)) continue;
    const int64_t index = array.GetValueIndex(i);
    auto it = std::lower_bound(bad_entries_.begin(), bad_entries_.end(), index,
                               [](const auto& entry, int64_t v) { return entry.first < v; });
    if (it != bad_entries_.end() && it->first == index) {
      return BadString{i, it->second, ValueAt(entries, index)};
    }
  }
  return std::nullopt;
}

}  // namespace ocpagg
