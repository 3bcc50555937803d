// Bad payloads through the real `ocpagg ingest`: exit code 3 (2 for bad flags), a message that
// names the file, line and column, and no files left under --output.

#include <arrow/array.h>
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
  // Packs the month directory `dir` into in_/payload.tar.gz and returns its path.
  std::string TarGz(const std::string& dir) {
    const std::string archive = in_ / "payload.tar.gz";
    EXPECT_EQ(RunCommand({"tar", "-czf", archive, "-C", dir, "."}).exit_code, 0);
    return archive;
  }
  // Expects a bad-input failure whose message holds `message`, with nothing written.
  void ExpectFailure(const RunResult& r, const std::string& message) {
    EXPECT_EQ(r.exit_code, 3) << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << "want: " << message << "\n" << r.output;
    EXPECT_EQ(Written(), std::vector<std::string>{});
    EXPECT_FALSE(fs::exists(out_ / "out"));
  }

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
  for (int h = 0; h < 24; ++h) {
    // Not "p" + std::to_string(h): GCC 12 wrongly reports -Wrestrict on it in this file.
    rows.push_back(PodRow{.hour = h, .pod = std::string("p") + std::to_string(h)});
  }
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

// Line numbers count physical lines as an editor does: the header is line 1, a quoted line
// break inside a cell starts a new line, and blank lines count although the reader skips them.

TEST_F(IngestBadInputTest, InvalidUtf8NamesFileLineAndColumn) {
  WriteMonthPayload(
      in_.path(), {{"r.0.csv", PodCsv({PodRow{.hour = 0}, PodRow{.hour = 1},
                                       PodRow{.hour = 2, .pod = "bad\xff"}, PodRow{.hour = 3}})}});
  ExpectFailure(IngestInto(in_.path()),
                in_ / "r.0.csv: line 4, column pod: invalid UTF-8 (byte 0xFF in 'bad\\xFF')");
}

TEST_F(IngestBadInputTest, InvalidUtf8LineCountsQuotedLineBreaksBlankLinesAndDroppedRows) {
  std::string csv = Csv({
      kPodHeader,                                           // line 1
      PodRow{.hour = 0, .pod = "\"two\r\nlines\""}.Line(),  // lines 2-3
      "",                                                   // line 4, skipped
      PodRow{.hour = 1}.Line() + ",extra,fields",           // line 5, dropped (more fields)
      PodRow{.hour = 2, .pod = "\"also\ntwo\""}.Line(),     // lines 6-7
      PodRow{.hour = 3, .ns = "caf\xe9"}.Line(),            // line 8: Latin-1, not UTF-8
  });
  WriteMonthPayload(in_.path(), {{"r.0.csv", csv}});
  ExpectFailure(IngestInto(in_.path()),
                in_ / "r.0.csv: line 8, column namespace: invalid UTF-8 (byte 0xE9 in 'caf\\xE9')");
}

TEST_F(IngestBadInputTest, InvalidUtf8InsideAMultiLineCellNamesTheLineOfTheByte) {
  std::string csv =
      Csv({kPodHeader, PodRow{.hour = 0}.Line(),
           PodRow{.hour = 1, .labels = "\"label_a:1\nlabel_b:\xc3\x28\nlabel_c:3\""}.Line()});
  WriteMonthPayload(in_.path(), {{"r.0.csv", csv}});
  ExpectFailure(IngestInto(in_.path()),
                in_ /
                    "r.0.csv: line 4, column pod_labels: invalid UTF-8 (byte 0xC3 in "
                    "'label_a:1\\nlabel_b:\\xC3(\\nlabel_c:3')");
}

TEST_F(IngestBadInputTest, InvalidUtf8FarIntoALargeFileNamesItsLine) {
  // Several CSV blocks before the bad row: its line is found past the first block too.
  std::vector<PodRow> rows;
  for (int i = 0; i < 20000; ++i) rows.push_back(PodRow{.hour = i % 24, .pod = std::to_string(i)});
  rows[15000].node = "worker-\xff";
  WriteMonthPayload(in_.path(), {{"r.0.csv", PodCsv(rows)}});
  ExpectFailure(
      IngestInto(in_.path()),
      in_ / "r.0.csv: line 15002, column node: invalid UTF-8 (byte 0xFF in 'worker-\\xFF')");
}

TEST_F(IngestBadInputTest, InvalidUtf8InATarGzPayloadNamesEntryLineAndColumn) {
  std::string csv = Csv({kPodHeader, PodRow{.hour = 0, .pod = "\"two\r\nlines\""}.Line(), "",
                         PodRow{.hour = 1, .resource_id = "i-\x80"}.Line()});
  WriteMonthPayload(in_ / "month", {{"r.0.csv", PodCsv({PodRow{}})}, {"r.1.csv", csv}});
  const std::string archive = TarGz(in_ / "month");
  ExpectFailure(IngestInto(archive),
                archive +
                    ":r.1.csv: line 5, column resource_id: invalid UTF-8 (byte 0x80 in "
                    "'i-\\x80')");
}

