#include "ocpagg/koku/label_set.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>

namespace ocpagg {
namespace {

constexpr std::string_view kVmNameKey = "vm_kubevirt_io_name";

// An entry offset for a key that is not in the JSON text as it is.
constexpr size_t kCopiedKey = static_cast<size_t>(-1);

// PostgreSQL's btrim(text) = '' (spaces only), the test filter_json_by_keys applies.
bool IsBlank(std::string_view text) {
  return text.find_first_not_of(' ') == std::string_view::npos;
}

std::string_view TypeName(simdjson::dom::element_type t) {
  switch (t) {
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    default:
      return "a scalar";
  }
}

// koku's SQL fails on such a row as well, so there is no koku result to reproduce.
constexpr std::string_view kFix =
    "koku's ingest writes label columns as JSON objects of strings: re-ingest the payload or "
    "correct the row";

// A kept label is written out as jsonb, which cannot hold the character U+0000: PostgreSQL
// rejects the escape \u0000 ("unsupported Unicode escape sequence"). Labels that are not kept
// never reach the output, so they may hold it.
constexpr std::string_view kNulFix =
    "PostgreSQL's jsonb cannot hold the character U+0000: correct the row (or the payload, and "
    "ingest it again)";

// A few bytes of the offending text for error messages.
std::string Excerpt(std::string_view text) {
  constexpr size_t kMax = 80;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      out.append("\\u00");
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

EnabledLabelKeys EnabledLabelKeys::FromSettings(const SummarySettings& settings) {
  EnabledLabelKeys k;
  if (settings.enabled_keys.empty() && settings.compat == Compat::kTrino) {
    k.keeps_none_ = true;
    return k;
  }
  k.keys_.insert(std::string(kVmNameKey));
  for (const auto& key : settings.enabled_keys) k.keys_.insert(key);
  return k;
}

LabelSetTable::LabelSetTable(EnabledLabelKeys keys, Compat compat)
    : keys_(std::move(keys)), compat_(compat), parser_(std::make_unique<simdjson::dom::parser>()) {
  sets_.push_back({"{}", {}});
  by_json_.emplace(sets_.back().json, kEmptyLabelSet);
  sets_.emplace_back();  // kNullLabelSet: no JSON text, never in by_json_
}

LabelSetTable::~LabelSetTable() = default;
LabelSetTable::LabelSetTable(LabelSetTable&&) noexcept = default;
LabelSetTable& LabelSetTable::operator=(LabelSetTable&&) noexcept = default;

Result<LabelSetId> LabelSetTable::Filter(std::optional<std::string_view> json_text) {
  if (!json_text) return compat_ == Compat::kTrino ? kNullLabelSet : kEmptyLabelSet;
  if (auto it = by_raw_text_.find(*json_text); it != by_raw_text_.end()) return it->second;
  ARROW_ASSIGN_OR_RAISE(LabelSetId id, Parse(*json_text));
  // The cache only saves parsing: when label texts are nearly all distinct (a per-pod label
  // enabled or not), drop it rather than let it grow with the input.
  if (raw_texts_.bytes() + json_text->size() > kMaxRawTextCacheBytes) {
    by_raw_text_.clear();
    raw_texts_.Clear();
  }
  by_raw_text_.emplace(raw_texts_.Copy(*json_text), id);
  return id;
}

Result<LabelSetId> LabelSetTable::Parse(std::string_view json_text) {
  if (IsBlank(json_text)) {
    if (compat_ == Compat::kPostgres) return kEmptyLabelSet;
    return BadInput("empty label text: Trino's json_parse rejects it, so koku's SQL fails too; {}",
                    kFix);
  }
  simdjson::dom::element doc;
  if (auto error = parser_->parse(json_text.data(), json_text.size()).get(doc)) {
    return BadInput("label text is not valid JSON ({}): '{}'; {}", simdjson::error_message(error),
                    Excerpt(json_text), kFix);
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object)) {
    return BadInput("label text is {}, not a JSON object: '{}'; {}", TypeName(doc.type()),
                    Excerpt(json_text), kFix);
  }
  // Kept labels are copied out of the parser's buffers: they stay valid only until next parse.
  struct Kept {
    std::string key;
    std::string value_json;
  };
  std::vector<Kept> kept;
  for (simdjson::dom::key_value_pair field : object) {
    if (!keys_.Keeps(field.key)) continue;
    if (field.key.find('\0') != std::string_view::npos) {
      return BadInput("label key holds the escape \\u0000: '{}'; {}", Excerpt(json_text), kNulFix);
    }
    Kept k{std::string(field.key), {}};
    const simdjson::dom::element v = field.value;
    switch (v.type()) {
      case simdjson::dom::element_type::STRING: {
        const std::string_view text = v.get_string().value_unsafe();
        if (text.find('\0') != std::string_view::npos) {
          return BadInput("label '{}' holds the escape \\u0000 in its value: '{}'; {}", field.key,
                          Excerpt(json_text), kNulFix);
        }
        AppendJsonString(k.value_json, text);
        break;
      }
      case simdjson::dom::element_type::NULL_VALUE:
        k.value_json = "null";
        break;
      case simdjson::dom::element_type::BOOL:
        k.value_json = v.get_bool().value_unsafe() ? "\"true\"" : "\"false\"";
        break;
      case simdjson::dom::element_type::INT64:
        k.value_json = "\"" + std::to_string(v.get_int64().value_unsafe()) + "\"";
        break;
      case simdjson::dom::element_type::UINT64:
        k.value_json = "\"" + std::to_string(v.get_uint64().value_unsafe()) + "\"";
        break;
      case simdjson::dom::element_type::DOUBLE: {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, v.get_double().value_unsafe());
        k.value_json = "\"" + std::string(buf, r.ptr) + "\"";
        break;
      }
      case simdjson::dom::element_type::ARRAY:
      case simdjson::dom::element_type::OBJECT:
        return BadInput("label '{}' has {} as its value, not a string: '{}'; {}", field.key,
                        TypeName(v.type()), Excerpt(json_text), kFix);
    }
    kept.push_back(std::move(k));
  }
  // A duplicate key keeps its last value, as jsonb does.
  std::stable_sort(kept.begin(), kept.end(),
                   [](const Kept& a, const Kept& b) { return a.key < b.key; });
  std::vector<LabelEntry> entries;
  entries.reserve(kept.size());
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i + 1 < kept.size() && kept[i + 1].key == kept[i].key) continue;
    entries.push_back({kept[i].key, kept[i].value_json});
  }
  return Intern(entries);
}

