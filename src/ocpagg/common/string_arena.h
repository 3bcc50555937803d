#pragma once
// Owns copies of strings for views that must outlive the buffers they came from (group keys of
// a daily chunk, converted label JSON, sanitized cells, label sets). Views stay valid until
// Clear() or the arena's end, also when the arena is moved: copies live in blocks of their own,
// not one per string.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

namespace ocpagg {

class StringArena {
 public:
  StringArena() = default;
  StringArena(const StringArena&) = delete;
  StringArena& operator=(const StringArena&) = delete;
  StringArena(StringArena&&) noexcept = default;
  StringArena& operator=(StringArena&&) noexcept = default;

  // Copies `s` into the arena and returns a view of the copy (never a null pointer, which
  // Arrow's builders would hand to memcpy).
  std::string_view Copy(std::string_view s) {
    if (s.empty()) return std::string_view("", 0);
    char* at = Allocate(s.size(), 1);
    std::copy(s.begin(), s.end(), at);
    return {at, s.size()};
  }

  // Copies an array of trivially copyable values into the arena, contiguous and aligned.
  template <typename T>
  std::span<const T> CopyArray(std::span<const T> values) {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
    if (values.empty()) return {};
    auto* at = reinterpret_cast<T*>(Allocate(values.size_bytes(), alignof(T)));
    std::memcpy(at, values.data(), values.size_bytes());
    return {at, values.size()};
  }

  // Bytes copied since the last Clear().
  size_t bytes() const { return bytes_; }
  // Bytes held: the blocks and the large copies.
  size_t held_bytes() const { return blocks_.size() * kBlockBytes + large_bytes_; }

  // Frees everything; every view handed out becomes dangling.
  void Clear() {
    blocks_.clear();
    large_.clear();
    used_ = 0;
    bytes_ = 0;
    large_bytes_ = 0;
  }

 private:
  static constexpr size_t kBlockBytes = 64 * 1024;

  // `size` bytes at a multiple of `align` (a power of two at most that of new[]'s blocks).
  char* Allocate(size_t size, size_t align) {
    bytes_ += size;
    if (size > kBlockBytes / 4) {
      large_.push_back(std::make_unique<char[]>(size));
      large_bytes_ += size;
      return large_.back().get();
    }
    used_ = (used_ + align - 1) & ~(align - 1);
    if (blocks_.empty() || used_ + size > kBlockBytes) {
      blocks_.push_back(std::make_unique<char[]>(kBlockBytes));
      used_ = 0;
    }
    char* at = blocks_.back().get() + used_;
    used_ += size;
    return at;
  }

  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<std::unique_ptr<char[]>> large_;
  size_t used_ = 0;
  size_t bytes_ = 0;
  size_t large_bytes_ = 0;
};

}  // namespace ocpagg
