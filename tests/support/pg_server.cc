#include "support/pg_server.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>

#include "support/process.h"

namespace ocpagg::testing {
namespace fs = std::filesystem;

namespace {

std::string FindBinDir() {
  fs::path best;
  if (!fs::exists("/usr/lib/postgresql")) return {};
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql")) {
    if (fs::exists(e.path() / "bin" / "pg_ctl") && e.path() > best) best = e.path();
  }
  return best.empty() ? std::string() : (best / "bin").string();
}

// Runs argv, as the postgres user when we are root (initdb refuses to run as root).
ProcessResult RunAsServerUser(std::vector<std::string> argv) {
  if (geteuid() == 0) argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
  return RunProcess(argv);
}

std::unique_ptr<PgServer>& Instance() {
  static std::unique_ptr<PgServer> server;
  return server;
}

}  // namespace

PgServer* PgServer::Get() {
  auto& server = Instance();
  if (!server) {
    server.reset(new PgServer());
    if (!server->Start()) {
      server.reset();
      return nullptr;
    }
  }
  return server.get();
}

bool PgServer::Start() {
  bin_dir_ = FindBinDir();
  if (bin_dir_.empty()) {
    ADD_FAILURE() << "no PostgreSQL server under /usr/lib/postgresql: run scripts/setup --dev";
    return false;
  }
  char tmpl[] = "/tmp/ocpagg-pg-XXXXXX";
  if (!mkdtemp(tmpl)) return false;
  dir_ = tmpl;
  socket_dir_ = dir_;
  if (geteuid() == 0) RunProcess({"/bin/chown", "postgres", dir_});
  std::random_device rd;
  port_ = 20000 + static_cast<int>(rd() % 30000);
  auto init = RunAsServerUser({bin_dir_ + "/initdb", "-D", dir_ + "/data", "-U", "postgres",
                               "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"});
  if (init.exit_code != 0) {
    ADD_FAILURE() << "initdb failed: " << init.output;
    return false;
  }
  return Launch();
}

bool PgServer::Launch() {
  auto start = RunAsServerUser(
      {bin_dir_ + "/pg_ctl", "-D", dir_ + "/data", "-w", "-l", dir_ + "/server.log", "-o",
       fmt::format("-k {} -c listen_addresses='' -c fsync=off -c full_page_writes=off -p {}",
                   socket_dir_, port_),
       "start"});
  if (start.exit_code != 0) {
    ADD_FAILURE() << "pg_ctl start failed: " << start.output;
    return false;
  }
  started_ = true;
  return true;
}

void PgServer::Stop() {
  auto r = RunAsServerUser({bin_dir_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "stop"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  started_ = false;
}

void PgServer::Restart() { EXPECT_TRUE(Launch()); }

PgServer::~PgServer() {
  if (started_) {
    RunAsServerUser({bin_dir_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "stop"});
  }
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::string PgServer::CreateDatabase() {
  const std::string name = fmt::format("t{}_{}", getpid(), ++databases_);
  auto url = [&](const std::string& db) {
    return fmt::format("postgresql:///{}?host={}&port={}&user=postgres", db, socket_dir_, port_);
  };
  Psql(url("postgres"), fmt::format("CREATE DATABASE {}", name));
  return url(name);
}

std::string PgServer::Psql(const std::string& url, const std::string& sql) {
  auto r = RunProcess(
      {"/usr/bin/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-d", url, "-c", sql});
  EXPECT_EQ(r.exit_code, 0) << "psql failed: " << r.output << "\nSQL: " << sql;
  return r.output;
}

bool PgServer::StatementActive(const std::string& url, const std::string& prefix) {
  return Psql(url, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '" + prefix +
                       "%' AND state = 'active'") != "0\n";
}

void PgServer::WaitForNoOtherSessions(const std::string& url) {
  WaitUntil(
      [&] {
        return Psql(url,
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()") == "0\n";
      },
      std::chrono::seconds(30));
}

void PgServer::KillWhileWaitingForLock(const std::string& url, const std::string& qualified_table,
                                       const std::vector<std::string>& run,
                                       const std::string& statement_prefix) {
  ChildProcess holder({"/usr/bin/psql", "-X", "-q", "-d", url, "-c",
                       "BEGIN; LOCK TABLE " + qualified_table +
                           " IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120); COMMIT"});
  ASSERT_TRUE(WaitUntil([&] { return StatementActive(url, "BEGIN; LOCK TABLE"); },
                        std::chrono::seconds(10)));
  ChildProcess child(run);
  ASSERT_TRUE(
      WaitUntil([&] { return StatementActive(url, statement_prefix); }, std::chrono::seconds(60)))
      << "the run never reached " << qualified_table;
  child.Signal(SIGKILL);
  ASSERT_TRUE(child.Wait(std::chrono::seconds(30)));
  Psql(url,
       "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE "
       "'BEGIN; LOCK TABLE%'");
  WaitForNoOtherSessions(url);
}

}  // namespace ocpagg::testing
