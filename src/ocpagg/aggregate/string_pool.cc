#include "ocpagg/aggregate/string_pool.h"

#include <algorithm>

namespace ocpagg {

StringPool::StringPool() { views_.emplace_back(); }

StringId StringPool::Intern(std::string_view s) {
  if (auto it = ids_.find(s); it != ids_.end()) return it->second;
  const std::string_view copy = CopyToArena(s);
  const auto id = static_cast<StringId>(views_.size());
  views_.push_back(copy);
  ids_.emplace(copy, id);
  return id;
}

std::string_view StringPool::CopyToArena(std::string_view s) {
  if (s.empty()) return std::string_view();
  arena_bytes_ += s.size();
  if (s.size() > kBlockBytes / 4) {
    // Large strings get their own block, inserted before the current one so that the current
    // block keeps filling.
    auto block = std::make_unique<char[]>(s.size());
    std::copy(s.begin(), s.end(), block.get());
    const std::string_view view(block.get(), s.size());
    blocks_.insert(blocks_.empty() ? blocks_.end() : blocks_.end() - 1, std::move(block));
    return view;
  }
  if (block_used_ + s.size() > kBlockBytes) {
    blocks_.push_back(std::make_unique<char[]>(kBlockBytes));
    block_used_ = 0;
  }
  char* at = blocks_.back().get() + block_used_;
  std::copy(s.begin(), s.end(), at);
  block_used_ += s.size();
  return {at, s.size()};
}

size_t StringPool::ApproximateMemoryBytes() const {
  size_t bytes = sizeof(*this) + views_.capacity() * sizeof(std::string_view);
  bytes += ids_.capacity() * (sizeof(std::pair<std::string_view, StringId>) + 1);
  bytes += blocks_.size() * sizeof(void*) + arena_bytes_;
  if (!blocks_.empty()) bytes += kBlockBytes - block_used_;
  return bytes;
}

}  // namespace ocpagg
