// Faults a summary or ingest run must survive without losing or half-writing data: SIGKILL and
// SIGTERM at several moments, the database server stopped mid-run, a server that accepts
// connections and never answers, another run holding the source's lock, a file size limit
// (a full disk), and two runs at once. After each, the table or the month's files are as they
// were or fully replaced, and no scratch is left once the next run is over.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "ocpagg/common/scratch_dir.h"
#include "ocpagg/engine/spill_area.h"
#include "ocpagg/ingest/output_staging.h"
#include "ocpagg/pg/koku_session.h"
#include "ocpagg/sinks/files_publish.h"
#include "ocpagg/sinks/files_sink.h"
#include "support/dir_snapshot.h"
#include "support/golden.h"
#include "support/pg_server.h"
#include "support/process.h"

namespace ocpagg::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const char* kSchema = "org1234567";
const char* kSource = "00000000-0000-0000-0000-000000000001";

// Generated input big enough that a run lasts a few seconds on one thread.
class Faults : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = tmp_.path() + "/data";
    spill_ = tmp_.path() + "/spill";
    std::filesystem::create_directories(spill_);
    auto gen = RunProcess(
        {OcpaggBinary(), "generate", "--output", data_, "--pod-hour-rows", "3000000", "--quiet"});
    ASSERT_EQ(gen.exit_code, 0) << gen.output;
  }

  // A one-thread run that spills (so that spill folders exist while it runs).
  std::vector<std::string> Summarize(const std::vector<std::string>& sink) const {
    std::vector<std::string> argv = {
        OcpaggBinary(), "summarize", "--input",     data_,  "--source",           kSource,
        "--year",       "2025",      "--month",     "10",   "--cluster-id",       "faults",
        "--threads",    "1",         "--spill-dir", spill_, "--max-state-memory", "2MB",
        "--quiet"};
    argv.insert(argv.end(), sink.begin(), sink.end());
    return argv;
  }

  TempDir tmp_;
  std::string data_, spill_;
};

// ---------------------------------------------------------------------------------------------
// File sink

class FilesFaults : public Faults {
 protected:
  std::string out() const { return tmp_.path() + "/out"; }
  std::vector<std::string> Run() const { return Summarize({"--output", out(), "--format", "csv"}); }

  // What the month holds, uuids aside: file names and their line counts (a rerun writes the
  // same rows with new uuids).
  std::map<std::string, size_t> MonthContent() const {
    std::map<std::string, size_t> content;
    for (const auto& [path, text] : SnapshotDir(out())) {
      if (path.starts_with(".ocpagg-")) continue;  // scratch of a killed run, not the month
      content[path] = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    }
    return content;
  }
  bool NoScratch() const {
    return EntriesStartingWith(out(), std::string(kSummaryStagingPrefix)).empty() &&
           EntriesStartingWith(spill_, std::string(kSpillPrefix)).empty();
  }
};

TEST_F(FilesFaults, SigtermStopsTheRunWithExit143AndLeavesTheMonthAndNoScratch) {
  auto first = RunProcess(Run());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto before = SnapshotDir(out());
  ChildProcess run(Run());
  ASSERT_TRUE(WaitUntil(
      [&] { return !EntriesStartingWith(spill_, std::string(kSpillPrefix)).empty(); }, seconds(60)))
      << "the run never spilled";
  run.Signal(SIGTERM);
  auto r = run.Wait(seconds(30));
  ASSERT_TRUE(r) << "SIGTERM did not stop the run";
  EXPECT_EQ(r->exit_code, 143) << r->output;
  EXPECT_NE(r->output.find("interrupted by SIGTERM"), std::string::npos) << r->output;
  EXPECT_EQ(SnapshotDir(out()), before);
  EXPECT_TRUE(NoScratch());
}

