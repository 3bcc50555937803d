#pragma once
// Test support: runs a program (usually the ocpagg binary) and captures its exit code and output.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ocpagg::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] with the arguments argv[1..] (no shell: arguments are passed verbatim).
ProcessResult RunProcess(const std::vector<std::string>& argv);

// A program running in the background, to signal it or to act while it runs. Killed (SIGKILL)
// and reaped when the object dies, if still running.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // What the program has printed so far (stdout and stderr, interleaved).
  std::string OutputSoFar() const;
  // True while the program has not exited (reaps it when it has).
  bool Running();
  // Waits at most `timeout` for the program to exit; nullopt (and the program killed) when it
  // did not.
  std::optional<ProcessResult> Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  std::optional<int> status_;
};

// Polls `done` every 10 ms for at most `timeout`; returns whether it became true.
bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// A --memory-limit value of `mb` megabytes, raised under AddressSanitizer, whose shadow memory
// adds tens of megabytes to the resident set the limit is measured against.
// (GCC defines __SANITIZE_ADDRESS__; clang answers __has_feature.)
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
inline constexpr bool kAddressSanitizer = __has_feature(address_sanitizer);
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
