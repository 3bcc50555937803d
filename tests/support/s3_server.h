#pragma once
// Test support: a private S3 server for a test. versitygw (an S3 gateway over a local folder,
// installed by `scripts/setup --dev`) serves the buckets under a fresh temporary directory on a
// loopback port, with keys of the test's own; it is stopped and removed with the object. A
// bucket is a folder under root(), an object a file under it: tests put data in place with
// plain file writes (ocpagg ingest --output root()/bucket) and read it back over S3.

#include <memory>
#include <string>
#include <vector>

#include "support/process.h"

namespace ocpagg::testing {

class S3Server {
 public:
  // Starts a server; nullptr (and the test skipped with a message) when versitygw is missing.
  static std::unique_ptr<S3Server> Start();
  ~S3Server();

  static constexpr char kAccessKey[] = "ocpaggtest";
  static constexpr char kSecretKey[] = "ocpaggtestsecret";

  const std::string& root() const { return dir_.path(); }
  int port() const { return port_; }
  // "127.0.0.1:PORT"
  std::string endpoint() const;
  // An Arrow S3 URI for `bucket/path` on this server, over plain HTTP.
  std::string Uri(const std::string& bucket_and_path) const;
  // Creates a bucket (a folder under root()).
  void CreateBucket(const std::string& name) const;
  // Stops the server at once (SIGKILL), as a dropped connection or a crash would.
  void Stop();

 private:
  S3Server() = default;
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// `argv` run under /usr/bin/env with the standard AWS variables holding `server`'s keys (or the
// keys given), and the instance metadata lookup off.
std::vector<std::string> WithS3Keys(std::vector<std::string> argv,
                                    const std::string& access_key = S3Server::kAccessKey,
                                    const std::string& secret_key = S3Server::kSecretKey);

}  // namespace ocpagg::testing
