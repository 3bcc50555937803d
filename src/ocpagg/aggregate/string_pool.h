#pragma once
// Interned strings of one aggregation state: every namespace, node, pod, resource_id, PVC... is
// copied once and then handled as a 32-bit id, so group keys are small integer tuples and a
// repeated value costs one hash lookup and no allocation. NULL has its own id, distinct from
// the empty string (docs/semantics.md "Cell conversions": '' and NULL group and join differently).

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocpagg/koku/label_set.h"

namespace ocpagg {

using StringId = uint32_t;
inline constexpr StringId kNullString = 0;

class StringPool {
 public:
  StringPool();
  StringPool(StringPool&&) noexcept = default;
  StringPool& operator=(StringPool&&) noexcept = default;
  StringPool(const StringPool&) = delete;
  StringPool& operator=(const StringPool&) = delete;

  // The id of `s`, copying it on first sight; kNullString for nullopt.
  StringId Intern(std::optional<std::string_view> s) { return s ? Intern(*s) : kNullString; }
  StringId Intern(std::string_view s);

  // The string of an id; nullopt for kNullString. Views stay valid for the pool's lifetime,
  // moves included.
  std::optional<std::string_view> Get(StringId id) const {
    if (id == kNullString) return std::nullopt;
    return views_[id];
  }
  // Get() as an owned string, for output rows.
  std::optional<std::string> Copy(StringId id) const {
    if (id == kNullString) return std::nullopt;
    return std::string(views_[id]);
  }
  // SQL's `a < b` on two non-NULL strings, byte-wise (Trino's varchar order; docs/semantics.md
  // "PostgreSQL and Trino differences": string maximum).
  bool Less(StringId a, StringId b) const { return views_[a] < views_[b]; }

  size_t size() const { return views_.size(); }
  size_t ApproximateMemoryBytes() const;

 private:
  std::string_view CopyToArena(std::string_view s);

  static constexpr size_t kBlockBytes = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_used_ = kBlockBytes;
  size_t arena_bytes_ = 0;
  std::vector<std::string_view> views_;  // views_[kNullString] is unused
  absl::flat_hash_map<std::string_view, StringId, StringViewHash, StringViewEq> ids_;
};

// How the ids of a partial state map into the state it is merged into.
struct IdRemap {
  std::vector<StringId> strings;
  std::vector<LabelSetId> labels;

  StringId String(StringId id) const { return strings[id]; }
  LabelSetId Labels(LabelSetId id) const { return labels[id]; }
};

// Max of two nullable strings as SQL's max() sees them: NULL loses to any string.
inline StringId MaxString(const StringPool& pool, StringId a, StringId b) {
  if (a == kNullString) return b;
  if (b == kNullString || a == b) return a;
  return pool.Less(a, b) ? b : a;
}

}  // namespace ocpagg