TEST_F(IngestBadInputTest, UnparsableTimestampLineCountsQuotedLineBreaksAndBlankLines) {
  PodRow bad{.hour = 2};
  std::string csv = Csv({kPodHeader, PodRow{.hour = 0, .pod = "\"two\r\nlines\""}.Line(), "",
                         PodRow{.hour = 1}.Line() + ",extra", bad.Line()});
  csv.replace(csv.rfind("2025-10-01 02:00:00 +0000 UTC"), 29, "noon");
  WriteMonthPayload(in_.path(), {{"r.0.csv", csv}});
  ExpectFailure(IngestInto(in_.path()),
                in_ / "r.0.csv: line 6, column interval_start: cannot parse timestamp 'noon'");
}

TEST_F(IngestBadInputTest, RowWithTooFewFieldsLineCountsQuotedLineBreaksAndBlankLines) {
  std::string csv = Csv({kPodHeader, PodRow{.hour = 0, .pod = "\"two\r\nlines\""}.Line(), "", "",
                         "2025-10-01 00:00:00 +0000 UTC,truncated", PodRow{.hour = 1}.Line()});
  WriteMonthPayload(in_.path(), {{"r.0.csv", csv}});
  ExpectFailure(IngestInto(in_.path()), in_ / "r.0.csv: line 6: 2 fields where the header has 19");
}

// Operator lines grow with the labels they carry; the CSV reader's 1 MiB blocks must not limit
// them. 16 MiB is the documented limit for one line (a quoted cell's line breaks included).
// Few labels with long values: the label converter compares each key with those before it.
std::string LongLabels(size_t bytes) {
  std::string labels;
  for (int i = 0; labels.size() < bytes; ++i) {
    labels.append(i ? "|" : "").append("label_key_").append(std::to_string(i)).append(":");
    labels.append(1000, static_cast<char>('a' + i % 26));
  }
  return labels;
}

TEST_F(IngestBadInputTest, LineLongerThanTheCsvBlockIsRead) {
  const std::string labels = LongLabels(3 << 20);
  std::vector<PodRow> rows = {PodRow{.hour = 0}, PodRow{.hour = 1, .labels = labels},
                              PodRow{.hour = 2}};
  WriteMonthPayload(in_.path(), {{"r.0.csv", PodCsv(rows)}});
  auto r = IngestInto(in_.path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto hourly =
      ReadParquet(out_ / "out/" + KokuPath(false, "pod_usage", "2025", "10", "r.0_0.parquet"));
  ASSERT_TRUE(hourly);
  ASSERT_EQ(hourly->num_rows(), 3);
  auto json =
      std::static_pointer_cast<arrow::StringArray>(hourly->GetColumnByName("pod_labels")->chunk(0));
  EXPECT_EQ(json->GetView(0), R"({"app": "shop"})");
  EXPECT_TRUE(json->GetView(1).starts_with(R"({"key_0": "aaaa)"));
  EXPECT_NE(json->GetView(1).find(R"("key_2999": "jjjj)"), std::string::npos);
  EXPECT_EQ(json->GetView(2), R"({"app": "shop"})");
}

TEST_F(IngestBadInputTest, MultiLineCellLongerThanTheCsvBlockIsReadFromATarGz) {
  std::string labels = LongLabels(3 << 20);
  for (size_t at = 100000; at < labels.size(); at += 100000) labels[labels.rfind('|', at)] = '\n';
  std::vector<PodRow> rows = {PodRow{.hour = 0}, PodRow{.hour = 1, .labels = '"' + labels + '"'},
                              PodRow{.hour = 2}};
  WriteMonthPayload(in_ / "month", {{"r.0.csv", PodCsv(rows)}});
  auto r = IngestInto(TarGz(in_ / "month"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto hourly =
      ReadParquet(out_ / "out/" + KokuPath(false, "pod_usage", "2025", "10", "r.0_0.parquet"));
  ASSERT_TRUE(hourly);
  EXPECT_EQ(hourly->num_rows(), 3);
}

TEST_F(IngestBadInputTest, LineLongerThanTheLimitFailsNamingTheLine) {
  std::string csv =
      Csv({kPodHeader, PodRow{.hour = 0}.Line(), "",
           PodRow{.hour = 1, .labels = LongLabels(17 << 20)}.Line(), PodRow{.hour = 2}.Line()});
  WriteMonthPayload(in_.path(), {{"r.0.csv", csv}});
  ExpectFailure(IngestInto(in_.path()), in_ / "r.0.csv: line 4 is longer than 16 MiB");
}

TEST_F(IngestBadInputTest, LineLongerThanTheLimitInATarGzFailsNamingTheLine) {
  std::string csv = Csv({kPodHeader, PodRow{.hour = 0, .pod = "\"two\nlines\""}.Line(),
                         PodRow{.hour = 1, .labels = LongLabels(17 << 20)}.Line()});
  WriteMonthPayload(in_ / "month", {{"r.0.csv", csv}});
  const std::string archive = TarGz(in_ / "month");
  ExpectFailure(IngestInto(archive), archive + ":r.0.csv: line 4 is longer than 16 MiB");
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