LabelSetId LabelSetTable::Intern(std::span<const LabelEntry> sorted_entries) {
  if (sorted_entries.empty()) return kEmptyLabelSet;
  // The canonical JSON, and where each entry's key and value are in it (offsets: the text grows).
  scratch_.clear();
  scratch_.push_back('{');
  entry_offsets_.clear();
  for (size_t i = 0; i < sorted_entries.size(); ++i) {
    if (i > 0) scratch_.push_back(',');
    const size_t key_at = scratch_.size();
    AppendJsonString(scratch_, sorted_entries[i].key);
    // Escaped, the key is not in the text as it is: the entry gets a copy of its own below.
    const bool key_verbatim = scratch_.size() - key_at == sorted_entries[i].key.size() + 2;
    scratch_.push_back(':');
    const size_t value_at = scratch_.size();
    scratch_.append(sorted_entries[i].value_json);
    entry_offsets_.push_back({key_verbatim ? key_at + 1 : kCopiedKey, value_at});
  }
  scratch_.push_back('}');
  if (auto it = by_json_.find(scratch_); it != by_json_.end()) return it->second;

  const auto id = static_cast<LabelSetId>(sets_.size());
  const std::string_view json = arena_.Copy(scratch_);
  entry_scratch_.clear();
  for (size_t i = 0; i < sorted_entries.size(); ++i) {
    const LabelEntry& e = sorted_entries[i];
    const auto [key_at, value_at] = entry_offsets_[i];
    entry_scratch_.push_back(
        {key_at == kCopiedKey ? arena_.Copy(e.key) : json.substr(key_at, e.key.size()),
         json.substr(value_at, e.value_json.size())});
  }
  sets_.push_back({json, arena_.CopyArray(std::span<const LabelEntry>(entry_scratch_))});
  by_json_.emplace(json, id);
  return id;
}

LabelSetId LabelSetTable::Merge(LabelSetId left, LabelSetId right) {
  if (left == kNullLabelSet || right == kNullLabelSet) return kNullLabelSet;
  if (right == kEmptyLabelSet || left == right) return left;
  if (left == kEmptyLabelSet) return right;
  const uint64_t pair = (static_cast<uint64_t>(left) << 32) | right;
  if (auto it = merged_.find(pair); it != merged_.end()) return it->second;

  std::span<const LabelEntry> a = sets_[left].entries;
  std::span<const LabelEntry> b = sets_[right].entries;
  std::vector<LabelEntry>& out = merge_scratch_;
  out.clear();
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].key < b[j].key)) {
      out.push_back(a[i++]);
    } else if (i == a.size() || b[j].key < a[i].key) {
      out.push_back(b[j++]);
    } else {  // same key: the right-hand map wins
      out.push_back(b[j++]);
      ++i;
    }
  }
  const LabelSetId id = Intern(out);
  merged_.emplace(pair, id);
  return id;
}

std::optional<std::string_view> LabelSetTable::Json(LabelSetId id) const {
  if (id == kNullLabelSet) return std::nullopt;
  return sets_[id].json;
}

std::span<const LabelEntry> LabelSetTable::Entries(LabelSetId id) const {
  return sets_[id].entries;
}

LabelSetId LabelSetTable::Import(const LabelSetTable& other, LabelSetId id) {
  if (id == kNullLabelSet || id == kEmptyLabelSet) return id;
  if (auto it = by_json_.find(other.sets_[id].json); it != by_json_.end()) return it->second;
  return Intern(other.sets_[id].entries);
}

size_t LabelSetTable::ApproximateMemoryBytes() const {
  return sizeof(*this) + arena_.held_bytes() + sets_.capacity() * sizeof(StoredSet) +
         raw_texts_.held_bytes() + scratch_.capacity() +
         entry_scratch_.capacity() * sizeof(LabelEntry) +
         entry_offsets_.capacity() * sizeof(entry_offsets_[0]) +
         merge_scratch_.capacity() * sizeof(LabelEntry) +
         by_json_.capacity() * (sizeof(std::pair<std::string_view, LabelSetId>) + 1) +
         by_raw_text_.capacity() * (sizeof(std::pair<std::string_view, LabelSetId>) + 1) +
         merged_.capacity() * (sizeof(std::pair<uint64_t, LabelSetId>) + 1);
}

}  // namespace ocpagg
