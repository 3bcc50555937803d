// koku's Parquet layout on S3 (a versitygw server started by the test): reading it gives exactly
// what reading the same files from disk gives, ingest and summarize write to it what they write
// to disk, the settings come from flags, OCPAGG_S3_*, the config file, the URI and AWS_* in that
// order, and every failure of S3 (keys, bucket, endpoint, a connection lost mid-read) is exit
// code 4 with a message naming the bucket or object, nothing written.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "support/dir_snapshot.h"
#include "support/golden.h"
#include "support/process.h"
#include "support/s3_server.h"

namespace ocpagg::testing {
namespace {

namespace fs = std::filesystem;

// Every CSV file under `dir` (by name) with its rows minus the random uuid column, sorted.
std::map<std::string, std::vector<std::string>> CsvRowsWithoutUuid(const std::string& dir) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() != ".csv") continue;
    std::ifstream in(e.path());
    std::vector<std::string> rows;
    for (std::string line; std::getline(in, line);) {
      rows.push_back(rows.empty() ? line : line.substr(line.find(',') + 1));
    }
    std::sort(rows.begin() + (rows.empty() ? 0 : 1), rows.end());
    out[e.path().filename().string()] = std::move(rows);
  }
  return out;
}

std::vector<std::string> FileNames(const std::map<std::string, std::string>& files) {
  std::vector<std::string> out;
  for (const auto& [name, content] : files) out.push_back(name);
  return out;
}

