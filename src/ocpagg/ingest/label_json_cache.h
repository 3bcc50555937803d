#pragma once
// koku's label JSON (docs/semantics.md "Cell conversions") for operator label cells, computed once
// per distinct cell. A pod's labels repeat on every hour and hours span files, so one cache serves
// the whole payload; it is bounded and emptied whole when it grows past its bound.

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <absl/hash/hash.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "ocpagg/common/string_arena.h"

namespace ocpagg {

class LabelJsonCache {
 public:
  explicit LabelJsonCache(size_t max_bytes = 48 << 20) : max_bytes_(max_bytes) {}
  LabelJsonCache(const LabelJsonCache&) = delete;
  LabelJsonCache& operator=(const LabelJsonCache&) = delete;

  // The JSON text koku stores for a raw label cell (pandas NA tokens count as empty, giving
  // "{}"). The view stays valid until the next Trim().
  std::string_view Get(std::string_view cell);

  // Empties the cache when it holds more than its bound. Call only when no view it handed out
  // is still in use.
  void Trim();

  // Every label key seen so far (koku adds them to reporting_enabledtagkeys, disabled).
  const absl::flat_hash_set<std::string>& label_keys() const { return label_keys_; }

 private:
  size_t max_bytes_;
  absl::flat_hash_map<std::string_view, std::string_view, absl::Hash<std::string_view>,
                      std::equal_to<std::string_view>>
      json_by_cell_;
  StringArena arena_;  // owns both the cells and the JSON texts
  absl::flat_hash_set<std::string> label_keys_;
  std::string scratch_;
};

}  // namespace ocpagg