TEST_F(FilesFaults, SigkillAtSeveralMomentsLeavesTheMonthWholeAndTheNextRunRemovesTheScratch) {
  auto first = RunProcess(Run());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto before = MonthContent();
  ASSERT_FALSE(before.empty());
  for (int delay_ms : {50, 300, 700, 1200, 2000, 3000}) {
    ChildProcess run(Run());
    std::this_thread::sleep_for(milliseconds(delay_ms));
    run.Signal(SIGKILL);
    ASSERT_TRUE(run.Wait(seconds(30)));
    EXPECT_EQ(MonthContent(), before) << "killed after " << delay_ms << " ms";
  }
  auto next = RunProcess(Run());
  ASSERT_EQ(next.exit_code, 0) << next.output;
  EXPECT_EQ(MonthContent(), before);
  EXPECT_TRUE(NoScratch());
}

TEST_F(FilesFaults, FileSizeLimitFailsWithExit4AndLeavesTheMonthAndNoScratch) {
  auto first = RunProcess(Run());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto before = SnapshotDir(out());
  std::vector<std::string> argv = {"/usr/bin/prlimit", "--fsize=300000", "--"};
  for (const auto& a : Run()) argv.push_back(a);
  auto full = RunProcess(argv);
  EXPECT_EQ(full.exit_code, 4) << full.output;
  EXPECT_NE(full.output.find("cannot"), std::string::npos) << full.output;
  EXPECT_EQ(SnapshotDir(out()), before);
  EXPECT_TRUE(NoScratch());
}

