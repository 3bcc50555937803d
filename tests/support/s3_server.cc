#include "support/s3_server.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

namespace ocpagg::testing {
namespace {

namespace fs = std::filesystem;

std::string FindVersitygw() {
  std::vector<fs::path> candidates;
  if (const char* gobin = std::getenv("GOBIN")) candidates.emplace_back(gobin);
  if (const char* gopath = std::getenv("GOPATH")) candidates.push_back(fs::path(gopath) / "bin");
  if (const char* home = std::getenv("HOME")) candidates.push_back(fs::path(home) / "go" / "bin");
  if (const char* path = std::getenv("PATH")) {
    std::string_view rest = path;
    while (!rest.empty()) {
      auto colon = rest.find(':');
      candidates.emplace_back(std::string(rest.substr(0, colon)));
      rest = colon == std::string_view::npos ? "" : rest.substr(colon + 1);
    }
  }
  for (const auto& dir : candidates) {
    const fs::path bin = dir / "versitygw";
    if (::access(bin.c_str(), X_OK) == 0) return bin.string();
  }
  return "";
}

// A loopback port nobody listens on right now (the kernel's choice).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

bool Accepting(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::unique_ptr<S3Server> S3Server::Start() {
  const std::string bin = FindVersitygw();
  if (bin.empty()) {
    ADD_FAILURE() << "versitygw is not installed (scripts/setup --dev installs it)";
    return nullptr;
  }
  std::unique_ptr<S3Server> s(new S3Server());
  for (int attempt = 0; attempt < 5; ++attempt) {
    s->port_ = FreePort();
    s->process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{bin, "--access", kAccessKey, "--secret", kSecretKey, "--port",
                                 fmt::format("127.0.0.1:{}", s->port_), "posix", s->root()});
    if (WaitUntil([&] { return Accepting(s->port_) || !s->process_->Running(); },
                  std::chrono::seconds(20)) &&
        s->process_->Running()) {
      return s;
    }
  }
  ADD_FAILURE() << "versitygw did not start";
  return nullptr;
}

S3Server::~S3Server() { Stop(); }

void S3Server::Stop() {
  if (!process_) return;
  process_->Signal(SIGKILL);
  process_->Wait(std::chrono::seconds(10));
  process_.reset();
}

std::string S3Server::endpoint() const { return fmt::format("127.0.0.1:{}", port_); }

std::string S3Server::Uri(const std::string& bucket_and_path) const {
  return fmt::format("s3://{}?endpoint_override={}&scheme=http", bucket_and_path, endpoint());
}

void S3Server::CreateBucket(const std::string& name) const {
  fs::create_directories(fs::path(root()) / name);
}

std::vector<std::string> WithS3Keys(std::vector<std::string> argv, const std::string& access_key,
                                    const std::string& secret_key) {
  std::vector<std::string> out = {"/usr/bin/env", "AWS_ACCESS_KEY_ID=" + access_key,
                                  "AWS_SECRET_ACCESS_KEY=" + secret_key,
                                  "AWS_EC2_METADATA_DISABLED=true"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

}  // namespace ocpagg::testing