TEST(S3Input, GoldenScenariosFromS3GiveTheRowsOfTheSameFilesOnDiskAndExitCleanly) {
  auto server = S3Server::Start();
  ASSERT_NE(server, nullptr);
  server->CreateBucket("koku");
  TempDir tmp;
  for (const std::string& name : GoldenScenarioNames()) {
    SCOPED_TRACE(name);
    const GoldenScenario s = LoadGoldenScenario(name);
    const std::string on_disk = server->root() + "/koku/" + name;
    for (const auto& run : s.runs) {
      auto r = RunProcess({OcpaggBinary(), "ingest", s.PayloadPath(run), "--output", on_disk,
                           "--source", s.source_uuid, "--quiet"});
      ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    for (const auto& [label, input] :
         {std::pair{"disk", on_disk}, std::pair{"s3", server->Uri("koku/" + name)}}) {
      for (const auto& run : s.runs) {
        auto r = RunProcess(WithS3Keys({OcpaggBinary(), "summarize",
                                        "--input",      input,
                                        "--source",     s.source_uuid,
                                        "--year",       run.year,
                                        "--month",      run.month,
                                        "--start-date", run.start_date,
                                        "--end-date",   run.end_date,
                                        "--cluster-id", s.cluster_id,
                                        "--output",     tmp.path() + "/" + name + "/" + label,
                                        "--format",     "csv",
                                        "--threads",    "1",
                                        "--quiet"}));
        ASSERT_EQ(r.exit_code, 0) << label << ": " << r.output;
        // Arrow's S3 client is shut down before the process exits: no warning, no crash.
        EXPECT_EQ(r.output, "") << label;
      }
    }
    const auto from_disk = CsvRowsWithoutUuid(tmp.path() + "/" + name + "/disk");
    EXPECT_FALSE(from_disk.empty());
    EXPECT_EQ(CsvRowsWithoutUuid(tmp.path() + "/" + name + "/s3"), from_disk);
  }
}

// What a test of one golden scenario on S3 needs: the server, a bucket "koku" holding the
// scenario's ingested data (written as plain files under the server's folder), and the
// summarize command line of its first run.
class S3Scenario : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = S3Server::Start();
    ASSERT_NE(server_, nullptr);
    server_->CreateBucket("koku");
    scenario_ = LoadGoldenScenario("01_basic_labels");
    for (const auto& run : scenario_.runs) {
      auto r = RunProcess({OcpaggBinary(), "ingest", scenario_.PayloadPath(run), "--output",
                           server_->root() + "/koku/data", "--source", scenario_.source_uuid,
                           "--quiet"});
      ASSERT_EQ(r.exit_code, 0) << r.output;
    }
  }

  std::string Endpoint() const { return "http://" + server_->endpoint(); }

  // `env` (VAR=value, may be empty) then ocpagg summarize of the first run, from `input` to
  // `output` (CSV), then `extra` arguments; no AWS variables unless `env` sets them.
  ProcessResult Summarize(const std::vector<std::string>& env, const std::string& input,
                          const std::string& output, const std::vector<std::string>& extra = {}) {
    return RunProcess(SummarizeArgv(env, input, output, extra));
  }
  std::vector<std::string> SummarizeArgv(const std::vector<std::string>& env,
                                         const std::string& input, const std::string& output,
                                         const std::vector<std::string>& extra) {
    const auto& run = scenario_.runs.front();
    std::vector<std::string> argv = {"/usr/bin/env",          "-u",
                                     "AWS_ACCESS_KEY_ID",     "-u",
                                     "AWS_SECRET_ACCESS_KEY", "AWS_EC2_METADATA_DISABLED=true"};
    argv.insert(argv.end(), env.begin(), env.end());
    for (const std::string& a : {OcpaggBinary(),
                                 std::string("summarize"),
                                 std::string("--input"),
                                 input,
                                 std::string("--source"),
                                 scenario_.source_uuid,
                                 std::string("--year"),
                                 run.year,
                                 std::string("--month"),
                                 run.month,
                                 std::string("--start-date"),
                                 run.start_date,
                                 std::string("--end-date"),
                                 run.end_date,
                                 std::string("--cluster-id"),
                                 scenario_.cluster_id,
                                 std::string("--output"),
                                 output,
                                 std::string("--format"),
                                 std::string("csv"),
                                 std::string("--quiet")}) {
      argv.push_back(a);
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  // ocpagg ingest of the scenario's first payload into `output`, with this server's flags.
  ProcessResult Ingest(const std::string& output) {
    std::vector<std::string> argv = {"/usr/bin/env",
                                     "AWS_EC2_METADATA_DISABLED=true",
                                     OcpaggBinary(),
                                     "ingest",
                                     scenario_.PayloadPath(scenario_.runs.front()),
                                     "--output",
                                     output,
                                     "--source",
                                     scenario_.source_uuid,
                                     "--quiet"};
    for (const auto& f : Flags()) argv.push_back(f);
    return RunProcess(argv);
  }

  // The --s3-* flags of this server with its keys (or the secret given).
  std::vector<std::string> Flags(const std::string& secret = S3Server::kSecretKey) const {
    return {"--s3-endpoint",      Endpoint(),        "--s3-access-key",
            S3Server::kAccessKey, "--s3-secret-key", secret};
  }

  std::unique_ptr<S3Server> server_;
  GoldenScenario scenario_;
  TempDir tmp_;
};

TEST_F(S3Scenario, IngestAndSummarizeWriteToS3WhatTheyWriteToDisk) {
  server_->CreateBucket("out");
  // On disk.
  const auto& run = scenario_.runs.front();
  auto r = RunProcess({OcpaggBinary(), "ingest", scenario_.PayloadPath(run), "--output",
                       tmp_.path() + "/in", "--source", scenario_.source_uuid, "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Summarize({}, tmp_.path() + "/in", tmp_.path() + "/out");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // On S3: ingest configured by flags, summarize by OCPAGG_S3_* variables.
  r = Ingest("s3://out/in");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Summarize({"OCPAGG_S3_ENDPOINT=" + Endpoint(),
                 std::string("OCPAGG_S3_ACCESS_KEY=") + S3Server::kAccessKey,
                 std::string("OCPAGG_S3_SECRET_KEY=") + S3Server::kSecretKey},
                "s3://out/in", "s3://out/summary");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "");

  const auto ingested = SnapshotDir(tmp_.path() + "/in");
  EXPECT_FALSE(ingested.empty());
  EXPECT_EQ(FileNames(SnapshotDir(server_->root() + "/out/in")), FileNames(ingested));
  const std::string summary = "/reporting_ocpusagelineitem_daily_summary";
  const auto from_disk = CsvRowsWithoutUuid(tmp_.path() + "/out" + summary);
  EXPECT_FALSE(from_disk.empty());
  EXPECT_EQ(CsvRowsWithoutUuid(server_->root() + "/out/summary" + summary), from_disk);
  // The tables beside the summary too.
  auto on_disk = SnapshotDir(tmp_.path() + "/out");
  on_disk.erase(".ocpagg-lock");  // the output folder's lock: S3 has none
  EXPECT_EQ(FileNames(SnapshotDir(server_->root() + "/out/summary")), FileNames(on_disk));
  // Nothing left under temporary names.
  for (const char* dir : {"/out/in", "/out/summary"}) {
    EXPECT_EQ(EntriesStartingWith(server_->root() + dir, ".ocpagg"), std::vector<std::string>{})
        << dir;
  }
}

TEST_F(S3Scenario, SummarizeToS3ReplacesTheRangeAndKeepsOtherDays) {
  server_->CreateBucket("out");
  const std::string month =
      server_->root() + "/out/summary/reporting_ocpusagelineitem_daily_summary";
  ASSERT_EQ(Summarize({}, "s3://koku/data", "s3://out/summary", Flags()).exit_code, 0);
  const auto first = SnapshotDir(month);
  ASSERT_FALSE(first.empty());
  // A day outside the range, and a stale file of a day inside it that has no rows now.
  std::string month_dir;
  for (const auto& [name, content] : first) month_dir = name.substr(0, name.rfind('/'));
  const std::string kept = month + "/" + month_dir + "/2025-10-30.csv";
  const std::string stale = month + "/" + month_dir + "/2025-10-02.parquet";
  std::ofstream(kept) << "kept\n";
  std::ofstream(stale) << "stale\n";
  ASSERT_EQ(Summarize({}, "s3://koku/data", "s3://out/summary", Flags()).exit_code, 0);
  auto second = SnapshotDir(month);
  EXPECT_EQ(second[month_dir + "/2025-10-30.csv"], "kept\n");
  EXPECT_EQ(second.count(month_dir + "/2025-10-02.parquet"), 0u);
  second.erase(month_dir + "/2025-10-30.csv");
  EXPECT_EQ(FileNames(second), FileNames(first));
}

// The journal of a publish under `dir` (a folder of the server), when one is there.
std::optional<fs::path> PublishJournal(const std::string& dir) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const fs::path journal = it->path() / "journal";
    if (it->path().filename().string().starts_with(".ocpagg-upload-") && fs::exists(journal)) {
      return journal;
    }
  }
  return std::nullopt;
}

