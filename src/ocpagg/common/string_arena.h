#pragma once
// Owns copies of strings for views that must outlive the buffers they came from (group keys of
// a daily chunk, converted label JSON, sanitized cells). Views stay valid until Clear().

#include <algorithm>
#include <memory>
#include <string_view>
#include <vector>

namespace ocpagg {

class StringArena {
 public:
  StringArena() = default;
  StringArena(const StringArena&) = delete;
  StringArena& operator=(const StringArena&) = delete;

  // Copies `s` into the arena and returns a view of the copy (never a null pointer, which
  // Arrow's builders would hand to memcpy).
  std::string_view Copy(std::string_view s) {
    if (s.empty()) return std::string_view("", 0);
    if (s.size() > kBlockBytes / 4) {
      large_.push_back(std::make_unique<char[]>(s.size()));
      std::copy(s.begin(), s.end(), large_.back().get());
      bytes_ += s.size();
      return {large_.back().get(), s.size()};
    }
    if (blocks_.empty() || used_ + s.size() > kBlockBytes) {
      blocks_.push_back(std::make_unique<char[]>(kBlockBytes));
      used_ = 0;
    }
    char* at = blocks_.back().get() + used_;
    std::copy(s.begin(), s.end(), at);
    used_ += s.size();
    bytes_ += s.size();
    return {at, s.size()};
  }

  // Bytes copied since the last Clear().
  size_t bytes() const { return bytes_; }

  // Frees everything; every view handed out becomes dangling.
  void Clear() {
    blocks_.clear();
    large_.clear();
    used_ = 0;
    bytes_ = 0;
  }

 private:
  static constexpr size_t kBlockBytes = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<std::unique_ptr<char[]>> large_;
  size_t used_ = 0;
  size_t bytes_ = 0;
};

}  // namespace ocpagg
