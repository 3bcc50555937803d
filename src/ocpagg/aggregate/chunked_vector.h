#pragma once
// A growable array in fixed chunks: growing never moves or copies the elements already there,
// so a table of groups grows by one chunk at a time instead of doubling (a std::vector at 2^k
// elements briefly holds 3 x 2^k while it moves them), and references stay valid.

#include <cstddef>
#include <memory>
#include <vector>

namespace ocpagg {

template <typename T, size_t kChunkSize = 1024>
class ChunkedVector {
 public:
  ChunkedVector() = default;
  ChunkedVector(ChunkedVector&&) noexcept = default;
  ChunkedVector& operator=(ChunkedVector&&) noexcept = default;
  ChunkedVector(const ChunkedVector&) = delete;
  ChunkedVector& operator=(const ChunkedVector&) = delete;

  T& operator[](size_t i) { return chunks_[i / kChunkSize][i % kChunkSize]; }
  const T& operator[](size_t i) const { return chunks_[i / kChunkSize][i % kChunkSize]; }

  // Appends a value-initialized element and returns it.
  T& emplace_back() {
    if (size_ == chunks_.size() * kChunkSize) chunks_.push_back(std::make_unique<T[]>(kChunkSize));
    T& t = (*this)[size_++];
    t = T{};
    return t;
  }
  void push_back(const T& value) { emplace_back() = value; }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Forgets the elements; their chunks stay for reuse.
  void clear() { size_ = 0; }
  // Elements the chunks hold room for.
  size_t capacity() const { return chunks_.size() * kChunkSize; }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
};

}  // namespace ocpagg
