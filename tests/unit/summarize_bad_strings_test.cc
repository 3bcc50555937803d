// A string the summary reads that is not valid UTF-8 or holds a NUL byte stops `summarize` while
// it reads, with exit code 3 and a message naming the file, row group, column and row, whatever
// the target: PostgreSQL's text cannot hold such a string, and the files must not hold what the
// database would refuse. Nothing is written. The same for a kept label whose JSON escapes a NUL
// (\u0000), which PostgreSQL's jsonb refuses.

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "support/dir_snapshot.h"
#include "support/golden.h"
#include "support/pg_server.h"
#include "support/process.h"

namespace ocpagg::testing {
namespace {

constexpr int kBadInput = 3;
const char* kSchema = "org1234567";

enum class Encoding { kDictionary, kPlain };

// The daily Parquet file of `report_type` (pod_usage, storage_usage, ...) under `data`.
std::string DailyFile(const std::string& data, const std::string& report_type) {
  std::string found;
  for (const auto& e : std::filesystem::recursive_directory_iterator(data)) {
    const std::string p = e.path().string();
    if (p.find("/daily/") != std::string::npos &&
        p.find("/" + report_type + "/") != std::string::npos &&
        e.path().extension() == ".parquet") {
      EXPECT_TRUE(found.empty()) << "more than one daily " << report_type << " file";
      found = p;
    }
  }
  EXPECT_FALSE(found.empty()) << "no daily " << report_type << " file under " << data;
  return found;
}

// Rewrites the Parquet file at `path` with row `row` (from 0) of string column `column` set to
// `value`, bytes as given: Arrow's StringBuilder does not validate them, and neither does its
// Parquet writer.
void SetString(const std::string& path, const std::string& column, int64_t row,
               std::string_view value, Encoding encoding) {
  std::shared_ptr<arrow::Table> table;
  {
    auto in = arrow::io::ReadableFile::Open(path).ValueOrDie();
    auto reader = parquet::arrow::OpenFile(in, arrow::default_memory_pool()).ValueOrDie();
    ASSERT_TRUE(reader->ReadTable(&table).ok());
  }
  const int index = table->schema()->GetFieldIndex(column);
  ASSERT_GE(index, 0) << column;
  auto original = arrow::Concatenate(table->column(index)->chunks()).ValueOrDie();
  ASSERT_EQ(original->type_id(), arrow::Type::STRING) << column;
  ASSERT_LT(row, original->length());
  const auto& strings = static_cast<const arrow::StringArray&>(*original);
  arrow::StringBuilder builder;
  for (int64_t i = 0; i < strings.length(); ++i) {
    if (i == row) {
      ASSERT_TRUE(builder.Append(value).ok());
    } else if (strings.IsNull(i)) {
      ASSERT_TRUE(builder.AppendNull().ok());
    } else {
      ASSERT_TRUE(builder.Append(strings.GetView(i)).ok());
    }
  }
  std::shared_ptr<arrow::Array> edited = builder.Finish().ValueOrDie();
  table = table
              ->SetColumn(index, table->schema()->field(index),
                          std::make_shared<arrow::ChunkedArray>(edited))
              .ValueOrDie();
  parquet::WriterProperties::Builder props;
  if (encoding == Encoding::kPlain) props.disable_dictionary();
  auto out = arrow::io::FileOutputStream::Open(path).ValueOrDie();
  ASSERT_TRUE(
      parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out, 1 << 20, props.build())
          .ok());
  ASSERT_TRUE(out->Close().ok());
}

// A checksum of the summary table's rows (uuid included: a rewrite would change it).
std::string SummaryFingerprint(PgServer& pg, const std::string& url) {
  return pg.Psql(url,
                 "SELECT count(*) || ':' || coalesce(md5(string_agg(uuid::text, ',' ORDER BY "
                 "uuid)), '') FROM " +
                     std::string(kSchema) + ".reporting_ocpusagelineitem_daily_summary");
}

class SummarizeBadStrings : public ::testing::Test {
 protected:
  void Ingest(const std::string& scenario) {
    s_ = LoadGoldenScenario(scenario);
    data_ = tmp_.path() + "/data";
    out_ = tmp_.path() + "/out";
    auto r = RunProcess({OcpaggBinary(), "ingest", s_.PayloadPath(s_.runs[0]), "--output", data_,
                         "--source", s_.source_uuid});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  ProcessResult Summarize(const std::vector<std::string>& sink) {
    const GoldenSummaryRun& run = s_.runs[0];
    std::vector<std::string> argv = {OcpaggBinary(), "summarize",    "--input",      data_,
                                     "--source",     s_.source_uuid, "--year",       run.year,
                                     "--month",      run.month,      "--cluster-id", s_.cluster_id,
                                     "--quiet"};
    argv.insert(argv.end(), sink.begin(), sink.end());
    return RunProcess(argv);
  }
  std::vector<std::string> FilesSink() const {
    return {"--output", out_, "--format", "csv", "--nodes-file", tmp_.path() + "/nodes.yaml"};
  }

  TempDir tmp_;
  GoldenScenario s_;
  std::string data_, out_;
};

TEST_F(SummarizeBadStrings, InvalidUtf8InADailyPodNamespaceStopsTheRunAndKeepsTheFiles) {
  Ingest("01_basic_labels");
  auto first = Summarize(FilesSink());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto before = SnapshotDir(out_);
  ASSERT_FALSE(before.empty());

  const std::string pod_file = DailyFile(data_, "pod_usage");
  SetString(pod_file, "namespace", 2, "kube\xff-system", Encoding::kDictionary);
  auto r = Summarize(FilesSink());
  EXPECT_EQ(r.exit_code, kBadInput) << r.output;
  EXPECT_NE(r.output.find(pod_file + ": row group 0, column namespace, row 3: invalid UTF-8 in "
                                     "\"kube\\xff-system\""),
            std::string::npos)
      << r.output;
  EXPECT_EQ(SnapshotDir(out_), before);
  EXPECT_TRUE(EntriesStartingWith(out_, ".ocpagg-staging").empty());
}

TEST_F(SummarizeBadStrings, NulByteInAStorageStringColumnStopsTheRunBeforeAnyFile) {
  Ingest("03_storage");
  const std::string storage_file = DailyFile(data_, "storage_usage");
  SetString(storage_file, "storageclass", 5, std::string_view("gp3\0fast", 8), Encoding::kPlain);
  auto r = Summarize(FilesSink());
  EXPECT_EQ(r.exit_code, kBadInput) << r.output;
  EXPECT_NE(
      r.output.find(storage_file +
                    ": row group 0, column storageclass, row 6: NUL byte in \"gp3\\x00fast\""),
      std::string::npos)
      << r.output;
  EXPECT_TRUE(SnapshotDir(out_).empty());
  EXPECT_TRUE(EntriesStartingWith(out_, ".ocpagg-staging").empty());
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() + "/nodes.yaml"));
}

