// StringArena: copies that stay where they are until Clear(), also across moves of the arena.

#include "ocpagg/common/string_arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ocpagg {
namespace {

TEST(StringArenaTest, CopiesStayValidAsTheArenaGrowsAndMoves) {
  StringArena arena;
  std::vector<std::string> originals;
  std::vector<std::string_view> copies;
  for (int i = 0; i < 10000; ++i) {  // many blocks, and some copies too large for one
    originals.push_back(
        std::string(i % 97 == 0 ? 20000 : 1 + i % 13, static_cast<char>('a' + i % 26)));
    copies.push_back(arena.Copy(originals.back()));
    EXPECT_NE(copies.back().data(), originals.back().data());
  }
  StringArena moved = std::move(arena);
  for (size_t i = 0; i < originals.size(); ++i) ASSERT_EQ(copies[i], originals[i]) << i;
  EXPECT_NE(moved.Copy("").data(), nullptr);  // Arrow builders memcpy from it
  EXPECT_GE(moved.held_bytes(), moved.bytes());
}

TEST(StringArenaTest, ArraysAreAlignedAndContiguousBetweenStrings) {
  StringArena arena;
  std::vector<std::span<const uint64_t>> arrays;
  for (uint64_t n = 1; n < 300; ++n) {
    arena.Copy(std::string(n % 7, 'x'));  // leaves the next byte at any offset
    std::vector<uint64_t> values(n);
    for (uint64_t i = 0; i < n; ++i) values[i] = n * 1000 + i;
    arrays.push_back(arena.CopyArray(std::span<const uint64_t>(values)));
  }
  for (uint64_t n = 1; n < 300; ++n) {
    const auto a = arrays[n - 1];
    ASSERT_EQ(a.size(), n);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % alignof(uint64_t), 0u);
    for (uint64_t i = 0; i < n; ++i) ASSERT_EQ(a[i], n * 1000 + i);
  }
  EXPECT_TRUE(arena.CopyArray(std::span<const uint64_t>()).empty());
}

TEST(StringArenaTest, ClearForgetsEverything) {
  StringArena arena;
  arena.Copy("some text");
  arena.Copy(std::string(50000, 'y'));
  EXPECT_EQ(arena.bytes(), 9u + 50000u);
  arena.Clear();
  EXPECT_EQ(arena.bytes(), 0u);
  EXPECT_EQ(arena.held_bytes(), 0u);
  EXPECT_EQ(arena.Copy("again"), "again");
}

}  // namespace
}  // namespace ocpagg
