// Acceptance: every golden scenario through `ocpagg ingest` + `ocpagg summarize --postgres` into
// koku's own tables (tests/sql/koku-schema.sql, from koku's models) on a real PostgreSQL gives
// the rows koku's self-hosted SQL made. Also: reruns replace rows, a killed run or bad input
// leaves the database as it was, --create-schema builds a working stand-alone schema.

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "support/golden.h"
#include "support/koku_db.h"
#include "support/pg_server.h"
#include "support/process.h"
#include "support/summary_compare.h"

extern char** environ;

namespace ocpagg::testing {
namespace {

const char* kSchema = "org1234567";

std::vector<std::string> SummarizeArgs(const GoldenScenario& s, const GoldenSummaryRun& run,
                                       const std::string& data, const std::string& url) {
  std::vector<std::string> argv = {
      OcpaggBinary(), "summarize",  "--input",      data,         "--source",     s.source_uuid,
      "--year",       run.year,     "--month",      run.month,    "--start-date", run.start_date,
      "--end-date",   run.end_date, "--cluster-id", s.cluster_id, "--postgres",   url,
      "--schema",     kSchema,      "--quiet"};
  if (s.cluster_alias) {
    argv.push_back("--cluster-alias");
    argv.push_back(*s.cluster_alias);
  }
  return argv;
}

void Ingest(const GoldenScenario& s, const std::string& data) {
  for (const auto& run : s.runs) {
    auto r = RunProcess({OcpaggBinary(), "ingest", s.PayloadPath(run), "--output", data, "--source",
                         s.source_uuid});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
}

// The summary table as CSV (numbers as numeric text, jsonb as text, NULL unquoted empty).
SummaryTable ReadSummary(PgServer& pg, const std::string& url, const std::string& dir) {
  const std::string path = dir + "/summary.csv";
  pg.Psql(url, "\\copy (SELECT * FROM " + std::string(kSchema) +
                   ".reporting_ocpusagelineitem_daily_summary) TO '" + path + "' WITH CSV HEADER");
  return LoadCsv(path, NullStyle::kUnquotedEmpty);
}

class GoldenPostgres : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenPostgres, IngestAndSummarizeIntoKokuTablesGiveKokuRows) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const GoldenScenario s = LoadGoldenScenario(GetParam());
  const std::string url = pg->CreateDatabase();
  PrepareKokuSchema(*pg, url, s);
  TempDir tmp;
  Ingest(s, tmp.path() + "/data");
  for (const auto& run : s.runs) {
    auto r = RunProcess(SummarizeArgs(s, run, tmp.path() + "/data", url));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  SummaryTable actual = ReadSummary(*pg, url, tmp.path());
  SummaryTable expected = LoadCsv(s.ExpectedSummaryPath(), NullStyle::kBackslashN);
  EXPECT_EQ(CountByDataSource(actual), CountByDataSource(expected));
  auto diffs = CompareSummaries(expected, actual);
  for (size_t i = 0; i < diffs.size() && i < 20; ++i) ADD_FAILURE() << diffs[i];
}

TEST_P(GoldenPostgres, TablesBesideTheSummaryEqualKokusRows) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const GoldenScenario s = LoadGoldenScenario(GetParam());
  const std::string url = pg->CreateDatabase();
  PrepareKokuSchema(*pg, url, s);
  TempDir tmp;
  Ingest(s, tmp.path() + "/data");
  for (const auto& run : s.runs) {
    auto r = RunProcess(SummarizeArgs(s, run, tmp.path() + "/data", url));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  for (const std::string& table : ExpectedTableNames()) {
    SummaryTable actual = ReadTable(*pg, url, tmp.path(), table);
    SummaryTable expected = LoadCsv(s.ExpectedTablePath(table), NullStyle::kBackslashN);
    auto diffs = CompareSummaries(expected, actual);
    for (size_t i = 0; i < diffs.size() && i < 20; ++i) ADD_FAILURE() << table << ": " << diffs[i];
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenPostgres, ::testing::ValuesIn(GoldenScenarioNames()),
                         [](const auto& info) { return info.param; });

TEST(PostgresSummary, TablesDailyWritesOnlyTheDailySummary) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const GoldenScenario s = LoadGoldenScenario("06_month_boundary");
  const std::string url = pg->CreateDatabase();
  PrepareKokuSchema(*pg, url, s);
  TempDir tmp;
  Ingest(s, tmp.path() + "/data");
  auto args = SummarizeArgs(s, s.runs[0], tmp.path() + "/data", url);
  args.insert(args.end(), {"--tables", "daily"});
  auto r = RunProcess(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(ReadSummary(*pg, url, tmp.path()).rows.size(), 0u);
  for (const std::string& table : ExpectedTableNames()) {
    if (table == "reporting_ocp_clusters" || table == "reporting_ocp_nodes") continue;  // state
    EXPECT_EQ(ReadTable(*pg, url, tmp.path(), table).rows.size(), 0u) << table;
  }
}

TEST(PostgresSummary, ASchemaWithoutTheTablesStopsTheRunNamingTheTableAndTheWayOut) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const GoldenScenario s = LoadGoldenScenario("01_basic_labels");
  const std::string url = pg->CreateDatabase();
  PrepareKokuSchema(*pg, url, s);
  pg->Psql(url, "DROP TABLE " + std::string(kSchema) + ".reporting_ocp_pod_summary_p");
  TempDir tmp;
  Ingest(s, tmp.path() + "/data");
  auto args = SummarizeArgs(s, s.runs[0], tmp.path() + "/data", url);
  auto r = RunProcess(args);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("has no table reporting_ocp_pod_summary_p"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("--tables daily"), std::string::npos) << r.output;
  EXPECT_EQ(ReadSummary(*pg, url, tmp.path()).rows.size(), 0u);
  args.insert(args.end(), {"--tables", "daily"});
  r = RunProcess(args);
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(PostgresSummary, RerunLeavesExactlyOneCopyOfTheRows) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const GoldenScenario s = LoadGoldenScenario("03_storage");
  const std::string url = pg->CreateDatabase();
  PrepareKokuSchema(*pg, url, s);
  TempDir tmp;
  Ingest(s, tmp.path() + "/data");
  for (int i = 0; i < 2; ++i) {
    auto r = RunProcess(SummarizeArgs(s, s.runs[0], tmp.path() + "/data", url));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  SummaryTable actual = ReadSummary(*pg, url, tmp.path());
  SummaryTable expected = LoadCsv(s.ExpectedSummaryPath(), NullStyle::kBackslashN);
  EXPECT_EQ(actual.rows.size(), expected.rows.size());
  EXPECT_TRUE(CompareSummaries(expected, actual).empty());
}

TEST(PostgresSummary, RerunReplacesTheUiRowsAndAddsLabelRowsWithoutNodeAgain) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const GoldenScenario s = LoadGoldenScenario("03_storage");
  const std::string url = pg->CreateDatabase();
  PrepareKokuSchema(*pg, url, s);
  TempDir tmp;
  Ingest(s, tmp.path() + "/data");
  for (int i = 0; i < 2; ++i) {
    auto r = RunProcess(SummarizeArgs(s, s.runs[0], tmp.path() + "/data", url));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  for (const std::string& table : ExpectedTableNames()) {
    auto diffs = CompareSummaries(ExpectedTableAfterRuns(s, table, 2),
                                  ReadTable(*pg, url, tmp.path(), table));
    for (size_t i = 0; i < diffs.size() && i < 20; ++i) ADD_FAILURE() << table << ": " << diffs[i];
  }
}

TEST(PostgresSummary, CreateSchemaBuildsAStandAloneInstallThatGivesKokuRows) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const GoldenScenario s = LoadGoldenScenario("04_node_roles");
  const std::string url = pg->CreateDatabase();
  TempDir tmp;
  Ingest(s, tmp.path() + "/data");
  auto args = SummarizeArgs(s, s.runs[0], tmp.path() + "/data", url);
  args.push_back("--create-schema");
  auto first = RunProcess(args);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  // koku's default categories are seeded; the scenario's keys are then enabled and the run
  // repeated, as an operator of a stand-alone install would.
  EXPECT_EQ(pg->Psql(url, "SELECT string_agg(namespace, ',' ORDER BY namespace) FROM " +
                              std::string(kSchema) + ".reporting_ocp_cost_category_namespace"),
            "Platform unallocated,kube-%,openshift,openshift-%\n");
  std::string keys;
  for (const auto& k : s.enabled_keys) {
    keys += "INSERT INTO " + std::string(kSchema) +
            ".reporting_enabledtagkeys (key, enabled, provider_type) VALUES ('" + k +
            "', true, 'OCP');";
  }
  if (!keys.empty()) pg->Psql(url, keys);
  auto second = RunProcess(args);  // --create-schema again: idempotent
  ASSERT_EQ(second.exit_code, 0) << second.output;
  SummaryTable actual = ReadSummary(*pg, url, tmp.path());
  SummaryTable expected = LoadCsv(s.ExpectedSummaryPath(), NullStyle::kBackslashN);
  auto diffs = CompareSummaries(expected, actual);
  for (size_t i = 0; i < diffs.size() && i < 20; ++i) ADD_FAILURE() << diffs[i];
  // The tables beside the summary, in the DDL --create-schema made.
  for (const std::string& table : ExpectedTableNames()) {
    diffs = CompareSummaries(LoadCsv(s.ExpectedTablePath(table), NullStyle::kBackslashN),
                             ReadTable(*pg, url, tmp.path(), table));
    for (size_t i = 0; i < diffs.size() && i < 20; ++i) ADD_FAILURE() << table << ": " << diffs[i];
  }
}

// Two runs of different sources do not wait for each other's source lock: creating the schema
// at once, they take turns (concurrent CREATE ... IF NOT EXISTS of one name can fail in
// PostgreSQL's catalog), and both write their rows.
TEST(PostgresSummary, TwoRunsCreatingTheSchemaAtOnceBothSucceed) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const GoldenScenario s = LoadGoldenScenario("04_node_roles");
  GoldenScenario other = s;
  other.source_uuid = "00000000-0000-0000-0000-0000000000bb";
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  Ingest(s, data);
  Ingest(other, data);
  other.cluster_id = s.cluster_id + "-b";
  for (int round = 0; round < 3; ++round) {
    const std::string url = pg->CreateDatabase();
    auto a_args = SummarizeArgs(s, s.runs[0], data, url);
    auto b_args = SummarizeArgs(other, other.runs[0], data, url);
    a_args.push_back("--create-schema");
    b_args.push_back("--create-schema");
    ChildProcess a(a_args);
    ChildProcess b(b_args);
    auto ra = a.Wait(std::chrono::seconds(120));
    auto rb = b.Wait(std::chrono::seconds(120));
    ASSERT_TRUE(ra && rb);
    EXPECT_EQ(ra->exit_code, 0) << ra->output;
    EXPECT_EQ(rb->exit_code, 0) << rb->output;
    EXPECT_EQ(pg->Psql(url, "SELECT count(DISTINCT report_period_id) FROM " + std::string(kSchema) +
                                ".reporting_ocpusagelineitem_daily_summary"),
              "2\n");
  }
}

// A checksum of the summary table's rows (uuid included: a rewrite would change it).
std::string Fingerprint(PgServer& pg, const std::string& url) {
  return pg.Psql(url,
                 "SELECT count(*) || ':' || coalesce(md5(string_agg(uuid::text, ',' ORDER BY "
                 "uuid)), '') FROM " +
                     std::string(kSchema) + ".reporting_ocpusagelineitem_daily_summary");
}

TEST(PostgresSummary, KillingARunInTheMiddleOfCopyLeavesThePreviousRows) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const std::string url = pg->CreateDatabase();
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  auto gen = RunProcess(
      {OcpaggBinary(), "generate", "--output", data, "--pod-hour-rows", "3000000", "--quiet"});
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  std::vector<std::string> args = {OcpaggBinary(),    "summarize",
                                   "--input",         data,
                                   "--source",        "00000000-0000-0000-0000-000000000001",
                                   "--year",          "2025",
                                   "--month",         "10",
                                   "--cluster-id",    "kill-test",
                                   "--postgres",      url,
                                   "--schema",        kSchema,
                                   "--create-schema", "--quiet",
                                   "--threads",       "1"};
  auto first = RunProcess(args);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string before = Fingerprint(*pg, url);
  ASSERT_NE(before.substr(0, 2), "0:");

  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  // Wait until the second run's COPY is streaming, then kill it without warning.
  bool copying = false;
  for (int i = 0; i < 3000 && !copying; ++i) {
    copying = pg->Psql(url,
                       "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY %' "
                       "AND state = 'active'") != "0\n";
    if (!copying) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(copying) << "the run finished before its COPY could be observed";
  ASSERT_TRUE(WIFSIGNALED(status));
  // The server notices the dead client and rolls its transaction back.
  std::string after;
  for (int i = 0; i < 200; ++i) {
    if (pg->Psql(url, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY %'") == "0\n") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  after = Fingerprint(*pg, url);
  EXPECT_EQ(after, before);
}

TEST(PostgresSummary, BadInputStopsWithExitCode3AndLeavesTheDatabaseUnchanged) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const GoldenScenario s = LoadGoldenScenario("01_basic_labels");
  const std::string url = pg->CreateDatabase();
  PrepareKokuSchema(*pg, url, s);
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  Ingest(s, data);
  auto ok = RunProcess(SummarizeArgs(s, s.runs[0], data, url));
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  const std::string before = Fingerprint(*pg, url);
  // Corrupt the footer of one daily pod file.
  std::string victim;
  for (const auto& e : std::filesystem::recursive_directory_iterator(data)) {
    if (e.path().string().find("/daily/") != std::string::npos &&
        e.path().string().find("/pod_usage/") != std::string::npos &&
        e.path().extension() == ".parquet") {
      victim = e.path().string();
    }
  }
  ASSERT_FALSE(victim.empty());
  std::filesystem::resize_file(victim, std::filesystem::file_size(victim) - 20);
  auto bad = RunProcess(SummarizeArgs(s, s.runs[0], data, url));
  EXPECT_EQ(bad.exit_code, 3) << bad.output;
  EXPECT_NE(bad.output.find(victim), std::string::npos) << bad.output;
  EXPECT_EQ(Fingerprint(*pg, url), before);
}

}  // namespace
}  // namespace ocpagg::testing