// The files of the summary and the tables beside it under `dir` (their folders start with
// "reporting_"), by path.
std::map<std::string, std::string> ReportingFiles(const std::string& dir) {
  auto files = SnapshotDir(dir);
  std::erase_if(files, [](const auto& entry) { return !entry.first.starts_with("reporting_"); });
  return files;
}

TEST_F(S3Scenario, APublishKilledAfterItsJournalIsCompletedByTheNextRunWritingThere) {
  server_->CreateBucket("out");
  ASSERT_EQ(Summarize({}, "s3://koku/data", "s3://out/whole", Flags()).exit_code, 0);
  const std::string whole = server_->root() + "/out/whole";
  ASSERT_FALSE(ReportingFiles(whole).empty());
  // The same run, frozen as soon as its journal is written (its copies to the final names
  // under way), then killed.
  const std::string root = server_->root() + "/out/summary";
  ChildProcess run(SummarizeArgv({}, "s3://koku/data", "s3://out/summary", Flags()));
  bool frozen = false;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!frozen && std::chrono::steady_clock::now() < until && run.Running()) {
    if (PublishJournal(root)) {
      run.Signal(SIGSTOP);
      frozen = true;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ASSERT_TRUE(frozen) << run.OutputSoFar();
  run.Signal(SIGKILL);
  ASSERT_TRUE(run.Wait(std::chrono::seconds(10)).has_value());
  ASSERT_TRUE(PublishJournal(root).has_value());
  // The next run writing there, an ingest into the same root, first completes that publish.
  auto r = Ingest("s3://out/summary");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(PublishJournal(root).has_value());
  EXPECT_EQ(EntriesStartingWith(root, ".ocpagg"), std::vector<std::string>{});
  EXPECT_EQ(FileNames(ReportingFiles(root)), FileNames(ReportingFiles(whole)));
  const std::string summary = "/reporting_ocpusagelineitem_daily_summary";
  EXPECT_EQ(CsvRowsWithoutUuid(root + summary), CsvRowsWithoutUuid(whole + summary));
}

TEST_F(S3Scenario, UploadsOfAPublishThatDiedBeforeItsJournalAreRemovedOnceAnHourOld) {
  server_->CreateBucket("out");
  const std::string root = server_->root() + "/out/in";
  const std::string old_upload = ".ocpagg-upload-00000000000000aa";
  const std::string new_upload = ".ocpagg-upload-00000000000000bb";
  for (const std::string& upload : {old_upload, new_upload}) {
    fs::create_directories(root + "/" + upload + "/new/reporting_x");
    std::ofstream(root + "/" + upload + "/new/reporting_x/file.csv") << "a\n";
  }
  fs::last_write_time(root + "/" + old_upload + "/new/reporting_x/file.csv",
                      fs::file_time_type::clock::now() - std::chrono::hours(2));
  auto r = Ingest("s3://out/in");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The old one is gone; the recent one may belong to a run still uploading; neither was
  // published.
  EXPECT_EQ(EntriesStartingWith(root, ".ocpagg"), std::vector<std::string>{new_upload});
  EXPECT_FALSE(fs::exists(root + "/reporting_x"));
}

TEST_F(S3Scenario, SettingsComeFromFlagsThenEnvironmentThenConfigThenUriThenAws) {
  const std::string config = tmp_.path() + "/ocpagg.yaml";
  std::ofstream(config) << "s3:\n  endpoint: " << Endpoint()
                        << "\n  access_key: " << S3Server::kAccessKey
                        << "\n  secret_key: " << S3Server::kSecretKey << "\n  addressing: path\n";
  const std::vector<std::string> wrong_aws = {"AWS_ACCESS_KEY_ID=nobody",
                                              "AWS_SECRET_ACCESS_KEY=wrong",
                                              "AWS_ENDPOINT_URL=http://127.0.0.1:1"};
  const std::string out = tmp_.path() + "/out";
  // The config file wins over AWS_*.
  auto r = Summarize(wrong_aws, "s3://koku/data", out, {"--config", config});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // OCPAGG_S3_* wins over the config file.
  auto env = wrong_aws;
  env.push_back("OCPAGG_S3_SECRET_KEY=wrong");
  r = Summarize(env, "s3://koku/data", out, {"--config", config});
  EXPECT_EQ(r.exit_code, 4) << r.output;
  // A flag wins over OCPAGG_S3_*.
  r = Summarize(env, "s3://koku/data", out,
                {"--config", config, "--s3-secret-key", S3Server::kSecretKey});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // The URI's parameters win over AWS_*, and lose to the config file.
  r = Summarize({"AWS_ENDPOINT_URL=http://127.0.0.1:1",
                 std::string("AWS_ACCESS_KEY_ID=") + S3Server::kAccessKey,
                 std::string("AWS_SECRET_ACCESS_KEY=") + S3Server::kSecretKey},
                server_->Uri("koku/data"), out);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = Summarize({}, "s3://koku/data?endpoint_override=127.0.0.1:1&scheme=http", out,
                {"--config", config});
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(S3Scenario, WrongKeysExitWith4NamingTheBucketAndWriteNothing) {
  const std::string out = tmp_.path() + "/out";
  auto r = Summarize({}, "s3://koku/data", out, Flags("wrong"));
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("s3://koku"), std::string::npos) << r.output;
  EXPECT_TRUE(SnapshotDir(out).empty());
  // Writing with them: the same.
  r = Summarize({}, "s3://koku/data", "s3://koku/summary",
                {"--s3-endpoint", Endpoint(), "--s3-access-key", S3Server::kAccessKey,
                 "--s3-secret-key", "wrong"});
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_TRUE(SnapshotDir(server_->root() + "/koku/summary").empty());
}

TEST_F(S3Scenario, MissingBucketExitsWith4NamingItAndWritesNothing) {
  auto r = Summarize({}, "s3://nobucket/data", tmp_.path() + "/out", Flags());
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("S3 bucket s3://nobucket"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("does not exist"), std::string::npos) << r.output;
  EXPECT_TRUE(SnapshotDir(tmp_.path() + "/out").empty());
  // As the output, of summarize and of ingest.
  r = Summarize({}, "s3://koku/data", "s3://nobucket/summary", Flags());
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("S3 bucket s3://nobucket"), std::string::npos) << r.output;
  std::vector<std::string> ingest = {OcpaggBinary(),
                                     "ingest",
                                     scenario_.PayloadPath(scenario_.runs.front()),
                                     "--output",
                                     "s3://nobucket/in",
                                     "--source",
                                     scenario_.source_uuid,
                                     "--quiet"};
  for (const auto& f : Flags()) ingest.push_back(f);
  r = RunProcess(ingest);
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("S3 bucket s3://nobucket"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(server_->root() + "/nobucket"));
}

