// The summary row is described once (koku/summary_columns.h): every encoder and the DDL follow
// that table, column for column. A column added there appears in the CSV header and rows, the
// COPY text and column list, the Arrow schema and batches, and --create-schema's table, in the
// same place, without touching any encoder.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <parquet/arrow/reader.h>

#include <filesystem>
#include <set>

#include "ocpagg/koku/summary_columns.h"
#include "ocpagg/pg/koku_schema.h"
#include "ocpagg/sinks/summary_encoding.h"
#include "ocpagg/sinks/summary_parquet.h"

namespace ocpagg {
namespace {

std::vector<std::string> Split(std::string_view line, char sep) {
  std::vector<std::string> out(1);
  for (char c : line) {
    if (c == sep) {
      out.emplace_back();
    } else if (c != '\n') {
      out.back().push_back(c);
    }
  }
  return out;
}

// A row where every value differs, so that a value in the wrong column shows.
SummaryRow DistinctRow() {
  SummaryRow r;
  r.data_source = DataSource::kStorage;
  r.usage_start = MakeDate(2025, 10, 7);
  r.namespace_ = "ns";
  r.node = "node-1";
  r.resource_id = "i-1";
  r.persistentvolumeclaim = "claim";
  r.persistentvolume = "pv";
  r.storageclass = "gp3";
  r.pod_labels = R"({"a":"1"})";
  r.volume_labels = R"({"v":"2"})";
  r.all_labels = R"({"x":"3"})";
  r.cost_category_id = 4;
  r.has_infrastructure_usage_cost = true;
  for (size_t m = 0; m < kMetricCount; ++m) r.metrics[m] = 100.5 + static_cast<double>(m);
  return r;
}

RunIdentity TestRun() {
  RunIdentity run;
  run.source_uuid = "00000000-0000-0000-0000-000000000001";
  run.cluster_id = "cluster";
  run.cluster_alias = "alias";
  run.report_period_id = 9;
  return run;
}

constexpr std::string_view kUuid = "11111111-2222-3333-4444-555555555555";

// What each column holds for DistinctRow(), as text.
std::string Expected(const SummaryColumn& col, const RowContext& c) {
  switch (col.type) {
    case SummaryColumnType::kUuid:
    case SummaryColumnType::kText:
    case SummaryColumnType::kJson:
      return std::string(col.text(c).value_or(""));
    case SummaryColumnType::kInt32:
      return std::to_string(*col.int32(c));
    case SummaryColumnType::kDate:
      return FormatDate(col.date(c));
    case SummaryColumnType::kNumeric:
      return "";  // formats differ (shortest vs koku's); checked by value below
  }
  return "";
}

TEST(SummaryColumns, NamesAreUniqueAndEveryColumnHasTheAccessorOfItsType) {
  for (size_t i = 0; i < kSummaryColumns.size(); ++i) {
    const SummaryColumn& col = kSummaryColumns[i];
    for (size_t j = 0; j < i; ++j) EXPECT_NE(col.name, kSummaryColumns[j].name);
    switch (col.type) {
      case SummaryColumnType::kUuid:
      case SummaryColumnType::kText:
      case SummaryColumnType::kJson:
        EXPECT_NE(col.text, nullptr) << col.name;
        break;
      case SummaryColumnType::kInt32:
        EXPECT_NE(col.int32, nullptr) << col.name;
        break;
      case SummaryColumnType::kDate:
        EXPECT_NE(col.date, nullptr) << col.name;
        break;
      case SummaryColumnType::kNumeric:
        EXPECT_NE(col.number, nullptr) << col.name;
        break;
    }
  }
}

TEST(SummaryColumns, CsvHeaderAndRowFollowTheTable) {
  const SummaryRow row = DistinctRow();
  const RunIdentity run = TestRun();
  const RowContext c{row, run, kUuid};
  std::string header, line;
  AppendCsvHeader(header);
  AppendCsvRow(c, line);
  auto names = Split(header, ',');
  ASSERT_EQ(names.size(), kSummaryColumns.size());
  // The JSON values hold no comma or quote that CSV would escape, bar the cost JSON.
  for (size_t i = 0; i < kSummaryColumns.size(); ++i) {
    EXPECT_EQ(names[i], kSummaryColumns[i].name);
  }
  EXPECT_NE(line.find(std::string(kUuid) + ",9,cluster,alias,Storage,2025-10-07,2025-10-07,ns,"),
            std::string::npos)
      << line;
}

TEST(SummaryColumns, CopyTextAndColumnListFollowTheTable) {
  const SummaryRow row = DistinctRow();
  const RunIdentity run = TestRun();
  const RowContext c{row, run, kUuid};
  std::string line;
  ASSERT_TRUE(AppendCopyRow(c, Compat::kTrino, line).ok());
  auto fields = Split(line, '\t');
  auto names = Split(SummaryColumnList(), ',');
  ASSERT_EQ(fields.size(), kSummaryColumns.size());
  ASSERT_EQ(names.size(), kSummaryColumns.size());
  for (size_t i = 0; i < kSummaryColumns.size(); ++i) {
    const SummaryColumn& col = kSummaryColumns[i];
    EXPECT_EQ(names[i].substr(names[i].find_first_not_of(' ')), col.name);
    if (col.type == SummaryColumnType::kNumeric) {
      EXPECT_DOUBLE_EQ(std::stod(fields[i]), *col.number(c)) << col.name;
    } else {
      EXPECT_EQ(fields[i], Expected(col, c)) << col.name;
    }
  }
}

TEST(SummaryColumns, ArrowSchemaAndBatchFollowTheTable) {
  const SummaryRow row = DistinctRow();
  const RunIdentity run = TestRun();
  UuidGenerator uuids;
  auto batch = SummaryRecordBatch(std::span(&row, 1), run, uuids);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  const auto& schema = *SummaryArrowSchema();
  ASSERT_EQ(schema.num_fields(), static_cast<int>(kSummaryColumns.size()));
  ASSERT_TRUE((*batch)->schema()->Equals(schema));
  const std::string uuid = (*batch)->column(0)->GetScalar(0).ValueOrDie()->ToString();
  const RowContext c{row, run, uuid};
  for (size_t i = 0; i < kSummaryColumns.size(); ++i) {
    const SummaryColumn& col = kSummaryColumns[i];
    EXPECT_EQ(schema.field(static_cast<int>(i))->name(), col.name);
    auto scalar = (*batch)->column(static_cast<int>(i))->GetScalar(0).ValueOrDie();
    if (col.type == SummaryColumnType::kNumeric) {
      EXPECT_DOUBLE_EQ(std::stod(scalar->ToString()), *col.number(c)) << col.name;
    } else {
      EXPECT_EQ(scalar->ToString(), Expected(col, c)) << col.name;
    }
  }
}

// The Parquet writer gathers its own columns: its file must read back as the Arrow batch of the
// same rows, NULLs included, in row groups of kRowGroupRows, a distinct uuid per row.
TEST(SummaryColumns, ParquetFileReadsBackAsTheArrowBatchOfTheSameRows) {
  std::vector<SummaryRow> rows;
  for (int i = 0; i < 2 * static_cast<int>(SummaryParquetWriter::kRowGroupRows) + 300; ++i) {
    SummaryRow r = DistinctRow();
    r.namespace_ = "ns-" + std::to_string(i % 37);
    r.pod_labels = R"({"pod":")" + std::to_string(i) + R"("})";
    r.metrics[i % kMetricCount] = static_cast<double>(i) / 7;
    if (i % 3 == 0) {  // NULLs in each kind of column
      r.pod_labels.reset();
      r.node.reset();
      r.cost_category_id.reset();
      r.metrics[(i + 1) % kMetricCount].reset();
      r.has_infrastructure_usage_cost = false;
    }
    if (i % 5 == 0) r.data_source = DataSource::kPod;
    r.usage_start = MakeDate(2025, 10, 1 + i % 2);
    rows.push_back(std::move(r));
  }
  const RunIdentity run = TestRun();
  const auto path = std::filesystem::temp_directory_path() /
                    ("ocpagg-summary-parquet-" + std::to_string(::getpid()) + ".parquet");
  {
    auto out = arrow::io::FileOutputStream::Open(path.string());
    ASSERT_TRUE(out.ok()) << out.status();
    auto writer = SummaryParquetWriter::Open(*out, path.string());
    ASSERT_TRUE(writer.ok()) << writer.status();
    UuidGenerator uuids;
    // Chunks of uneven sizes, as the engine's are at the end of a day.
    for (size_t begin = 0; begin < rows.size();) {
      const size_t n = std::min<size_t>(begin % 2 ? 1000 : 24, rows.size() - begin);
      ASSERT_TRUE((*writer)->Append(std::span(rows).subspan(begin, n), run, uuids).ok());
      begin += n;
    }
    ASSERT_TRUE((*writer)->Close().ok());
  }
  auto file = arrow::io::ReadableFile::Open(path.string());
  ASSERT_TRUE(file.ok()) << file.status();
  auto reader = parquet::arrow::OpenFile(*file, arrow::default_memory_pool());
  ASSERT_TRUE(reader.ok()) << reader.status();
  std::shared_ptr<arrow::Table> table;
  ASSERT_TRUE((*reader)->ReadTable(&table).ok());
  std::filesystem::remove(path);
  ASSERT_TRUE(table->schema()->Equals(*SummaryArrowSchema())) << table->schema()->ToString();
  ASSERT_EQ(table->num_rows(), static_cast<int64_t>(rows.size()));
  // A row group closes after the chunk that reaches kRowGroupRows.
  const int groups = (*reader)->num_row_groups();
  EXPECT_EQ(groups, 3);
  for (int g = 0; g + 1 < groups; ++g) {
    const int64_t n = (*reader)->parquet_reader()->metadata()->RowGroup(g)->num_rows();
    EXPECT_GE(n, SummaryParquetWriter::kRowGroupRows);
    EXPECT_LT(n, SummaryParquetWriter::kRowGroupRows + 1000);
  }
  UuidGenerator other;
  auto batch = SummaryRecordBatch(rows, run, other);
  ASSERT_TRUE(batch.ok()) << batch.status();
  auto expected = arrow::Table::FromRecordBatches({*batch});
  ASSERT_TRUE(expected.ok());
  for (int c = 1; c < table->num_columns(); ++c) {
    EXPECT_TRUE(table->column(c)->Equals(*(*expected)->column(c)))
        << kSummaryColumns[static_cast<size_t>(c)].name;
  }
  std::set<std::string> distinct;
  auto uuid = table->column(0);
  for (const auto& chunk : uuid->chunks()) {
    const auto& strings = static_cast<const arrow::StringArray&>(*chunk);
    for (int64_t i = 0; i < strings.length(); ++i) {
      ASSERT_EQ(strings.GetView(i).size(), 36u);
      distinct.insert(std::string(strings.GetView(i)));
    }
  }
  EXPECT_EQ(distinct.size(), rows.size());
}

TEST(SummaryColumns, CreateSchemaDdlDeclaresEveryColumnWithItsTypeInOrder) {
  const std::string ddl = pg::SummaryTableDdl();
  size_t last = 0;
  for (const auto& col : kSummaryColumns) {
    const std::string declaration = "\n    " + std::string(col.name) + " " +
                                    std::string(col.sql_type) + (col.nullable ? "," : " NOT NULL,");
    const size_t at = ddl.find(declaration);
    ASSERT_NE(at, std::string::npos) << declaration;
    EXPECT_GT(at, last) << col.name << " is out of order";
    last = at;
  }
}

}  // namespace
}  // namespace ocpagg
