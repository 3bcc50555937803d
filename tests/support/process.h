#pragma once
// Test support: runs a program (usually the ocpagg binary) and captures its exit code and output.

#include <string>
#include <vector>

namespace ocpagg::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] with the arguments argv[1..] (no shell: arguments are passed verbatim).
ProcessResult RunProcess(const std::vector<std::string>& argv);

// A --memory-limit value of `mb` megabytes, raised under AddressSanitizer, whose shadow memory
// adds tens of megabytes to the resident set the limit is measured against.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
inline std::string MemoryLimitMB(int mb) {
  return std::to_string(kAddressSanitizer ? mb + 192 : mb) + "MB";
}

// The ocpagg binary under test.
std::string OcpaggBinary();
// The repository root (for tests/golden, examples, ...).
std::string SourceDir();

// A fresh temporary directory, removed (recursively) when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace ocpagg::testing
