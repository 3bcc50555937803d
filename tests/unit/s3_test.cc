// Reading koku's Parquet layout from S3 (a versitygw server started by the test) gives exactly
// what reading the same files from disk gives, and the process ends cleanly.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

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

}  // namespace
}  // namespace ocpagg::testing