TEST_F(FilesFaults, TwoRunsAtOnceBothSucceedAndLeaveOneWholeMonth) {
  auto first = RunProcess(Run());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto expected = MonthContent();
  ChildProcess a(Run());
  ChildProcess b(Run());
  auto ra = a.Wait(seconds(120));
  auto rb = b.Wait(seconds(120));
  ASSERT_TRUE(ra && rb);
  EXPECT_EQ(ra->exit_code, 0) << ra->output;
  EXPECT_EQ(rb->exit_code, 0) << rb->output;
  EXPECT_EQ(MonthContent(), expected);
  EXPECT_TRUE(NoScratch());
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

class PostgresFaults : public Faults {
 protected:
  void SetUp() override {
    Faults::SetUp();
    pg_ = PgServer::Get();
    ASSERT_NE(pg_, nullptr);
    url_ = pg_->CreateDatabase();
  }
  std::vector<std::string> Run(std::vector<std::string> extra = {}) const {
    std::vector<std::string> sink = {"--postgres", url_, "--schema", kSchema, "--create-schema"};
    sink.insert(sink.end(), extra.begin(), extra.end());
    return Summarize(sink);
  }
  // The rows, uuids aside: a rerun writes the same rows with new uuids. Sums are rounded: how
  // a spilled day's partial sums are folded depends on when it spilled, which moves the last
  // of the 17 significant digits a double carries.
  std::string Content() const {
    return pg_->Psql(
        url_,
        "SELECT count(*) || ':' || round(coalesce(sum(pod_usage_cpu_core_hours), 0), "
        "6) || ':' || round(coalesce(sum(persistentvolumeclaim_usage_gigabyte_months), "
        "0), 6) FROM " +
            std::string(kSchema) + ".reporting_ocpusagelineitem_daily_summary");
  }
  // The rows themselves, uuids included: unchanged means not rewritten.
  std::string Identity() const {
    return pg_->Psql(url_,
                     "SELECT count(*) || ':' || coalesce(md5(string_agg(uuid::text, ',' "
                     "ORDER BY uuid)), '') FROM " +
                         std::string(kSchema) + ".reporting_ocpusagelineitem_daily_summary");
  }
  // Every table beside the summary, rows and uuids: unchanged means not rewritten.
  std::string TablesIdentity() const {
    std::string all;
    for (const std::string& table : ExpectedTableNames()) {
      all += table + "=" +
             pg_->Psql(url_,
                       "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' "
                       "ORDER BY t::text)), '') FROM " +
                           std::string(kSchema) + "." + table + " t");
    }
    return all;
  }
  bool Active(const std::string& query_prefix) const {
    return pg_->StatementActive(url_, query_prefix);
  }
  void WaitForNoOtherSessions() const { pg_->WaitForNoOtherSessions(url_); }

  PgServer* pg_ = nullptr;
  std::string url_;
};

TEST_F(PostgresFaults, SigkillOrSigtermAtSeveralMomentsLeaveTheTableAsItWasOrReplaced) {
  auto first = RunProcess(Run());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string before = Content();
  ASSERT_NE(before.substr(0, 2), "0:");
  for (int sig : {SIGKILL, SIGTERM}) {
    for (int delay_ms : {50, 400, 900, 1600, 2500}) {
      ChildProcess run(Run());
      std::this_thread::sleep_for(milliseconds(delay_ms));
      run.Signal(sig);
      auto r = run.Wait(seconds(30));
      ASSERT_TRUE(r) << "the run did not stop after " << sigabbrev_np(sig);
      if (sig == SIGTERM) {
        EXPECT_TRUE(r->exit_code == 143 || r->exit_code == 0) << r->output;
      }
      WaitForNoOtherSessions();
      EXPECT_EQ(Content(), before) << sigabbrev_np(sig) << " after " << delay_ms << " ms";
    }
  }
  auto next = RunProcess(Run());
  ASSERT_EQ(next.exit_code, 0) << next.output;
  EXPECT_EQ(Content(), before);
  EXPECT_TRUE(EntriesStartingWith(spill_, std::string(kSpillPrefix)).empty());
}

TEST_F(PostgresFaults, SigkillWhileTheTablesBesideTheSummaryAreWrittenLeavesThemAsTheyWere) {
  auto first = RunProcess(Run());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string before = Identity() + TablesIdentity();
  ASSERT_EQ(before.find("reporting_ocp_pod_summary_p=0:"), std::string::npos);
  // Another session holds a UI summary table: the run stops there, its summary rows, PVCs,
  // projects and first UI tables written in its transaction, and is killed.
  ASSERT_NO_FATAL_FAILURE(pg_->KillWhileWaitingForLock(
      url_, std::string(kSchema) + ".reporting_ocp_volume_summary_p", Run(),
      "DELETE FROM \"" + std::string(kSchema) + "\".reporting_ocp_volume"));
  EXPECT_EQ(Identity() + TablesIdentity(), before);
}

TEST_F(PostgresFaults, SigtermDuringCopyRollsBackWithExit143) {
  auto first = RunProcess(Run());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string before = Identity();
  ChildProcess run(Run());
  ASSERT_TRUE(WaitUntil([&] { return Active("COPY "); }, seconds(60)))
      << "the run finished before its COPY could be observed";
  run.Signal(SIGTERM);
  auto r = run.Wait(seconds(30));
  ASSERT_TRUE(r) << "SIGTERM did not stop the run";
  EXPECT_EQ(r->exit_code, 143) << r->output;
  WaitForNoOtherSessions();
  EXPECT_EQ(Identity(), before);
}

TEST_F(PostgresFaults, ServerStoppedMidRunFailsWithExit4AndTheTableIsAsItWas) {
  auto first = RunProcess(Run());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string before = Identity();
  ChildProcess run(Run());
  ASSERT_TRUE(WaitUntil([&] { return Active("COPY "); }, seconds(60)));
  pg_->Stop();
  auto r = run.Wait(seconds(60));
  pg_->Restart();
  ASSERT_TRUE(r) << "the run hung after the server stopped";
  EXPECT_EQ(r->exit_code, 4) << r->output;
  EXPECT_NE(r->output.find("PostgreSQL"), std::string::npos) << r->output;
  EXPECT_EQ(Identity(), before);
}

// A TCP port on loopback that completes handshakes (the kernel does) and never says a word.
class SilentServer {
 public:
  SilentServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd_, 16);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() { close(fd_); }
  std::string url() const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/koku";
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(DatabaseFaults, SilentServerTimesOutWithExit4InsteadOfHanging) {
  SilentServer silent;
  // The connection is made before any input is read: the input need not exist.
  const std::vector<std::string> args = {
      OcpaggBinary(), "summarize",  "--input",  "/nonexistent", "--source",     kSource,
      "--year",       "2025",       "--month",  "10",           "--cluster-id", "silent",
      "--postgres",   silent.url(), "--schema", kSchema,        "--quiet"};
  {
    auto with_flag = args;
    with_flag.insert(with_flag.end(), {"--connect-timeout", "2"});
    ChildProcess run(with_flag);
    auto r = run.Wait(seconds(20));
    ASSERT_TRUE(r) << "still waiting 20 s after a 2 s --connect-timeout";
    EXPECT_EQ(r->exit_code, 4) << r->output;
    EXPECT_NE(r->output.find("timeout"), std::string::npos) << r->output;
  }
  {
    ChildProcess run(args);  // the default: 10 s
    auto r = run.Wait(seconds(40));
    ASSERT_TRUE(r) << "the default connect timeout did not end the wait";
    EXPECT_EQ(r->exit_code, 4) << r->output;
  }
}

TEST_F(PostgresFaults, AnotherRunsLockIsReportedAndLockTimeoutEndsTheWait) {
  auto first = RunProcess(Run());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string before = Identity();
  // Another session holds the source's lock, as a run still writing would.
  ChildProcess holder({"/usr/bin/psql", "-X", "-q", "-d", url_, "-c",
                       "SELECT pg_advisory_lock(hashtextextended('" +
                           pg::SourceLockKey(kSchema, kSource) + "', 0)); SELECT pg_sleep(120)"});
  ASSERT_TRUE(WaitUntil([&] { return Active("SELECT pg_advisory_lock"); }, seconds(10)));

  auto timed_out = RunProcess(Run({"--lock-timeout", "1"}));
  EXPECT_EQ(timed_out.exit_code, 4) << timed_out.output;
  EXPECT_NE(timed_out.output.find("waiting for it to finish"), std::string::npos)
      << timed_out.output;
  EXPECT_NE(timed_out.output.find("--lock-timeout 1 s"), std::string::npos) << timed_out.output;

  // A run waiting without a limit still stops on SIGTERM (its statement is cancelled).
  ChildProcess waiting(Run());
  ASSERT_TRUE(WaitUntil([&] { return Active("SELECT pg_advisory_xact_lock"); }, seconds(30)));
  waiting.Signal(SIGTERM);
  auto r = waiting.Wait(seconds(15));
  ASSERT_TRUE(r) << "SIGTERM did not end the wait for the lock";
  EXPECT_EQ(r->exit_code, 143) << r->output;

  pg_->Psql(url_,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE "
            "'SELECT pg_advisory_lock%'");
  WaitForNoOtherSessions();
  EXPECT_EQ(Identity(), before);
}

TEST_F(PostgresFaults, TwoRunsOfOneSourceAtOnceLeaveExactlyOneCopy) {
  auto first = RunProcess(Run());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string expected = Content();
  ChildProcess a(Run());
  ChildProcess b(Run());
  auto ra = a.Wait(seconds(120));
  auto rb = b.Wait(seconds(120));
  ASSERT_TRUE(ra && rb);
  EXPECT_EQ(ra->exit_code, 0) << ra->output;
  EXPECT_EQ(rb->exit_code, 0) << rb->output;
  EXPECT_EQ(Content(), expected);
}

// ---------------------------------------------------------------------------------------------
// Scratch of dead runs

// Makes a scratch folder owned by a process that has exited since.
std::string ScratchOfADeadProcess(const std::string& parent, std::string_view prefix) {
  int pipe_fds[2];
  EXPECT_EQ(pipe(pipe_fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    auto made = MakeScratchDir(parent, prefix);
    const std::string path = made.ok() ? *made : std::string();
    ssize_t n = write(pipe_fds[1], path.data(), path.size());
    _exit(n == static_cast<ssize_t>(path.size()) ? 0 : 1);
  }
  close(pipe_fds[1]);
  char buffer[4096];
  ssize_t n = read(pipe_fds[0], buffer, sizeof(buffer));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

TEST(ScratchDir, OnlyScratchOfDeadOwnersOnThisHostIsRemoved) {
  TempDir tmp;
  const std::string dead = ScratchOfADeadProcess(tmp.path(), "x-");
  ASSERT_FALSE(dead.empty());
  auto alive = MakeScratchDir(tmp.path(), "x-");
  ASSERT_TRUE(alive.ok()) << alive.status().ToString();
  // Another host's scratch on a shared volume, and a folder that merely shares the prefix.
  const std::string other_host = tmp.path() + "/x-otherhost-00000000-1-1-00000000";
  const std::string unrelated = tmp.path() + "/x-not-a-scratch-name";
  std::filesystem::create_directory(other_host);
  std::filesystem::create_directory(unrelated);

  EXPECT_EQ(RemoveStaleScratch(tmp.path(), "x-"), 1);
  EXPECT_FALSE(std::filesystem::exists(dead));
  EXPECT_TRUE(std::filesystem::exists(*alive));
  EXPECT_TRUE(std::filesystem::exists(other_host));
  EXPECT_TRUE(std::filesystem::exists(unrelated));
}

// A summarize run killed while it swaps its folders into place: it has written its journal and
// swapped the first folder; the second swap has not happened (here: it failed, its target's
// parent being a file, and the process exited). The next run completes it.
TEST(ScratchDir, APublicationCutShortIsCompletedBeforeTheScratchIsRemoved) {
  namespace fs = std::filesystem;
  TempDir tmp;
  const std::string out = tmp.path() + "/out";
  fs::create_directories(out + "/month");
  std::ofstream(out + "/month/old.csv") << "old\n";
  std::ofstream(out + "/table") << "in the way\n";
  pid_t pid = fork();
  if (pid == 0) {
    auto staging = MakeScratchDir(out, kSummaryStagingPrefix);
    if (!staging.ok()) _exit(1);
    fs::create_directories(*staging + "/month");
    fs::create_directories(*staging + "/table");
    std::ofstream(*staging + "/month/new.csv") << "new\n";
    std::ofstream(*staging + "/table/new.csv") << "new\n";
    Publication publication(*staging);
    publication.Add(*staging + "/month", out + "/month");
    publication.Add(*staging + "/table", out + "/table/source=x");
    _exit(publication.Publish().ok() ? 1 : 0);  // cut short, staging left behind
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(fs::exists(out + "/month/new.csv"));
  EXPECT_FALSE(fs::exists(out + "/month/old.csv"));
  ASSERT_EQ(EntriesStartingWith(out, std::string(kSummaryStagingPrefix)).size(), 1u);

  fs::remove(out + "/table");
  EXPECT_EQ(RemoveStaleScratch(out, kSummaryStagingPrefix,
                               [](const std::string& dir) {
                                 RollForward(dir);
                                 return true;
                               }),
            1);
  EXPECT_TRUE(fs::exists(out + "/table/source=x/new.csv"));
  EXPECT_TRUE(fs::exists(out + "/month/new.csv"));
  EXPECT_TRUE(EntriesStartingWith(out, std::string(kSummaryStagingPrefix)).empty());
}

TEST(ScratchDir, IngestRemovesTheStagingOfAKilledIngest) {
  const GoldenScenario s = LoadGoldenScenario("01_basic_labels");
  TempDir tmp;
  const std::string out = tmp.path() + "/out";
  std::filesystem::create_directories(out);
  const std::string stale = ScratchOfADeadProcess(out, kIngestStagingPrefix);
  ASSERT_FALSE(stale.empty());
  auto r = RunProcess({OcpaggBinary(), "ingest", s.PayloadPath(s.runs[0]), "--output", out,
                       "--source", s.source_uuid, "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_TRUE(EntriesStartingWith(out, std::string(kIngestStagingPrefix)).empty());
}

TEST(ScratchDir, IngestUnderAFileSizeLimitFailsWithExit4AndWritesNothing) {
  const GoldenScenario s = LoadGoldenScenario("04_node_roles");
  TempDir tmp;
  const std::string out = tmp.path() + "/out";
  auto r =
      RunProcess({"/usr/bin/prlimit", "--fsize=5000", "--", OcpaggBinary(), "ingest",
                  s.PayloadPath(s.runs[0]), "--output", out, "--source", s.source_uuid, "--quiet"});
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace ocpagg::testing
