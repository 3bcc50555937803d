// The row sinks and koku states on their own, without the engine: what Begin / WriteRows /
// EndDay / Commit / Abort leave behind, and what the states record.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ocpagg/sinks/files_sink.h"
#include "ocpagg/sinks/postgres_sink.h"
#include "ocpagg/state/files_state.h"
#include "ocpagg/state/postgres_state.h"
#include "support/dir_snapshot.h"
#include "support/pg_server.h"

namespace ocpagg {
namespace {

namespace fs = std::filesystem;

#define OCPAGG_CONCAT_INNER(a, b) a##b
#define OCPAGG_CONCAT(a, b) OCPAGG_CONCAT_INNER(a, b)
#define ASSERT_OK_AND_ASSIGN_IMPL(result, lhs, expr) \
  auto result = (expr);                              \
  ASSERT_TRUE(result.ok()) << result.status();       \
  lhs = std::move(*result)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(OCPAGG_CONCAT(result_, __LINE__), lhs, expr)

constexpr char kSource[] = "6795d5e6-951c-4382-a8d3-390515d7ec4d";

SummaryRow PodRow(Date day, std::string ns) {
  SummaryRow r;
  r.usage_start = day;
  r.namespace_ = std::move(ns);
  r.node = "node-1";
  r.pod_labels = R"({"app": "a"})";
  r.all_labels = *r.pod_labels;
  r.metric(Metric::kPodUsageCpuCoreHours) = 1.5;
  r.has_infrastructure_usage_cost = true;
  return r;
}

RunIdentity Identity(int32_t report_period_id = 0) {
  return RunIdentity{kSource, "cluster-1", std::nullopt, report_period_id, {}};
}

int CsvRows(const fs::path& file) {
  std::ifstream in(file);
  int lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines - 1;  // the header
}

class FilesSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ocpagg-sinks-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // One run over [start, end] writing `rows_per_day` rows on each of `days`.
  Status Run(Date start, Date end, const std::vector<Date>& days, int rows_per_day,
             bool commit = true) {
    FilesSink sink(FilesSinkOptions{dir_.string(), true, true});
    ARROW_RETURN_NOT_OK(sink.Begin(Identity(), start, end));
    for (Date day : days) {
      std::vector<SummaryRow> rows;
      for (int i = 0; i < rows_per_day; ++i) rows.push_back(PodRow(day, "ns-" + std::to_string(i)));
      ARROW_RETURN_NOT_OK(sink.WriteRows(day, rows));
      ARROW_RETURN_NOT_OK(sink.EndDay(day));
    }
    month_dir_ = sink.MonthDir();
    if (commit) return sink.Commit();
    sink.Abort();
    return Status::OK();
  }

