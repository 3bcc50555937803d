// Bad payloads through the real `ocpagg ingest`: exit code 3 (2 for bad flags), a message that
// names the file, line and column, and no files left under --output.

#include <gtest/gtest.h>

#include "ingest_test_support.h"

namespace ocpagg {
namespace {

using namespace ingest_test;

class IngestBadInputTest : public ::testing::Test {
 protected:
  // Runs ingest on `payload` into a fresh output directory.
  RunResult IngestInto(const std::string& payload) {
    return RunIngest({payload, "--output", out_ / "out", "--source", kSource});
  }
  std::vector<std::string> Written() { return ListFiles(out_ / "out"); }

  ScratchDir in_, out_;
};

TEST_F(IngestBadInputTest, HeaderMissingARequiredColumnFails) {
  std::string header = kPodHeader.substr(0, kPodHeader.rfind(",pod_labels"));
  WriteMonthPayload(in_.path(), {{"r.0.csv", PodCsv({PodRow{}})}, {"r.1.csv", Csv({header})}});
  auto r = IngestInto(in_.path());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("r.1.csv: line 1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("pod_labels"), std::string::npos) << r.output;
  EXPECT_EQ(Written(), std::vector<std::string>{});
}

TEST_F(IngestBadInputTest, UnknownHeaderFails) {
  WriteMonthPayload(in_.path(), {{"r.0.csv", Csv({"a,b,c", "1,2,3"})}});
  auto r = IngestInto(in_.path());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("matches no koku report type"), std::string::npos) << r.output;
  EXPECT_EQ(Written(), std::vector<std::string>{});
}

TEST_F(IngestBadInputTest, UnparsableTimestampFailsTheWholePayload) {
  PodRow good{.hour = 0};
  PodRow bad{.hour = 1};
  std::string csv = PodCsv({good, good, bad});
  size_t at = csv.rfind("2025-10-01 01:00:00 +0000 UTC");
  csv.replace(at, 29, "yesterday at noon");
  // A good file first: its files must not survive the failure of the second.
  WriteMonthPayload(in_.path(), {{"r.0.csv", PodCsv({good})}, {"r.9.csv", csv}});
  auto r = IngestInto(in_.path());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("r.9.csv: line 4, column interval_start: cannot parse timestamp "
                          "'yesterday at noon'"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(Written(), std::vector<std::string>{});
  EXPECT_FALSE(fs::exists(out_ / "out"));
}

TEST_F(IngestBadInputTest, RowWithTooFewFieldsFails) {
  std::string csv = PodCsv({PodRow{}}) + "2025-10-01 00:00:00 +0000 UTC,truncated\r\n";
  WriteMonthPayload(in_.path(), {{"r.0.csv", csv}});
  auto r = IngestInto(in_.path());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("2 fields where the header has 19"), std::string::npos) << r.output;
  EXPECT_EQ(Written(), std::vector<std::string>{});
}

TEST_F(IngestBadInputTest, TruncatedGzipFails) {
  std::vector<PodRow> rows;
  for (int h = 0; h < 24; ++h) rows.push_back(PodRow{.hour = h, .pod = "p" + std::to_string(h)});
  WriteMonthPayload(in_ / "month", {{"r.0.csv", PodCsv(rows)}});
  const std::string archive = in_ / "payload.tar.gz";
  ASSERT_EQ(RunCommand({"tar", "-czf", archive, "-C", in_ / "month", "."}).exit_code, 0);
  std::string bytes = ReadText(archive);
  WriteText(archive, bytes.substr(0, bytes.size() * 2 / 3));
  auto r = IngestInto(archive);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("payload.tar.gz"), std::string::npos) << r.output;
  EXPECT_EQ(Written(), std::vector<std::string>{});
}

TEST_F(IngestBadInputTest, ArchiveThatIsNotTarFails) {
  WriteText(in_ / "payload.tar.gz", "this is not an archive at all, not even close........");
  auto r = IngestInto(in_ / "payload.tar.gz");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_EQ(Written(), std::vector<std::string>{});
}

TEST_F(IngestBadInputTest, ManifestListingAMissingFileFails) {
  WriteMonthPayload(in_.path(), {{"r.0.csv", PodCsv({PodRow{}})}});
  fs::remove(in_ / "r.0.csv");
  auto r = IngestInto(in_.path());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("lists r.0.csv"), std::string::npos) << r.output;
  EXPECT_EQ(Written(), std::vector<std::string>{});
}

TEST_F(IngestBadInputTest, DirectoryWithoutManifestFails) {
  WriteText(in_ / "r.0.csv", PodCsv({PodRow{}}));
  auto r = IngestInto(in_.path());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("no manifest.json"), std::string::npos) << r.output;
  EXPECT_EQ(Written(), std::vector<std::string>{});
}

TEST_F(IngestBadInputTest, InvalidManifestFails) {
  WriteText(in_ / "manifest.json", "{\"uuid\": \"x\", \"files\": [\"../etc/passwd\"]");
  auto r = IngestInto(in_.path());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_EQ(Written(), std::vector<std::string>{});
}

TEST_F(IngestBadInputTest, InvalidUtf8Fails) {
  PodRow row{.pod = "bad\xff"};
  WriteMonthPayload(in_.path(), {{"r.0.csv", PodCsv({row})}});
  auto r = IngestInto(in_.path());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_EQ(Written(), std::vector<std::string>{});
}

TEST_F(IngestBadInputTest, FailureLeavesEarlierOutputUntouched) {
  WriteMonthPayload(in_ / "good", {{"r.0.csv", PodCsv({PodRow{}})}});
  ASSERT_EQ(IngestInto(in_ / "good").exit_code, 0);
  auto before = Written();
  std::map<std::string, std::string> bytes;
  for (const auto& f : before) bytes[f] = ReadText(out_ / "out/" + f);
  ASSERT_EQ(before.size(), 2u);

  std::string csv = PodCsv({PodRow{}});
  csv.replace(csv.find("2025-10-01 00:00:00 +0000 UTC", kPodHeader.size() + 60), 29, "never");
  WriteMonthPayload(in_ / "bad", {{"r.0.csv", csv}});
  auto r = IngestInto(in_ / "bad");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_EQ(Written(), before);
  for (const auto& f : before) EXPECT_EQ(ReadText(out_ / "out/" + f), bytes[f]) << f;
}

TEST_F(IngestBadInputTest, MissingPayloadOrBadSourceIsAUsageError) {
  auto missing = IngestInto(in_ / "nothing-here");
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  WriteMonthPayload(in_.path(), {{"r.0.csv", PodCsv({PodRow{}})}});
  auto bad_source = RunIngest({in_.path(), "--output", out_ / "out", "--source", "not-a-uuid"});
  EXPECT_EQ(bad_source.exit_code, 2) << bad_source.output;
  EXPECT_EQ(Written(), std::vector<std::string>{});
}

TEST_F(IngestBadInputTest, HelpDescribesEveryFlag) {
  auto r = RunIngest({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--output", "--source", "--account", "--manifest-id", "--chunk-rows",
                           "--row-group-rows", "--list-files", "--quiet", "PAYLOAD"}) {
    EXPECT_NE(r.output.find(flag), std::string::npos) << flag << "\n" << r.output;
  }
}

}  // namespace
}  // namespace ocpagg
