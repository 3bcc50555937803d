#pragma once
// Random (version 4) UUIDs for the summary table's uuid column (docs/semantics.md "Writing the
// rows": the table has no default, the writer supplies one per row).

#include <array>
#include <random>
#include <string>
#include <string_view>

namespace ocpagg {

// Not thread-safe: one generator per thread or per writer.
class UuidGenerator {
 public:
  UuidGenerator();
  // Writes 36 characters (8-4-4-4-12 lowercase hex) into out.
  void Next(std::array<char, 36>& out);

 private:
  std::mt19937_64 engine_;
};

// The 36-character text of a UUID's 16 bytes (PostgreSQL's binary form); "?" for any other size.
std::string FormatUuidBytes(std::string_view bytes);

}  // namespace ocpagg
