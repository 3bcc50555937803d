#pragma once
// koku's label columns as interned label sets. koku stores labels as JSON object text; the
// summary SQL keeps only the enabled keys (docs/semantics.md "Enabled keys": `map_filter` in Trino,
// `filter_json_by_keys` in PostgreSQL), merges node, namespace and pod (or volume) labels with
// the right-most map winning on a duplicate key (docs/semantics.md "Pod rows", "Storage rows",
// "PostgreSQL and Trino differences": label merge) and groups rows by the merged map. Here each
// distinct label text is parsed once and every distinct filtered map gets a small integer id, so
// grouping and merging work on integers.

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <absl/hash/hash.h>
#include <absl/strings/string_view.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/common/string_arena.h"
#include "ocpagg/koku/settings.h"

namespace simdjson::dom {
class parser;
}

namespace ocpagg {

// Transparent hashing for string-keyed Abseil tables, so that a std::string_view looks up a
// std::string key without a copy (Debian's Abseil has its own absl::string_view, which the
// default string hasher expects).
struct StringViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    return absl::Hash<absl::string_view>{}(absl::string_view(s.data(), s.size()));
  }
};
struct StringViewEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};
template <typename Value>
using StringKeyedMap = absl::flat_hash_map<std::string, Value, StringViewHash, StringViewEq>;
using StringSet = absl::flat_hash_set<std::string, StringViewHash, StringViewEq>;

using LabelSetId = uint32_t;
inline constexpr LabelSetId kEmptyLabelSet = 0;  // {}
// SQL NULL. Only Trino produces it: a NULL label column stays NULL through map_filter, and
// map_concat with a NULL argument is NULL (docs/semantics.md "PostgreSQL and Trino differences":
// label merge; PostgreSQL coalesces to {}).
inline constexpr LabelSetId kNullLabelSet = 1;

// K of docs/semantics.md "Enabled keys": the implicit 'vm_kubevirt_io_name' plus the enabled OCP
// keys, matched exactly and case-sensitively.
class EnabledLabelKeys {
 public:
  // PostgreSQL keeps 'vm_kubevirt_io_name' even with no enabled key; Trino's array || NULL is
  // NULL, so with no enabled key it keeps no label at all (docs/semantics.md "PostgreSQL and Trino
  // differences": no enabled keys).
  static EnabledLabelKeys FromSettings(const SummarySettings& settings);

  // True when a label with this key survives the filter.
  bool Keeps(std::string_view key) const { return !keeps_none_ && keys_.contains(key); }

 private:
  StringSet keys_;
  bool keeps_none_ = false;
};

// One label of a set: the unescaped key and the value as JSON text (a string literal, or null).
struct LabelEntry {
  std::string_view key;
  std::string_view value_json;
};

// The distinct label sets of one aggregation state, each with its canonical JSON text: compact,
// keys sorted byte-wise (as Trino's json_format prints them; PostgreSQL stores jsonb, where
// order and spacing do not matter). Move-only; ids are local to one table (see Import).
class LabelSetTable {
 public:
  LabelSetTable(EnabledLabelKeys keys, Compat compat);
  ~LabelSetTable();
  LabelSetTable(LabelSetTable&&) noexcept;
  LabelSetTable& operator=(LabelSetTable&&) noexcept;
  LabelSetTable(const LabelSetTable&) = delete;
  LabelSetTable& operator=(const LabelSetTable&) = delete;

  // filterK(text) of docs/semantics.md "Enabled keys": the enabled labels of a label column value,
  // cached by the raw text so that each distinct text is parsed once. NULL gives {} in kPostgres
  // (and so does blank text: filter_json_by_keys) and kNullLabelSet in kTrino. Fails when the text
  // is not a JSON object, or when a kept label's value is an object or an array: koku's SQL fails
  // too. Fails as well when a kept label holds the escape \u0000, which jsonb cannot store.
  Result<LabelSetId> Filter(std::optional<std::string_view> json_text);

  // left ⊕ right: the union, right winning on a duplicate key; NULL if either side is NULL
  // (Trino's map_concat). Cached per pair.
  LabelSetId Merge(LabelSetId left, LabelSetId right);

  // The canonical JSON text of a set; nullopt for kNullLabelSet.
  std::optional<std::string_view> Json(LabelSetId id) const;
  // The labels of a set, sorted by key; empty for kEmptyLabelSet and kNullLabelSet.
  std::span<const LabelEntry> Entries(LabelSetId id) const;

  // The id in this table of set `id` of `other` (which must use the same keys).
  LabelSetId Import(const LabelSetTable& other, LabelSetId id);

  // Interns a set given as entries sorted by key with unique keys (already filtered).
  LabelSetId Intern(std::span<const LabelEntry> sorted_entries);

  size_t size() const { return sets_.size(); }
  size_t ApproximateMemoryBytes() const;

 private:
  // Views into arena_: the JSON text, and the entries, whose keys and values view into that text
  // where it holds them verbatim (every value; every key that needs no escaping).
  struct StoredSet {
    std::string_view json;
    std::span<const LabelEntry> entries;
  };

  Result<LabelSetId> Parse(std::string_view json_text);

  EnabledLabelKeys keys_;
  Compat compat_;
  // The sets' texts and entries live in blocks of the arena rather than in a few allocations
  // each: the day's tables make and free hundreds of thousands of sets.
  StringArena arena_;
  std::vector<StoredSet> sets_;
  absl::flat_hash_map<std::string_view, LabelSetId, StringViewHash, StringViewEq> by_json_;
  StringArena raw_texts_;  // the keys of by_raw_text_
  absl::flat_hash_map<std::string_view, LabelSetId, StringViewHash, StringViewEq> by_raw_text_;
  absl::flat_hash_map<uint64_t, LabelSetId> merged_;
  std::unique_ptr<simdjson::dom::parser> parser_;
  std::string scratch_;
  std::vector<LabelEntry> entry_scratch_;
  std::vector<LabelEntry> merge_scratch_;
  std::vector<std::pair<size_t, size_t>> entry_offsets_;  // of keys and values in scratch_
  static constexpr size_t kMaxRawTextCacheBytes = 64 << 20;
};

// Appends `s` to `out` as a JSON string literal (quotes included).
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace ocpagg