  fs::path dir_;
  fs::path month_dir_;
  const Date d1_ = MakeDate(2026, 3, 1), d2_ = MakeDate(2026, 3, 2), d3_ = MakeDate(2026, 3, 3);
};

TEST_F(FilesSinkTest, CommitPublishesOneCsvAndOneParquetFilePerDayWithRows) {
  ASSERT_TRUE(Run(d1_, d3_, {d1_, d2_}, 3).ok());
  EXPECT_EQ(CsvRows(month_dir_ / "2026-03-01.csv"), 3);
  EXPECT_EQ(CsvRows(month_dir_ / "2026-03-02.csv"), 3);
  EXPECT_TRUE(fs::exists(month_dir_ / "2026-03-02.parquet"));
  EXPECT_FALSE(fs::exists(month_dir_ / "2026-03-03.csv"));  // no rows, no file
  EXPECT_TRUE(
      testing::EntriesStartingWith(dir_.string(), std::string(kSummaryStagingPrefix)).empty());
}

TEST_F(FilesSinkTest, AbortAndDestructionWithoutCommitLeaveTheMonthAsItWas) {
  ASSERT_TRUE(Run(d1_, d3_, {d1_, d2_}, 3).ok());
  const auto before = testing::SnapshotDir(dir_.string());
  ASSERT_TRUE(Run(d1_, d3_, {d1_}, 5, /*commit=*/false).ok());
  {
    FilesSink sink(FilesSinkOptions{dir_.string(), true, false});
    ASSERT_TRUE(sink.Begin(Identity(), d1_, d3_).ok());
    ASSERT_TRUE(sink.WriteRows(d1_, std::vector<SummaryRow>{PodRow(d1_, "x")}).ok());
  }  // destroyed mid-day
  EXPECT_EQ(testing::SnapshotDir(dir_.string()), before);
}

TEST_F(FilesSinkTest, ARunReplacesTheDaysOfItsRangeOnlyAndDaysWithoutRowsLoseTheirFiles) {
  ASSERT_TRUE(Run(d1_, d3_, {d1_, d2_, d3_}, 3).ok());
  ASSERT_TRUE(Run(d2_, d3_, {d3_}, 7).ok());
  EXPECT_EQ(CsvRows(month_dir_ / "2026-03-01.csv"), 3);     // outside the range: kept
  EXPECT_FALSE(fs::exists(month_dir_ / "2026-03-02.csv"));  // in the range, no rows now
  EXPECT_EQ(CsvRows(month_dir_ / "2026-03-03.csv"), 7);
}

TEST_F(FilesSinkTest, RowsOutsideTheRangeOrBeforeBeginAreInternalErrors) {
  FilesSink sink(FilesSinkOptions{dir_.string(), true, true});
  EXPECT_EQ(KindOf(sink.WriteRows(d1_, std::vector<SummaryRow>{PodRow(d1_, "x")})),
            ErrorKind::kInternal);
  ASSERT_TRUE(sink.Begin(Identity(), d1_, d2_).ok());
  EXPECT_EQ(KindOf(sink.WriteRows(d3_, std::vector<SummaryRow>{PodRow(d3_, "x")})),
            ErrorKind::kInternal);
  EXPECT_EQ(KindOf(sink.WriteRows(d1_, std::vector<SummaryRow>{PodRow(d2_, "x")})),
            ErrorKind::kInternal);
}

TEST_F(FilesSinkTest, FilesStateKeepsNodeRolesAcrossRunsAndWritesOnlyOnCommit) {
  fs::create_directories(dir_);
  const std::string nodes_file = (dir_ / "nodes.yaml").string();
  FilesStateOptions options;
  options.cluster_id = "cluster-1";
  options.nodes_state_file = nodes_file;
  const std::vector<NodeInventoryRow> inventory = {
      {"node-1", "i-1", 4.0, std::string("worker"), std::string("amd64")}};
  {
    FilesState state(options);
    auto roles = state.ResolveNodeRoles(inventory);
    ASSERT_TRUE(roles.ok()) << roles.status();
    EXPECT_EQ(roles->MaxRole("node-1", "i-1"), "worker");
    EXPECT_FALSE(fs::exists(nodes_file));  // not before Commit
    ASSERT_TRUE(state.Commit().ok());
  }
  ASSERT_TRUE(fs::exists(nodes_file));
  FilesState later(options);
  auto roles = later.ResolveNodeRoles({});  // a run whose data no longer has the node
  ASSERT_TRUE(roles.ok()) << roles.status();
  EXPECT_EQ(roles->MaxRole("node-1", "i-1"), "worker");
}

class PostgresSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = testing::PgServer::Get();
    ASSERT_NE(server_, nullptr);
    url_ = server_->CreateDatabase();
  }
  Result<std::shared_ptr<pg::KokuSession>> Open() {
    pg::KokuSessionOptions o;
    o.url = url_;
    o.schema = "org1234567";
    o.create_schema = true;
    o.source_uuid = kSource;
    return pg::KokuSession::Open(std::move(o));
  }
  std::string Query(const std::string& sql) { return server_->Psql(url_, sql); }

  testing::PgServer* server_ = nullptr;
  std::string url_;
  const Date d1_ = MakeDate(2026, 3, 1), d2_ = MakeDate(2026, 3, 2);
};

TEST_F(PostgresSinkTest, StateAndRowsCommitTogetherAndAnAbortedRunChangesNothing) {
  int32_t period = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto session, Open());
    PostgresState state(session, PostgresStateOptions{kSource, "cluster-1", std::nullopt});
    PostgresSink sink(session, Compat::kPostgres);
    ASSERT_OK_AND_ASSIGN(period, state.ReportPeriodId(d1_));
    ASSERT_OK_AND_ASSIGN(auto again, state.ReportPeriodId(d1_));
    EXPECT_EQ(again, period);
    ASSERT_TRUE(state
                    .ResolveNodeRoles(std::vector<NodeInventoryRow>{
                        {"node-1", "i-1", 4.0, std::string("worker"), std::string("amd64")}})
                    .ok());
    ASSERT_TRUE(sink.Begin(Identity(period), d1_, d2_).ok());
    ASSERT_TRUE(
        sink.WriteRows(d1_, std::vector<SummaryRow>{PodRow(d1_, "a"), PodRow(d1_, "b")}).ok());
    ASSERT_TRUE(sink.EndDay(d1_).ok());
    ASSERT_TRUE(sink.Commit().ok());
    ASSERT_TRUE(state.Commit().ok());  // the session is committed once
  }
  const std::string summary = "org1234567.reporting_ocpusagelineitem_daily_summary";
  EXPECT_EQ(Query("SELECT count(*) FROM " + summary +
                  " WHERE report_period_id = " + std::to_string(period)),
            "2\n");
  EXPECT_EQ(Query("SELECT node_role FROM org1234567.reporting_ocp_nodes"), "worker\n");

  {  // A run that writes and stops before Commit.
    ASSERT_OK_AND_ASSIGN(auto session, Open());
    PostgresState state(session, PostgresStateOptions{kSource, "cluster-2", std::nullopt});
    PostgresSink sink(session, Compat::kPostgres);
    ASSERT_OK_AND_ASSIGN(int32_t other, state.ReportPeriodId(d1_));
    ASSERT_TRUE(sink.Begin(Identity(period), d1_, d2_).ok());  // deletes the rows above
    ASSERT_TRUE(sink.WriteRows(d1_, std::vector<SummaryRow>{PodRow(d1_, "c")}).ok());
    EXPECT_NE(other, period);
    sink.Abort();
  }
  EXPECT_EQ(Query("SELECT string_agg(namespace, ',' ORDER BY namespace) FROM " + summary), "a,b\n");
  EXPECT_EQ(Query("SELECT count(*) FROM org1234567.reporting_ocpusagereportperiod"), "1\n");
}

}  // namespace
}  // namespace ocpagg
