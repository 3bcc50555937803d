// run/summary_stream.h: the summary rows of a run as record batches pulled by the caller; the
// run waits for the reader, and closing the reader stops it with nothing recorded.

#include <gtest/gtest.h>

#include <filesystem>

#include "ocpagg/run/summary_stream.h"
#include "support/process.h"

namespace ocpagg {
namespace {

using testing::OcpaggBinary;
using testing::RunProcess;
using testing::TempDir;

class SummaryStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto gen = RunProcess({OcpaggBinary(), "generate", "--output", data_, "--pod-hour-rows",
                           "100000", "--days", "5", "--seed", "7", "--quiet"});
    ASSERT_EQ(gen.exit_code, 0) << gen.output;
  }
  SummarizeRequest Request() const {
    SummarizeRequest r;
    r.input = data_;
    r.source = "00000000-0000-0000-0000-000000000001";
    r.year = 2025;
    r.month = 10;
    r.cluster_id = "c";
    r.nodes_file = nodes_;
    return r;
  }

  TempDir tmp_;
  const std::string data_ = tmp_.path() + "/data";
  const std::string nodes_ = tmp_.path() + "/nodes.yaml";
};

TEST_F(SummaryStreamTest, BatchesHoldEveryRowOfTheReportThenTheStreamEnds) {
  auto stream = SummaryStream::Start(Request(), {}, SummaryStreamOptions{100, 2});
  ASSERT_TRUE(stream.ok()) << stream.status();
  int64_t rows = 0;
  std::shared_ptr<arrow::RecordBatch> batch;
  while (true) {
    ASSERT_TRUE((*stream)->ReadNext(&batch).ok());
    if (!batch) break;
    EXPECT_LE(batch->num_rows(), 100);
    EXPECT_TRUE(batch->schema()->Equals(*(*stream)->schema()));
    rows += batch->num_rows();
  }
  auto report = (*stream)->report();
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(rows, report->pod_rows + report->storage_rows + report->unallocated_rows);
  EXPECT_GT(rows, 200);
  EXPECT_TRUE(std::filesystem::exists(nodes_));
}

TEST_F(SummaryStreamTest, ClosingBeforeTheEndStopsTheRunAndRecordsNothing) {
  auto stream = SummaryStream::Start(Request(), {}, SummaryStreamOptions{100, 1});
  ASSERT_TRUE(stream.ok()) << stream.status();
  std::shared_ptr<arrow::RecordBatch> batch;
  ASSERT_TRUE((*stream)->ReadNext(&batch).ok());
  ASSERT_NE(batch, nullptr);
  ASSERT_TRUE((*stream)->Close().ok());
  auto outcome = (*stream)->outcome();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(KindOf(*outcome), ErrorKind::kInterrupted) << *outcome;
  EXPECT_FALSE((*stream)->report().has_value());
  EXPECT_FALSE((*stream)->ReadNext(&batch).ok());
  EXPECT_FALSE(std::filesystem::exists(nodes_));
}

TEST_F(SummaryStreamTest, CallersStopEndsTheStreamWithInterrupted) {
  StopToken stop;
  SummarizeHooks hooks;
  hooks.stop = &stop;
  auto stream = SummaryStream::Start(Request(), hooks, SummaryStreamOptions{100, 1});
  ASSERT_TRUE(stream.ok()) << stream.status();
  stop.RequestStop();
  std::shared_ptr<arrow::RecordBatch> batch;
  Status st;
  do {
    st = (*stream)->ReadNext(&batch);
  } while (st.ok() && batch);
  EXPECT_EQ(KindOf(st), ErrorKind::kInterrupted) << st;
  EXPECT_FALSE(std::filesystem::exists(nodes_));
}

TEST_F(SummaryStreamTest, ErrorBeforeTheFirstRowIsTheOutcome) {
  SummarizeRequest r = Request();
  r.month = 11;  // no data
  auto stream = SummaryStream::Start(r, {});
  ASSERT_TRUE(stream.ok()) << stream.status();
  while (!(*stream)->WaitStarted(std::chrono::seconds(1))) {
  }
  auto outcome = (*stream)->outcome();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(KindOf(*outcome), ErrorKind::kNoData) << *outcome;
}

TEST_F(SummaryStreamTest, OutputIsAUsageError) {
  SummarizeRequest r = Request();
  r.output = tmp_.path() + "/out";
  auto stream = SummaryStream::Start(r, {});
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(KindOf(stream.status()), ErrorKind::kUsage);
}

}  // namespace
}  // namespace ocpagg
