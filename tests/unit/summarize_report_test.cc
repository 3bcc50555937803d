// The run report's figures: bytes read are what the reads took from the files, and each phase's
// seconds are wall time, never more than the run's.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "ocpagg/engine/day_counters.h"
#include "ocpagg/engine/run_report.h"
#include "support/process.h"
#include "unit/run_report_support.h"

namespace ocpagg::testing {
namespace {

namespace fs = std::filesystem;

class SummarizeReport : public ::testing::Test {
 protected:
  // Ten days, a file per day and table.
  static void SetUpTestSuite() {
    data_ = new TempDir();
    auto gen = RunProcess({OcpaggBinary(), "generate", "--output", data_->path(), "--pod-hour-rows",
                           "200000", "--days", "10", "--seed", "3", "--quiet"});
    ASSERT_EQ(gen.exit_code, 0) << gen.output;
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }

  // The run report of a summary of the data (files), with `extra` flags.
  std::string Report(std::vector<std::string> extra) {
    const std::string out = tmp_.path() + "/out" + std::to_string(runs_);
    const std::string report = tmp_.path() + "/report" + std::to_string(runs_++) + ".json";
    std::vector<std::string> argv = {
        OcpaggBinary(), "summarize", "--input", data_->path(),  "--source", kSource,    "--year",
        "2025",         "--month",   "10",      "--cluster-id", "report",   "--output", out,
        "--format",     "csv",       "--quiet", "--report",     report};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto run = RunProcess(argv);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return ReadText(report);
  }

  static int64_t InputBytes() {
    int64_t bytes = 0;
    for (const auto& entry : fs::recursive_directory_iterator(data_->path())) {
      if (entry.is_regular_file() && entry.path().extension() == ".parquet") {
        bytes += static_cast<int64_t>(entry.file_size());
      }
    }
    return bytes;
  }

  static constexpr const char* kSource = "00000000-0000-0000-0000-000000000001";
  static TempDir* data_;
  TempDir tmp_;
  int runs_ = 0;
};

TempDir* SummarizeReport::data_ = nullptr;

TEST_F(SummarizeReport, BytesReadAreWhatWasReadNotTheSizeOfTheFiles) {
  const double month = ReportValue(Report({}), "bytes_read");
  const double one_day =
      ReportValue(Report({"--start-date", "2025-10-03", "--end-date", "2025-10-03"}), "bytes_read");
  EXPECT_GT(one_day, 0);
  // One day of ten reads its own files' row groups, and the footers of the others.
  EXPECT_LT(one_day, month / 4);
  // The summary reads some of the columns.
  EXPECT_LT(month, static_cast<double>(InputBytes()));
}

TEST(RunReportJson, ReadCountersAreNullWhenTheInputIsNotReadAsFiles) {
  ocpagg::SummarizeReport from_postgres;
  const std::string json = RunReportJson(from_postgres);
  EXPECT_NE(json.find("\"bytes_read\": null,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"read_requests\": null,"), std::string::npos) << json;
  ocpagg::SummarizeReport from_files;
  from_files.reads_counted = true;
  from_files.bytes_read = 1234;
  from_files.read_requests = 5;
  EXPECT_EQ(ReportValue(RunReportJson(from_files), "bytes_read"), 1234);
  EXPECT_EQ(ReportValue(RunReportJson(from_files), "read_requests"), 5);
}

TEST_F(SummarizeReport, EachPhaseTakesAtMostTheWallTime) {
  const std::string report = Report({"--mode", "parallel", "--threads", "2"});
  const double wall = ReportValue(report, "wall");
  ASSERT_GT(wall, 0);
  for (const char* phase : {"plan", "scan", "aggregate", "write"}) {
    const double seconds = ReportValue(report, phase);
    EXPECT_GE(seconds, 0) << phase;
    EXPECT_LE(seconds, wall) << phase;
  }
}

TEST(PhaseClock, CountsTheTimeAnyThreadIsInThePhaseOnce) {
  PhaseClock clock;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&clock] {
      PhaseClock::Scope in_phase(clock);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    });
  }
  for (auto& t : threads) t.join();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(clock.seconds(), 0.02);
  EXPECT_LE(clock.seconds(), wall);
}

}  // namespace
}  // namespace ocpagg::testing
