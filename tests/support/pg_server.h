#pragma once
// Test support: a private PostgreSQL server for the tests of one binary. Debian's initdb and
// pg_ctl (found under /usr/lib/postgresql/*/bin) run in a fresh temporary directory, listening
// on a unix socket only; as root they run as the `postgres` user. The server starts on first
// use and is stopped and removed when the test binary exits. Tests get a fresh database each.

#include <string>
#include <vector>

namespace ocpagg::testing {

class PgServer {
 public:
  // The shared server of this test binary, started on first call. Fails the calling test
  // (ADD_FAILURE) and returns nullptr when no PostgreSQL server binaries are installed.
  static PgServer* Get();

  // Creates a new empty database and returns its libpq URL.
  std::string CreateDatabase();
  // Runs SQL through psql against `url`, returning psql's output (unaligned, tuples only);
  // fails the test on error.
  std::string Psql(const std::string& url, const std::string& sql);
  // Whether a statement beginning with `prefix` is running (state active) on the server.
  bool StatementActive(const std::string& url, const std::string& prefix);
  // Waits (at most 30 s) until no other session is connected to `url`'s database: a killed
  // client's transaction ends when the server notices the closed socket.
  void WaitForNoOtherSessions(const std::string& url);
  // Starts `run` (a command line) while another session holds `qualified_table` in ACCESS
  // EXCLUSIVE mode, SIGKILLs it once a statement beginning with `statement_prefix` is running
  // (the run then waits for the table), ends the holding session and waits until no other
  // session is connected. Fails the test (fatally) when the run never gets there.
  void KillWhileWaitingForLock(const std::string& url, const std::string& qualified_table,
                               const std::vector<std::string>& run,
                               const std::string& statement_prefix);

  // Stops the server at once (as a crash would) / starts it again on the same port and data.
  void Stop();
  void Restart();

  ~PgServer();

 private:
  PgServer() = default;
  bool Start();
  bool Launch();

  std::string bin_dir_, dir_, socket_dir_;
  int port_ = 0;
  int databases_ = 0;
  bool started_ = false;
};

}  // namespace ocpagg::testing
