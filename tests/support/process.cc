#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ocpagg::testing {

namespace {

// Starts argv with stdout and stderr into a new temporary file, whose path goes to *log_path.
// posix_spawn, not fork: fork runs the at-fork handlers of the libraries in this process, and
// Arrow's take a lock that a test using Arrow in-process could leave held (seen: a deadlock).
pid_t Spawn(const std::vector<std::string>& argv, std::string* log_path) {
  char log_template[] = "/tmp/ocpagg-test-output-XXXXXX";
  int fd = mkstemp(log_template);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  *log_path = log_template;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fd, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fd);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + strerror(rc));
  return pid;
}

std::string ReadLog(const std::string& log_path) {
  std::ifstream in(log_path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ProcessResult Collect(int status, const std::string& log_path) {
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.output = ReadLog(log_path);
  std::remove(log_path.c_str());
  return result;
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv) {
  std::string log_path;
  pid_t pid = Spawn(argv, &log_path);
  int status = 0;
  waitpid(pid, &status, 0);
  return Collect(status, log_path);
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv) { pid_ = Spawn(argv, &log_path_); }

ChildProcess::~ChildProcess() {
  if (Running()) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::remove(log_path_.c_str());
}

void ChildProcess::Signal(int sig) {
  if (!status_) kill(pid_, sig);
}

std::string ChildProcess::OutputSoFar() const { return ReadLog(log_path_); }

bool ChildProcess::Running() {
  if (status_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
  return !status_;
}

std::optional<ProcessResult> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (!WaitUntil([this] { return !Running(); }, timeout)) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    status_ = status;
    return std::nullopt;
  }
  return Collect(*status_, log_path_);
}

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string OcpaggBinary() { return OCPAGG_BINARY; }
std::string SourceDir() { return OCPAGG_SOURCE_DIR; }

TempDir::TempDir() {
  char tmpl[] = "/tmp/ocpagg-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace ocpagg::testing
