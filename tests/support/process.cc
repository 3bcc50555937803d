#include "support/process.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ocpagg::testing {

ProcessResult RunProcess(const std::vector<std::string>& argv) {
  ProcessResult result;
  char log_template[] = "/tmp/ocpagg-test-output-XXXXXX";
  int fd = mkstemp(log_template);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, STDIN_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  close(fd);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream in(log_template);
  std::stringstream ss;
  ss << in.rdbuf();
  result.output = ss.str();
  std::remove(log_template);
  return result;
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
