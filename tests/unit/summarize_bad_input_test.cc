// Bad koku Parquet stops `summarize` with exit code 3 and a message naming the file and the
// column, and leaves the previous output untouched.

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>

#include <filesystem>
#include <functional>

#include "support/golden.h"
#include "support/process.h"

namespace ocpagg::testing {
namespace {

class SummarizeBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    s_ = LoadGoldenScenario("01_basic_labels");
    data_ = tmp_.path() + "/data";
    auto r = RunProcess({OcpaggBinary(), "ingest", s_.PayloadPath(s_.runs[0]), "--output", data_,
                         "--source", s_.source_uuid});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const auto& e : std::filesystem::recursive_directory_iterator(data_)) {
      const std::string p = e.path().string();
      if (p.find("/daily/") != std::string::npos && p.find("/pod_usage/") != std::string::npos &&
          e.path().extension() == ".parquet") {
        daily_pod_file_ = p;
      }
    }
    ASSERT_FALSE(daily_pod_file_.empty());
  }

  ProcessResult Summarize() {
    return RunProcess({OcpaggBinary(), "summarize", "--input", data_, "--source", s_.source_uuid,
                       "--year", "2025", "--month", "10", "--cluster-id", s_.cluster_id, "--output",
                       tmp_.path() + "/out", "--format", "csv", "--quiet"});
  }

  // Rewrites the daily pod file with `edit` applied to its table.
  void Rewrite(
      const std::function<std::shared_ptr<arrow::Table>(std::shared_ptr<arrow::Table>)>& edit) {
    std::shared_ptr<arrow::Table> table;
    {
      auto in = arrow::io::ReadableFile::Open(daily_pod_file_).ValueOrDie();
      auto reader = parquet::arrow::OpenFile(in, arrow::default_memory_pool()).ValueOrDie();
      ASSERT_TRUE(reader->ReadTable(&table).ok());
    }
    table = edit(table);
    auto out = arrow::io::FileOutputStream::Open(daily_pod_file_).ValueOrDie();
    ASSERT_TRUE(
        parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out, 1 << 20).ok());
    ASSERT_TRUE(out->Close().ok());
  }

  std::shared_ptr<arrow::Table> Replace(std::shared_ptr<arrow::Table> t, const std::string& name,
                                        std::shared_ptr<arrow::Array> values) {
    int i = t->schema()->GetFieldIndex(name);
    return t
        ->SetColumn(i, arrow::field(name, values->type()),
                    std::make_shared<arrow::ChunkedArray>(values))
        .ValueOrDie();
  }

  std::shared_ptr<arrow::Array> Strings(int64_t n, const std::string& value) {
    arrow::StringBuilder b;
    for (int64_t i = 0; i < n; ++i) EXPECT_TRUE(b.Append(value).ok());
    return b.Finish().ValueOrDie();
  }

  TempDir tmp_;
  GoldenScenario s_;
  std::string data_, daily_pod_file_;
};

TEST_F(SummarizeBadInput, MissingRequiredColumnNamesFileAndColumn) {
  Rewrite([](auto t) { return t->RemoveColumn(t->schema()->GetFieldIndex("pod")).ValueOrDie(); });
  auto r = Summarize();
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find(daily_pod_file_), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("'pod'"), std::string::npos) << r.output;
  EXPECT_FALSE(
      std::filesystem::exists(tmp_.path() + "/out/reporting_ocpusagelineitem_daily_summary"));
}

TEST_F(SummarizeBadInput, WrongColumnTypeNamesFileAndColumn) {
  Rewrite([this](auto t) {
    return Replace(t, "pod_usage_cpu_core_seconds", Strings(t->num_rows(), "12.5"));
  });
  auto r = Summarize();
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find(daily_pod_file_), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("pod_usage_cpu_core_seconds"), std::string::npos) << r.output;
}

TEST_F(SummarizeBadInput, LabelThatIsNotJsonNamesFileRowAndColumn) {
  Rewrite([this](auto t) { return Replace(t, "pod_labels", Strings(t->num_rows(), "app:web")); });
  auto r = Summarize();
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find(daily_pod_file_), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(row "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("pod_labels"), std::string::npos) << r.output;
}

TEST_F(SummarizeBadInput, FailedRunLeavesThePreviousFilesUntouched) {
  auto first = Summarize();
  ASSERT_EQ(first.exit_code, 0) << first.output;
  std::vector<std::string> before;
  for (const auto& e : std::filesystem::recursive_directory_iterator(tmp_.path() + "/out")) {
    before.push_back(e.path().string());
  }
  Rewrite([this](auto t) { return Replace(t, "pod_labels", Strings(t->num_rows(), "{oops")); });
  auto second = Summarize();
  EXPECT_EQ(second.exit_code, 3) << second.output;
  std::vector<std::string> after;
  for (const auto& e : std::filesystem::recursive_directory_iterator(tmp_.path() + "/out")) {
    after.push_back(e.path().string());
  }
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  EXPECT_EQ(after, before);  // no staging directory left, no file replaced or removed
}

}  // namespace
}  // namespace ocpagg::testing
