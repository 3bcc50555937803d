// Acceptance for koku's on-prem deployment: every golden scenario loaded into koku's on-prem
// line-item tables (`ocpagg ingest --postgres`) and summarized from them (`summarize --input
// postgresql://...`) gives the summary the Parquet path gives, byte for byte, and the tables
// beside it koku's rows (expected_tables/), as the Parquet path does. Also: a rerun of
// an ingest replaces its rows, a killed ingest leaves the tables as they were, and bad rows or
// columns in the tables stop the summary with exit code 3, naming table, column and row.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "ocpagg/pg/koku_schema.h"
#include "support/golden.h"
#include "support/koku_db.h"
#include "support/pg_server.h"
#include "support/process.h"
#include "support/summary_compare.h"

namespace ocpagg::testing {
namespace {

const std::string kSchema = kKokuSchema;

std::vector<std::string> ClusterArgs(const GoldenScenario& s, const GoldenSummaryRun& run) {
  std::vector<std::string> argv = {"--source",   s.source_uuid, "--year",       run.year,
                                   "--month",    run.month,     "--start-date", run.start_date,
                                   "--end-date", run.end_date,  "--cluster-id", s.cluster_id,
                                   "--schema",   kSchema,       "--quiet"};
  if (s.cluster_alias) {
    argv.push_back("--cluster-alias");
    argv.push_back(*s.cluster_alias);
  }
  return argv;
}

std::vector<std::string> Command(std::vector<std::string> head,
                                 const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

// The Parquet path: ingest to files, summarize from them into `url`.
void SummarizeFromParquet(const GoldenScenario& s, const std::string& url,
                          const std::string& data) {
  for (const auto& run : s.runs) {
    auto r = RunProcess({OcpaggBinary(), "ingest", s.PayloadPath(run), "--output", data, "--source",
                         s.source_uuid, "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  for (const auto& run : s.runs) {
    auto r = RunProcess(Command({OcpaggBinary(), "summarize", "--input", data, "--postgres", url},
                                ClusterArgs(s, run)));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
}

ProcessResult IngestToPostgres(const std::string& payload, const std::string& source,
                               const std::string& url) {
  return RunProcess({OcpaggBinary(), "ingest", payload, "--postgres", url, "--schema", kSchema,
                     "--source", source, "--quiet"});
}

// The on-prem path: ingest into the line-item tables, summarize from them into the same
// database (one URL).
void SummarizeFromTables(const GoldenScenario& s, const std::string& url) {
  for (const auto& run : s.runs) {
    auto r = IngestToPostgres(s.PayloadPath(run), s.source_uuid, url);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  for (const auto& run : s.runs) {
    auto r =
        RunProcess(Command({OcpaggBinary(), "summarize", "--input", url}, ClusterArgs(s, run)));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
}

// The summary table as CSV, every column but the random uuid, rows in a fixed order.
std::string ExportSummary(PgServer& pg, const std::string& url, const std::string& path) {
  const std::string columns =
      pg.Psql(url,
              "SELECT string_agg(quote_ident(column_name), ',' ORDER BY ordinal_position) FROM "
              "information_schema.columns WHERE table_schema = '" +
                  kSchema +
                  "' AND table_name = 'reporting_ocpusagelineitem_daily_summary' AND "
                  "column_name <> 'uuid'");
  const std::string list = columns.substr(0, columns.find('\n'));
  pg.Psql(url, "\\copy (SELECT " + list + " FROM " + kSchema +
                   ".reporting_ocpusagelineitem_daily_summary ORDER BY " + list + ") TO '" + path +
                   "' WITH CSV HEADER");
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class GoldenOnPrem : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenOnPrem, SummaryFromTheOnPremTablesEqualsTheParquetPathByteForByte) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const GoldenScenario s = LoadGoldenScenario(GetParam());
  TempDir tmp;
  const std::string parquet_db = pg->CreateDatabase();
  PrepareKokuSchema(*pg, parquet_db, s);
  SummarizeFromParquet(s, parquet_db, tmp.path() + "/data");
  const std::string onprem_db = pg->CreateDatabase();
  PrepareKokuSchema(*pg, onprem_db, s);
  SummarizeFromTables(s, onprem_db);

  const std::string from_parquet = ExportSummary(*pg, parquet_db, tmp.path() + "/parquet.csv");
  const std::string from_tables = ExportSummary(*pg, onprem_db, tmp.path() + "/onprem.csv");
  EXPECT_GT(std::count(from_tables.begin(), from_tables.end(), '\n'), 1);
  EXPECT_EQ(from_tables, from_parquet);
  // And both are koku's rows.
  SummaryTable actual = LoadCsv(tmp.path() + "/onprem.csv", NullStyle::kUnquotedEmpty);
  SummaryTable expected = LoadCsv(s.ExpectedSummaryPath(), NullStyle::kBackslashN);
  auto diffs = CompareSummaries(expected, actual, {"uuid"});
  for (size_t i = 0; i < diffs.size() && i < 20; ++i) ADD_FAILURE() << diffs[i];
  // The tables beside the summary, from the same run: koku's rows, as from Parquet
  // (GoldenPostgres). Their uuids are random, so the two databases are not compared directly.
  for (const std::string& table : ExpectedTableNames()) {
    SummaryTable from_tables = ReadTable(*pg, onprem_db, tmp.path(), table);
    auto table_diffs =
        CompareSummaries(LoadCsv(s.ExpectedTablePath(table), NullStyle::kBackslashN), from_tables);
    for (size_t i = 0; i < table_diffs.size() && i < 20; ++i) {
      ADD_FAILURE() << table << ": " << table_diffs[i];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenOnPrem, ::testing::ValuesIn(GoldenScenarioNames()),
                         [](const auto& info) { return info.param; });

const char* kLineItemTables[] = {
    "openshift_pod_usage_line_items",        "openshift_pod_usage_line_items_daily",
    "openshift_storage_usage_line_items",    "openshift_storage_usage_line_items_daily",
    "openshift_node_labels_line_items",      "openshift_node_labels_line_items_daily",
    "openshift_namespace_labels_line_items", "openshift_namespace_labels_line_items_daily"};

// Rows per line-item table, with a checksum of their ids (a rewrite changes them).
std::string LineItemFingerprint(PgServer& pg, const std::string& url) {
  std::string sql = "SELECT concat_ws(' '";
  for (const char* t : kLineItemTables) {
    sql +=
        ", (SELECT count(*) || ':' || coalesce(md5(string_agg(id::text, ',' ORDER BY id)), '') "
        "FROM " +
        kSchema + "." + t + ")";
  }
  return pg.Psql(url, sql + ")");
}

std::string Count(PgServer& pg, const std::string& url, const std::string& table) {
  return pg.Psql(url, "SELECT count(*) FROM " + kSchema + "." + table);
}

TEST(OnPremIngest, ARerunReplacesThePayloadsRows) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const GoldenScenario s = LoadGoldenScenario("03_storage");
  const std::string url = pg->CreateDatabase();
  PrepareKokuSchema(*pg, url, s);
  ASSERT_EQ(IngestToPostgres(s.PayloadPath(s.runs[0]), s.source_uuid, url).exit_code, 0);
  std::vector<std::string> counts;
  for (const char* t : kLineItemTables) counts.push_back(Count(*pg, url, t));
  EXPECT_NE(counts[0], "0\n");
  EXPECT_NE(counts[3], "0\n");
  const std::string first = LineItemFingerprint(*pg, url);
  auto again = IngestToPostgres(s.PayloadPath(s.runs[0]), s.source_uuid, url);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  for (size_t i = 0; i < std::size(kLineItemTables); ++i) {
    EXPECT_EQ(Count(*pg, url, kLineItemTables[i]), counts[i]) << kLineItemTables[i];
  }
  EXPECT_NE(LineItemFingerprint(*pg, url), first);  // new rows, not the old ones kept
  // Another source's rows on the same days stay.
  const std::string other = "00000000-0000-0000-0000-0000000000aa";
  ASSERT_EQ(IngestToPostgres(s.PayloadPath(s.runs[0]), other, url).exit_code, 0);
  ASSERT_EQ(IngestToPostgres(s.PayloadPath(s.runs[0]), s.source_uuid, url).exit_code, 0);
  EXPECT_EQ(
      pg->Psql(url, "SELECT count(*) FROM " + kSchema +
                        ".openshift_pod_usage_line_items_daily WHERE source = '" + other + "'"),
      pg->Psql(url, "SELECT count(*) FROM " + kSchema +
                        ".openshift_pod_usage_line_items_daily WHERE source = '" + s.source_uuid +
                        "'"));
}

// A copy of the scenario's payload whose pod usage report repeats its rows `times` times.
std::string LargePayload(const GoldenScenario& s, const std::string& dir, int times) {
  namespace fs = std::filesystem;
  const fs::path from = s.PayloadPath(s.runs[0]);
  const fs::path to = fs::path(dir) / from.filename();
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(from)) {
    std::ifstream in(e.path());
    std::string header, line, body;
    std::getline(in, header);
    while (std::getline(in, line)) body += line + "\n";
    std::ofstream out(to / e.path().filename());
    out << header << "\n";
    if (header.find("pod_usage_cpu_core_seconds") == std::string::npos) {
      out << body;
      continue;
    }
    for (int i = 0; i < times; ++i) out << body;
  }
  return to.string();
}

TEST(OnPremIngest, AKilledIngestLeavesTheTablesAsTheyWere) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const GoldenScenario s = LoadGoldenScenario("01_basic_labels");
  const std::string url = pg->CreateDatabase();
  PrepareKokuSchema(*pg, url, s);
  ASSERT_EQ(IngestToPostgres(s.PayloadPath(s.runs[0]), s.source_uuid, url).exit_code, 0);
  const std::string before = LineItemFingerprint(*pg, url);
  TempDir tmp;
  const std::string payload = LargePayload(s, tmp.path(), 4000);
  const std::string copy_running =
      "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY %FROM STDIN%' AND state = "
      "'active'";
  {
    ChildProcess ingest({OcpaggBinary(), "ingest", payload, "--postgres", url, "--schema", kSchema,
                         "--source", s.source_uuid, "--quiet"});
    const bool copying =
        WaitUntil([&] { return pg->Psql(url, copy_running) != "0\n"; }, std::chrono::seconds(120));
    ingest.Signal(SIGKILL);
    ASSERT_TRUE(copying) << "the ingest ended before its COPY could be observed";
  }
  // The server notices the dead client and rolls its transaction back.
  ASSERT_TRUE(WaitUntil(
      [&] {
        return pg->Psql(url, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY %'") ==
               "0\n";
      },
      std::chrono::seconds(30)));
  EXPECT_EQ(LineItemFingerprint(*pg, url), before);
}

std::string Partitions(PgServer& pg, const std::string& url, const std::string& table) {
  return pg.Psql(url,
                 "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i JOIN "
                 "pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '" +
                     kSchema + "." + table + "'::regclass");
}

constexpr char kCapacityIndex[] = "ocpagg_hourly_capacity_idx";

// The partitions of the hourly pod table that have ocpagg's index, and how many it has.
std::string IndexedPartitions(PgServer& pg, const std::string& url) {
  return pg.Psql(url, "SELECT (SELECT count(*) FROM pg_inherits WHERE inhparent = '" + kSchema +
                          "." + kCapacityIndex +
                          "'::regclass) || ' of ' || (SELECT count(*) FROM pg_inherits WHERE "
                          "inhparent = '" +
                          kSchema + ".openshift_pod_usage_line_items'::regclass)");
}

// Index scans, index entries read and heap rows fetched through ocpagg's index, over its
// partitions, once the server has the counts of every session that has ended.
std::string CapacityIndexUse(PgServer& pg, const std::string& url) {
  pg.WaitForNoOtherSessions(url);
  const std::string sql =
      "SELECT coalesce(sum(s.idx_scan), 0) || ' ' || coalesce(sum(s.idx_tup_read), 0) || ' ' || "
      "coalesce(sum(s.idx_tup_fetch), 0) FROM pg_stat_user_indexes s JOIN pg_inherits i ON "
      "i.inhrelid = s.indexrelid WHERE i.inhparent = '" +
      kSchema + "." + kCapacityIndex + "'::regclass";
  std::string use;
  WaitUntil(
      [&] {
        use = pg.Psql(url, sql);
        return !use.starts_with("0 ");
      },
      std::chrono::seconds(10));
  return use;
}

// A stand-alone on-prem install: `ingest --postgres --create-schema` on an empty database
// creates koku's eight line-item tables, partitioned by month on usage_start, with ocpagg's
// index on the hourly pod table, and the summary read from them (the hourly rows through that
// index alone) is the Parquet path's.
TEST(OnPremCreateSchema, IngestCreatesKokusPartitionedTablesThatTheSummaryReads) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const GoldenScenario s = LoadGoldenScenario("06_month_boundary");
  TempDir tmp;
  const std::string onprem_db = pg->CreateDatabase();
  auto ingest = [&](const GoldenSummaryRun& run) {
    return RunProcess({OcpaggBinary(), "ingest", s.PayloadPath(run), "--postgres", onprem_db,
                       "--schema", kSchema, "--create-schema", "--source", s.source_uuid,
                       "--quiet"});
  };
  for (const auto& run : s.runs) {
    auto r = ingest(run);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  EXPECT_EQ(pg->Psql(onprem_db,
                     "SELECT count(*) FROM pg_partitioned_table p JOIN pg_class c ON c.oid = "
                     "p.partrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname "
                     "= '" +
                         kSchema + "' AND c.relname LIKE 'openshift_%_line_items%'"),
            std::to_string(std::size(kLineItemTables)) + "\n");
  std::set<std::string> months;
  for (const auto& run : s.runs) months.insert(run.year + "_" + run.month);
  ASSERT_GE(months.size(), 2u);
  for (const char* table : kLineItemTables) {
    std::string expected;
    for (const auto& m : months) expected += std::string(table) + "_" + m + ",";
    EXPECT_EQ(Partitions(*pg, onprem_db, table), expected + table + "_default\n") << table;
    EXPECT_EQ(Count(*pg, onprem_db, std::string(table) + "_default"), "0\n") << table;
  }
  EXPECT_EQ(IndexedPartitions(*pg, onprem_db),
            std::to_string(months.size() + 1) + " of " + std::to_string(months.size() + 1) + "\n");
  // Again, with the tables there: nothing is created, the rows are replaced.
  const std::string counts = Count(*pg, onprem_db, "openshift_pod_usage_line_items_daily");
  auto again = ingest(s.runs[0]);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(Count(*pg, onprem_db, "openshift_pod_usage_line_items_daily"), counts);

  PrepareKokuSchema(*pg, onprem_db, s);  // koku's summary tables and the scenario's settings
  // Tables this small are read by sequential scans: any other scan but an index-only one is
  // made to cost more, so that the hourly reads take one when ocpagg's index holds every
  // column they read.
  const std::string index_only =
      onprem_db +
      "&options=-c%20enable_seqscan%3Doff%20-c%20enable_indexscan%3Doff%20-c%20enable_bitmapscan"
      "%3Doff";
  for (const auto& run : s.runs) {
    auto r = RunProcess(
        Command({OcpaggBinary(), "summarize", "--input", index_only, "--postgres", onprem_db},
                ClusterArgs(s, run)));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  // Every hourly read went through the index alone: no row fetched from the table.
  const std::string use = CapacityIndexUse(*pg, onprem_db);
  EXPECT_FALSE(use.starts_with("0 ")) << use;
  EXPECT_TRUE(use.ends_with(" 0\n")) << use;
  const std::string parquet_db = pg->CreateDatabase();
  PrepareKokuSchema(*pg, parquet_db, s);
  SummarizeFromParquet(s, parquet_db, tmp.path() + "/data");
  const std::string from_tables = ExportSummary(*pg, onprem_db, tmp.path() + "/onprem.csv");
  EXPECT_GT(std::count(from_tables.begin(), from_tables.end(), '\n'), 1);
  EXPECT_EQ(from_tables, ExportSummary(*pg, parquet_db, tmp.path() + "/parquet.csv"));
}

// Two ingests of different sources creating the tables of an empty database at once take turns
// and both load their rows.
TEST(OnPremCreateSchema, TwoIngestsCreatingTheTablesAtOnceBothSucceed) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const GoldenScenario s = LoadGoldenScenario("03_storage");
  const std::string other = "00000000-0000-0000-0000-0000000000bb";
  auto ingest = [&](const std::string& url, const std::string& source) {
    return std::vector<std::string>{
        OcpaggBinary(), "ingest", s.PayloadPath(s.runs[0]), "--postgres", url,
        "--schema",     kSchema,  "--create-schema",        "--source",   source,
        "--quiet"};
  };
  for (int round = 0; round < 3; ++round) {
    const std::string url = pg->CreateDatabase();
    ChildProcess a(ingest(url, s.source_uuid));
    ChildProcess b(ingest(url, other));
    auto ra = a.Wait(std::chrono::seconds(120));
    auto rb = b.Wait(std::chrono::seconds(120));
    ASSERT_TRUE(ra && rb);
    EXPECT_EQ(ra->exit_code, 0) << ra->output;
    EXPECT_EQ(rb->exit_code, 0) << rb->output;
    auto rows_of = [&](const std::string& source) {
      return pg->Psql(url, "SELECT count(*) FROM " + kSchema +
                               ".openshift_pod_usage_line_items_daily WHERE source = '" + source +
                               "'");
    };
    EXPECT_NE(rows_of(other), "0\n");
    EXPECT_EQ(rows_of(other), rows_of(s.source_uuid));
    EXPECT_EQ(IndexedPartitions(*pg, url), "2 of 2\n");  // the month's and the default
  }
}

// Runs of white space as one space: a statement indented in a list item reads the same.
std::string OneSpaced(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n';
    if (!space || (!out.empty() && out.back() != ' ')) out += space ? ' ' : c;
  }
  return out;
}

// README and docs/semantics.md give the statement that creates ocpagg's index on tables koku
// created: the one `--create-schema` runs.
TEST(OnPremCreateSchema, TheDocumentedIndexStatementIsTheOneCreated) {
  const std::string statement = OneSpaced(pg::HourlyCapacityIndexDdl("org1234567"));
  for (const char* doc : {"README.md", "docs/semantics.md"}) {
    std::ifstream in(std::filesystem::path(OCPAGG_SOURCE_DIR) / doc);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(OneSpaced(text.str()).find(statement), std::string::npos) << doc << " lacks\n"
                                                                        << statement;
  }
}

std::string SummaryFingerprint(PgServer& pg, const std::string& url) {
  return pg.Psql(url,
                 "SELECT count(*) || ':' || coalesce(md5(string_agg(uuid::text, ',' ORDER BY "
                 "uuid)), '') FROM " +
                     kSchema + ".reporting_ocpusagelineitem_daily_summary");
}

// A database with koku's tables and the first payload of 01_basic_labels in the on-prem ones.
class OnPremDatabase : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = PgServer::Get();
    ASSERT_NE(pg_, nullptr);
    url_ = pg_->CreateDatabase();
    PrepareKokuSchema(*pg_, url_, s_);
    ASSERT_EQ(IngestToPostgres(s_.PayloadPath(s_.runs[0]), s_.source_uuid, url_).exit_code, 0);
  }
  ProcessResult Summarize() const { return RunProcess(SummarizeArgs()); }
  std::vector<std::string> SummarizeArgs() const {
    return Command({OcpaggBinary(), "summarize", "--input", url_}, ClusterArgs(s_, s_.runs[0]));
  }

  const GoldenScenario s_ = LoadGoldenScenario("01_basic_labels");
  PgServer* pg_ = nullptr;
  std::string url_;
};

// A summary run from the on-prem tables killed at any point leaves the summary and every table
// beside it as it was, or, when it had committed, replaced by the same rows.
class OnPremFaults : public OnPremDatabase {
 protected:
  void SetUp() override {
    OnPremDatabase::SetUp();
    if (HasFatalFailure()) return;
    // Many namespaces, so that a run lasts long enough to be killed while it reads and writes:
    // each daily pod and namespace-label row copied under 1,500 other namespace names.
    for (const std::string table :
         {"openshift_pod_usage_line_items_daily", "openshift_namespace_labels_line_items_daily"}) {
      pg_->Psql(url_,
                "DO $$ DECLARE columns text; BEGIN SELECT string_agg(CASE column_name WHEN "
                "'id' THEN 'gen_random_uuid()' WHEN 'namespace' THEN 'namespace || ''-'' || "
                "g' ELSE quote_ident(column_name) END, ', ' ORDER BY ordinal_position) INTO "
                "columns FROM information_schema.columns WHERE table_schema = '" +
                    kSchema + "' AND table_name = '" + table + "'; EXECUTE format('INSERT INTO " +
                    kSchema + "." + table + " SELECT %s FROM " + kSchema + "." + table +
                    ", generate_series(1, 1500) g', columns); END $$");
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto first = RunProcess(OneThread());
    run_time_ = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - t0);
    ASSERT_EQ(first.exit_code, 0) << first.output;
  }
  std::vector<std::string> OneThread() const {
    auto argv = SummarizeArgs();
    argv.insert(argv.end(), {"--threads", "1"});
    return argv;
  }
  // Rows of the summary and of every table beside it. `with_keys`: the random uuid or id of
  // each row too (unchanged means not rewritten); without, what a rerun writes again alike.
  std::string Tables(bool with_keys) const {
    std::string all;
    for (const std::string& table : ExpectedTableNames()) {
      const std::string row =
          with_keys ? "to_jsonb(t)::text" : "(to_jsonb(t) - 'uuid' - 'id')::text";
      all += table + "=" +
             pg_->Psql(url_, "SELECT count(*) || ':' || coalesce(md5(string_agg(" + row +
                                 ", ',' ORDER BY " + row + ")), '') FROM " + kSchema + "." + table +
                                 " t");
    }
    const std::string summary = with_keys ? "to_jsonb(t)::text" : "(to_jsonb(t) - 'uuid')::text";
    return all + pg_->Psql(url_, "SELECT count(*) || ':' || coalesce(md5(string_agg(" + summary +
                                     ", ',' ORDER BY " + summary + ")), '') FROM " + kSchema +
                                     ".reporting_ocpusagelineitem_daily_summary t");
  }
  // Kills a run while another session holds `table`, which the run then waits for.
  void KillWhileWaitingFor(const std::string& table, const std::string& statement_prefix) {
    const std::string before = Tables(/*with_keys=*/true);
    ASSERT_NO_FATAL_FAILURE(
        pg_->KillWhileWaitingForLock(url_, kSchema + "." + table, OneThread(), statement_prefix));
    EXPECT_EQ(Tables(/*with_keys=*/true), before);
  }

  std::chrono::milliseconds run_time_{0};  // of the first, whole run
};

TEST_F(OnPremFaults, SigkillAtSeveralMomentsLeavesEveryTableAsItWasOrReplaced) {
  const std::string before = Tables(/*with_keys=*/false);
  ASSERT_EQ(before.find("reporting_ocp_pod_summary_p=0:"), std::string::npos);
  // Killed at every tenth of what a whole run took: reading, aggregating, writing, committing.
  int killed_running = 0;
  for (int tenth = 1; tenth <= 9; ++tenth) {
    const auto delay = run_time_ * tenth / 10;
    ChildProcess run(OneThread());
    std::this_thread::sleep_for(delay);
    if (run.Running()) ++killed_running;
    run.Signal(SIGKILL);
    ASSERT_TRUE(run.Wait(std::chrono::seconds(30)));
    pg_->WaitForNoOtherSessions(url_);
    EXPECT_EQ(Tables(/*with_keys=*/false), before) << "killed after " << delay.count() << " ms";
  }
  EXPECT_GE(killed_running, 5) << "the runs ended before most kills (a whole run: "
                               << run_time_.count() << " ms)";
}

TEST_F(OnPremFaults, SigkillBeforeTheSummaryIsReplacedLeavesEveryTableAsItWas) {
  KillWhileWaitingFor("reporting_ocpusagelineitem_daily_summary",
                      "DELETE FROM \"" + kSchema + "\".reporting_ocpusagelineitem_daily_summary");
}

TEST_F(OnPremFaults, SigkillWhileTheTablesBesideTheSummaryAreWrittenLeavesThemAsTheyWere) {
  // The summary rows, PVCs, projects and the first UI tables are written in the run's
  // transaction by then.
  KillWhileWaitingFor("reporting_ocp_volume_summary_p",
                      "DELETE FROM \"" + kSchema + "\".reporting_ocp_volume");
}

class OnPremBadInput : public OnPremDatabase {
 protected:
  void SetUp() override {
    OnPremDatabase::SetUp();
    if (HasFatalFailure()) return;
    auto ok = Summarize();
    ASSERT_EQ(ok.exit_code, 0) << ok.output;
    before_ = SummaryFingerprint(*pg_, url_);
  }

  std::string before_;
};

TEST_F(OnPremBadInput, LabelsThatAreNotJsonNameTableColumnAndRowAndChangeNothing) {
  const std::string id = pg_->Psql(
      url_, "UPDATE " + kSchema +
                ".openshift_pod_usage_line_items_daily SET pod_labels = '{\"app\": ' WHERE id = "
                "(SELECT min(id::text)::uuid FROM " +
                kSchema + ".openshift_pod_usage_line_items_daily WHERE node <> '') RETURNING id");
  ASSERT_EQ(id.size(), 37u) << id;
  auto r = Summarize();
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find(kSchema + ".openshift_pod_usage_line_items_daily"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("pod_labels"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("row id " + id.substr(0, 36)), std::string::npos) << r.output;
  EXPECT_EQ(SummaryFingerprint(*pg_, url_), before_);
}

TEST_F(OnPremBadInput, AColumnOfAnotherTypeIsNamedBeforeAnythingIsRead) {
  pg_->Psql(url_, "ALTER TABLE " + kSchema +
                      ".openshift_storage_usage_line_items_daily ALTER COLUMN "
                      "persistentvolumeclaim_capacity_bytes TYPE boolean USING NULL");
  auto r = Summarize();
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find(kSchema + ".openshift_storage_usage_line_items_daily, column "
                                    "persistentvolumeclaim_capacity_bytes"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(SummaryFingerprint(*pg_, url_), before_);
}

TEST_F(OnPremBadInput, AMissingTableIsNamed) {
  pg_->Psql(url_, "DROP TABLE " + kSchema + ".openshift_node_labels_line_items_daily");
  auto r = Summarize();
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find(kSchema + ".openshift_node_labels_line_items_daily does not exist"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(SummaryFingerprint(*pg_, url_), before_);
}

}  // namespace
}  // namespace ocpagg::testing