TEST_F(S3Scenario, UnreachableEndpointExitsWith4NamingTheBucket) {
  server_->Stop();
  auto r = Summarize({}, "s3://koku/data", tmp_.path() + "/out", Flags());
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("s3://koku"), std::string::npos) << r.output;
  EXPECT_TRUE(SnapshotDir(tmp_.path() + "/out").empty());
}

TEST_F(S3Scenario, HungEndpointExitsWith4NamingTheBucket) {
  // A port that takes connections (the kernel completes them) but never answers.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::listen(fd, 64), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  auto r =
      Summarize({}, "s3://koku/data", tmp_.path() + "/out",
                {"--s3-endpoint", fmt::format("http://127.0.0.1:{}", ntohs(addr.sin_port)),
                 "--s3-access-key", S3Server::kAccessKey, "--s3-secret-key", S3Server::kSecretKey});
  ::close(fd);
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("s3://koku"), std::string::npos) << r.output;
  EXPECT_TRUE(SnapshotDir(tmp_.path() + "/out").empty());
}

TEST(S3Input, ConnectionLostMidReadExitsWith4NamingTheObjectAndWritesNothing) {
  auto server = S3Server::Start();
  ASSERT_NE(server, nullptr);
  server->CreateBucket("koku");
  TempDir tmp;
  const std::string source = "00000000-0000-0000-0000-000000000001";
  auto r = RunProcess({OcpaggBinary(), "generate", "--output", server->root() + "/koku/data",
                       "--pod-hour-rows", "3000000", "--source", source, "--year", "2025",
                       "--month", "10", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // An earlier month's output, which the failed run must leave as it was.
  const std::string out = tmp.path() + "/out";
  std::filesystem::create_directories(out);
  std::ofstream(out + "/earlier.csv") << "earlier\n";
  // One day at a time on one thread, so that the first day's progress line comes while most of
  // the month is still to be read.
  ChildProcess run(
      WithS3Keys({OcpaggBinary(), "summarize", "--input", server->Uri("koku/data"), "--source",
                  source, "--year", "2025", "--month", "10", "--cluster-id", "c", "--output", out,
                  "--threads", "1", "--max-days-in-flight", "1", "--progress"}));
  ASSERT_TRUE(WaitUntil([&] { return run.OutputSoFar().find("day 1/") != std::string::npos; },
                        std::chrono::seconds(60)))
      << run.OutputSoFar();
  server->Stop();
  auto done = run.Wait(std::chrono::seconds(120));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->exit_code, 4) << done->output;
  EXPECT_NE(done->output.find("s3://koku/data/"), std::string::npos) << done->output;
  EXPECT_NE(done->output.find(".parquet"), std::string::npos) << done->output;
  EXPECT_EQ(SnapshotDir(out), (std::map<std::string, std::string>{{"earlier.csv", "earlier\n"}}));
}

}  // namespace
}  // namespace ocpagg::testing