TEST_F(SummarizeBadStrings, InvalidUtf8StopsThePostgresRunAndLeavesTheTableUnchanged) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const std::string url = pg->CreateDatabase();
  const std::vector<std::string> sink = {"--postgres", url, "--schema", kSchema, "--create-schema"};
  Ingest("01_basic_labels");
  auto first = Summarize(sink);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string before = SummaryFingerprint(*pg, url);
  ASSERT_NE(before.substr(0, 2), "0:");

  const std::string pod_file = DailyFile(data_, "pod_usage");
  SetString(pod_file, "node", 1, "worker-\xc3", Encoding::kPlain);
  auto r = Summarize(sink);
  EXPECT_EQ(r.exit_code, kBadInput) << r.output;
  EXPECT_NE(r.output.find(pod_file + ": row group 0, column node, row 2: invalid UTF-8"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(SummaryFingerprint(*pg, url), before);
}

// koku's label JSON is parsed and the kept labels written out again, as jsonb: the escape \u0000
// that PostgreSQL's jsonb refuses stops the run as it is read, for files as for PostgreSQL.
TEST_F(SummarizeBadStrings, EscapedNulInAKeptPodLabelStopsTheFilesRun) {
  Ingest("01_basic_labels");
  const std::string pod_file = DailyFile(data_, "pod_usage");
  SetString(pod_file, "pod_labels", 4, R"({"app":"shop","vm_kubevirt_io_name":"vm\u0000one"})",
            Encoding::kDictionary);
  auto r = Summarize(FilesSink());
  EXPECT_EQ(r.exit_code, kBadInput) << r.output;
  EXPECT_NE(r.output.find(pod_file + " (row 5): pod_labels of pod"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(R"(label 'vm_kubevirt_io_name' holds the escape \u0000)"),
            std::string::npos)
      << r.output;
  EXPECT_TRUE(SnapshotDir(out_).empty());
}

TEST_F(SummarizeBadStrings, EscapedNulInAKeptPodLabelStopsThePostgresRunAndKeepsTheTable) {
  PgServer* pg = PgServer::Get();
  ASSERT_NE(pg, nullptr);
  const std::string url = pg->CreateDatabase();
  const std::vector<std::string> sink = {"--postgres", url, "--schema", kSchema, "--create-schema"};
  Ingest("01_basic_labels");
  auto first = Summarize(sink);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string before = SummaryFingerprint(*pg, url);

  const std::string pod_file = DailyFile(data_, "pod_usage");
  SetString(pod_file, "pod_labels", 4, R"({"app":"shop","vm_kubevirt_io_name":"vm\u0000one"})",
            Encoding::kDictionary);
  auto r = Summarize(sink);
  EXPECT_EQ(r.exit_code, kBadInput) << r.output;
  EXPECT_NE(r.output.find(R"(label 'vm_kubevirt_io_name' holds the escape \u0000)"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(SummaryFingerprint(*pg, url), before);
}

// A label that is not kept never reaches the output: its \u0000 does not matter.
TEST_F(SummarizeBadStrings, EscapedNulInADroppedLabelIsNoError) {
  Ingest("01_basic_labels");
  SetString(DailyFile(data_, "pod_usage"), "pod_labels", 4, R"({"app":"shop","note":"a\u0000b"})",
            Encoding::kDictionary);
  auto r = Summarize(FilesSink());
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

}  // namespace
}  // namespace ocpagg::testing
