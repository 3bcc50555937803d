// docs/semantics.md "Cell conversions", "Daily partial aggregates", "Parquet layout" and koku's
// test_ocp_post_processor.py as tests on hand-made CSVs: what koku's processor writes, read back
// from the Parquet files.

#include <arrow/array.h>
#include <arrow/type.h>
#include <gtest/gtest.h>
#include <parquet/file_reader.h>
#include <parquet/schema.h>

#include <cmath>

#include "ingest_test_support.h"
#include "ocpagg/ingest/ingest.h"
#include "ocpagg/koku/date.h"

namespace ocpagg {
namespace {

using namespace ingest_test;

constexpr int64_t kOct1 = 20362;  // 2025-10-01 in days since the epoch

class IngestKokuExamplesTest : public ::testing::Test {
 protected:
  // Ingests one month payload holding the given files; returns the report.
  IngestReport Ingest(const std::vector<std::pair<std::string, std::string>>& files,
                      int64_t rows_per_chunk = 200'000) {
    WriteMonthPayload(payload_ / "cluster/20251001-20251101", files);
    IngestOptions o;
    o.payload_path = payload_.path();
    o.output_dir = out_.path();
    o.source_uuid = kSource;
    o.rows_per_chunk = rows_per_chunk;
    auto report = IngestPayload(o);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : IngestReport{};
  }

  std::shared_ptr<arrow::Table> Hourly(const std::string& type, const std::string& csv_base) {
    return ReadParquet(out_ / KokuPath(false, type, "2025", "10", csv_base + "_0.parquet"));
  }
  std::shared_ptr<arrow::Table> Daily(const std::string& type, const std::string& csv_base) {
    return ReadParquet(out_ / KokuPath(true, type, "2025", "10", csv_base + "_daily_0.parquet"));
  }

  ScratchDir payload_, out_;
};

double NumberAt(const arrow::Table& t, const std::string& column, int64_t row) {
  auto a = std::static_pointer_cast<arrow::DoubleArray>(t.GetColumnByName(column)->chunk(0));
  return a->Value(row);
}

bool IsNullAt(const arrow::Table& t, const std::string& column, int64_t row) {
  return t.GetColumnByName(column)->chunk(0)->IsNull(row);
}

std::string TextAt(const arrow::Table& t, const std::string& column, int64_t row) {
  auto a = std::static_pointer_cast<arrow::StringArray>(t.GetColumnByName(column)->chunk(0));
  return std::string(a->GetView(row));
}

int64_t MillisAt(const arrow::Table& t, const std::string& column, int64_t row) {
  auto a = std::static_pointer_cast<arrow::TimestampArray>(t.GetColumnByName(column)->chunk(0));
  return a->Value(row);
}

std::vector<std::string> ColumnNames(const arrow::Table& t) { return t.schema()->field_names(); }

TEST_F(IngestKokuExamplesTest, TwoHoursOnDayOneAndOneOnDayTwoGiveDailySumsAndCapacityMax) {
  PodRow h1{.day = "2025-10-01", .hour = 1, .usage_cpu = "7", .capacity_cores = "4"};
  PodRow h2{.day = "2025-10-01", .hour = 2, .usage_cpu = "7", .capacity_cores = "4"};
  PodRow next_day{.day = "2025-10-02", .hour = 1, .usage_cpu = "7", .capacity_cores = "4"};
  Ingest({{"r.0.csv", PodCsv({h1, h2, next_day})}});
  auto daily = Daily("pod_usage", "r.0");
  ASSERT_TRUE(daily);
  ASSERT_EQ(daily->num_rows(), 2);
  EXPECT_EQ(MillisAt(*daily, "interval_start", 0), kOct1 * kMillisPerDay);
  EXPECT_EQ(MillisAt(*daily, "interval_start", 1), (kOct1 + 1) * kMillisPerDay);
  EXPECT_EQ(NumberAt(*daily, "pod_usage_cpu_core_seconds", 0), 14.0);
  EXPECT_EQ(NumberAt(*daily, "pod_usage_cpu_core_seconds", 1), 7.0);
  EXPECT_EQ(NumberAt(*daily, "pod_usage_memory_byte_seconds", 0), 2000.0);
  EXPECT_EQ(NumberAt(*daily, "node_capacity_cpu_cores", 0), 4.0);
  EXPECT_EQ(NumberAt(*daily, "node_capacity_cpu_cores", 1), 4.0);
  // koku sums the capacity seconds over the pods' hours (docs/semantics.md "Daily partial
  // aggregates"): meaningless but kept.
  EXPECT_EQ(NumberAt(*daily, "node_capacity_cpu_core_seconds", 0), 57600.0);
  EXPECT_EQ(NumberAt(*daily, "node_capacity_memory_bytes", 0), 34359738368.0);
}

TEST_F(IngestKokuExamplesTest, DailyPodFileHasKokusColumnsInKokusOrder) {
  Ingest({{"r.0.csv", PodCsv({PodRow{}})}});
  auto daily = Daily("pod_usage", "r.0");
  ASSERT_TRUE(daily);
  EXPECT_EQ(ColumnNames(*daily),
            (std::vector<std::string>{"namespace",
                                      "node",
                                      "pod",
                                      "pod_labels",
                                      "interval_start",
                                      "report_period_start",
                                      "report_period_end",
                                      "resource_id",
                                      "pod_usage_cpu_core_seconds",
                                      "pod_request_cpu_core_seconds",
                                      "pod_effective_usage_cpu_core_seconds",
                                      "pod_limit_cpu_core_seconds",
                                      "pod_usage_memory_byte_seconds",
                                      "pod_request_memory_byte_seconds",
                                      "pod_effective_usage_memory_byte_seconds",
                                      "pod_limit_memory_byte_seconds",
                                      "node_capacity_cpu_cores",
                                      "node_capacity_cpu_core_seconds",
                                      "node_capacity_memory_bytes",
                                      "node_capacity_memory_byte_seconds",
                                      "node_role"}));
  // node_role is one of koku's new_required_columns: added as an all-null string column.
  EXPECT_TRUE(daily->schema()->GetFieldByName("node_role")->type()->Equals(arrow::utf8()));
  EXPECT_TRUE(IsNullAt(*daily, "node_role", 0));
}

TEST_F(IngestKokuExamplesTest, HourlyFileKeepsCsvOrderAndAppendsEffectiveUsage) {
  Ingest({{"r.0.csv", PodCsv({PodRow{}})}});
  auto hourly = Hourly("pod_usage", "r.0");
  ASSERT_TRUE(hourly);
  auto names = ColumnNames(*hourly);
  ASSERT_EQ(names.size(), 21u);
  EXPECT_EQ(names[0], "report_period_start");
  EXPECT_EQ(names[18], "pod_labels");
  EXPECT_EQ(names[19], "pod_effective_usage_cpu_core_seconds");
  EXPECT_EQ(names[20], "pod_effective_usage_memory_byte_seconds");
  EXPECT_TRUE(hourly->schema()->GetFieldByName("pod")->type()->Equals(arrow::utf8()));
  EXPECT_TRUE(hourly->schema()
                  ->GetFieldByName("pod_usage_cpu_core_seconds")
                  ->type()
                  ->Equals(arrow::float64()));
}

TEST_F(IngestKokuExamplesTest, LabelStringBecomesKokuJson) {
  PodRow row{.labels = "label_environment:ruby|label_app:fall|label_version:red"};
  Ingest({{"r.0.csv", PodCsv({row})}});
  auto hourly = Hourly("pod_usage", "r.0");
  ASSERT_TRUE(hourly);
  EXPECT_EQ(TextAt(*hourly, "pod_labels", 0),
            R"({"environment": "ruby", "app": "fall", "version": "red"})");
  auto daily = Daily("pod_usage", "r.0");
  ASSERT_TRUE(daily);
  EXPECT_EQ(TextAt(*daily, "pod_labels", 0),
            R"({"environment": "ruby", "app": "fall", "version": "red"})");
}

TEST_F(IngestKokuExamplesTest, LabelStringWithoutSeparatorsBecomesEmptyObject) {
  PodRow row{.labels = "nolabelshere"};
  Ingest({{"r.0.csv", PodCsv({row})}});
  auto hourly = Hourly("pod_usage", "r.0");
  ASSERT_TRUE(hourly);
  EXPECT_EQ(TextAt(*hourly, "pod_labels", 0), "{}");
}

TEST_F(IngestKokuExamplesTest, OperatorTimestampBecomesNaiveUtcMillis) {
  PodRow row{.day = "2020-07-01", .hour = 0};
  Ingest({{"r.0.csv", PodCsv({row})}});
  const std::string path = out_ / KokuPath(false, "pod_usage", "2025", "10", "r.0_0.parquet");
  auto hourly = ReadParquet(path);
  ASSERT_TRUE(hourly);
  // 2020-07-01 00:00:00 as milliseconds since the epoch.
  EXPECT_EQ(MillisAt(*hourly, "interval_start", 0), 1593561600000);
  EXPECT_EQ(MillisAt(*hourly, "interval_end", 0), 1593561600000 + 3599000);
  auto type = hourly->schema()->GetFieldByName("interval_start")->type();
  EXPECT_TRUE(type->Equals(arrow::timestamp(arrow::TimeUnit::MILLI))) << type->ToString();

  auto file = parquet::ParquetFileReader::OpenFile(path);
  const auto* column = file->metadata()->schema()->Column(2);
  ASSERT_EQ(column->name(), "interval_start");
  const auto& logical = static_cast<const parquet::TimestampLogicalType&>(*column->logical_type());
  ASSERT_TRUE(column->logical_type()->is_timestamp());
  EXPECT_FALSE(logical.is_adjusted_to_utc());
  EXPECT_EQ(logical.time_unit(), parquet::LogicalType::TimeUnit::MILLIS);
}

TEST_F(IngestKokuExamplesTest, RowsAbove1e18AreDroppedFromHourlyAndDaily) {
  PodRow ok{.hour = 0, .usage_cpu = "100"};
  PodRow bad_cpu{.hour = 1, .usage_cpu = "3.7e21"};
  PodRow bad_capacity{.hour = 2, .capacity_bytes = "1.1e18"};
  PodRow at_threshold{.hour = 3, .usage_cpu = "1e18"};
  auto report = Ingest({{"r.0.csv", PodCsv({ok, bad_cpu, bad_capacity, at_threshold})}});
  EXPECT_EQ(report.of(ReportType::kPodUsage).anomalous_rows, 2);
  EXPECT_EQ(report.of(ReportType::kPodUsage).csv_rows, 4);
  auto hourly = Hourly("pod_usage", "r.0");
  ASSERT_TRUE(hourly);
  ASSERT_EQ(hourly->num_rows(), 2);
  EXPECT_EQ(NumberAt(*hourly, "pod_usage_cpu_core_seconds", 0), 100.0);
  EXPECT_EQ(NumberAt(*hourly, "pod_usage_cpu_core_seconds", 1), 1e18);
  auto daily = Daily("pod_usage", "r.0");
  ASSERT_EQ(daily->num_rows(), 1);
  EXPECT_EQ(NumberAt(*daily, "pod_usage_cpu_core_seconds", 0), 1e18 + 100.0);
}

TEST_F(IngestKokuExamplesTest, EmptyNumericCellIsZeroNotNull) {
  PodRow row{.usage_cpu = "", .limit_mem = "not-a-number"};
  Ingest({{"r.0.csv", PodCsv({row})}});
  auto hourly = Hourly("pod_usage", "r.0");
  ASSERT_TRUE(hourly);
  EXPECT_FALSE(IsNullAt(*hourly, "pod_usage_cpu_core_seconds", 0));
  EXPECT_EQ(NumberAt(*hourly, "pod_usage_cpu_core_seconds", 0), 0.0);
  EXPECT_EQ(NumberAt(*hourly, "pod_limit_memory_byte_seconds", 0), 0.0);
}

TEST_F(IngestKokuExamplesTest, NanTokenIsZeroButOtherNanSpellingsAreNull) {
  // pandas reads "nan" as NA and koku's CSV rewrite empties it (-> 0.0); "NAN" is not a pandas
  // NA token, so float("NAN") gives NaN, which pyarrow stores as NULL.
  PodRow row{.usage_cpu = "nan", .request_cpu = "NAN"};
  Ingest({{"r.0.csv", PodCsv({row})}});
  auto hourly = Hourly("pod_usage", "r.0");
  ASSERT_TRUE(hourly);
  ASSERT_EQ(hourly->num_rows(), 1);
  EXPECT_EQ(NumberAt(*hourly, "pod_usage_cpu_core_seconds", 0), 0.0);
  EXPECT_TRUE(IsNullAt(*hourly, "pod_request_cpu_core_seconds", 0));
  // max(usage 0.0, request NaN) skips the NaN.
  EXPECT_EQ(NumberAt(*hourly, "pod_effective_usage_cpu_core_seconds", 0), 0.0);
}

TEST_F(IngestKokuExamplesTest, InfinityIsKeptWhereNoAnomalyRuleApplies) {
  // +inf is > 1e18, so a checked column drops the row; node_capacity_cpu_cores is unchecked
  // and a negative infinity passes every check.
  PodRow kept{.hour = 0, .limit_cpu = "-inf", .capacity_cores = "inf"};
  PodRow dropped{.hour = 1, .limit_cpu = "inf"};
  auto report = Ingest({{"r.0.csv", PodCsv({kept, dropped})}});
  EXPECT_EQ(report.of(ReportType::kPodUsage).anomalous_rows, 1);
  auto hourly = Hourly("pod_usage", "r.0");
  ASSERT_EQ(hourly->num_rows(), 1);
  EXPECT_EQ(NumberAt(*hourly, "pod_limit_cpu_core_seconds", 0), -INFINITY);
  EXPECT_EQ(NumberAt(*hourly, "node_capacity_cpu_cores", 0), INFINITY);
}

TEST_F(IngestKokuExamplesTest, EffectiveUsageIsMaxOfUsageAndRequestPerHour) {
  PodRow below{.hour = 0, .usage_cpu = "100", .request_cpu = "300"};
  PodRow above{.hour = 1, .usage_cpu = "500", .request_cpu = "300"};
  Ingest({{"r.0.csv", PodCsv({below, above})}});
  auto hourly = Hourly("pod_usage", "r.0");
  ASSERT_TRUE(hourly);
  EXPECT_EQ(NumberAt(*hourly, "pod_effective_usage_cpu_core_seconds", 0), 300.0);
  EXPECT_EQ(NumberAt(*hourly, "pod_effective_usage_cpu_core_seconds", 1), 500.0);
  auto daily = Daily("pod_usage", "r.0");
  // The sum of hourly maxima (800), not the max of the daily sums (600).
  EXPECT_EQ(NumberAt(*daily, "pod_effective_usage_cpu_core_seconds", 0), 800.0);
}

TEST_F(IngestKokuExamplesTest, EmptyStringCellsAreEmptyNotNull) {
  PodRow row{.ns = "", .node = "None"};
  Ingest({{"r.0.csv", PodCsv({row})}});
  auto hourly = Hourly("pod_usage", "r.0");
  ASSERT_TRUE(hourly);
  EXPECT_FALSE(IsNullAt(*hourly, "namespace", 0));
  EXPECT_EQ(TextAt(*hourly, "namespace", 0), "");
  // "None" is a pandas NA token: koku's CSV rewrite makes it ''.
  EXPECT_EQ(TextAt(*hourly, "node", 0), "");
  auto daily = Daily("pod_usage", "r.0");
  EXPECT_EQ(TextAt(*daily, "node", 0), "");
}

TEST_F(IngestKokuExamplesTest, SanitizedColumnsAreHtmlEscapedButLabelsAreNot) {
  PodRow row{.pod = "\"a<b>&'c\"", .labels = "label_q:<x>&"};
  Ingest({{"r.0.csv", PodCsv({row})}});
  auto hourly = Hourly("pod_usage", "r.0");
  ASSERT_TRUE(hourly);
  EXPECT_EQ(TextAt(*hourly, "pod", 0), "a&lt;b&gt;&amp;&#x27;c");
  EXPECT_EQ(TextAt(*hourly, "pod_labels", 0), R"({"q": "<x>&"})");
}

TEST_F(IngestKokuExamplesTest, EveryChunkGetsItsOwnHourlyAndDailyFile) {
  std::vector<PodRow> rows;
  for (int h = 0; h < 5; ++h) rows.push_back(PodRow{.hour = h, .usage_cpu = "10"});
  Ingest({{"r.0.csv", PodCsv(rows)}}, /*rows_per_chunk=*/2);
  std::vector<std::string> expected;
  for (int i = 0; i < 3; ++i) {
    expected.push_back(
        KokuPath(true, "pod_usage", "2025", "10", "r.0_daily_" + std::to_string(i) + ".parquet"));
  }
  for (int i = 0; i < 3; ++i) {
    expected.push_back(
        KokuPath(false, "pod_usage", "2025", "10", "r.0_" + std::to_string(i) + ".parquet"));
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ListFiles(out_.path()), expected);
  // Partial aggregates: the same (day, pod) in every daily file, each with its chunk's sum.
  for (int i = 0; i < 3; ++i) {
    auto daily = ReadParquet(out_ / KokuPath(true, "pod_usage", "2025", "10",
                                             "r.0_daily_" + std::to_string(i) + ".parquet"));
    ASSERT_EQ(daily->num_rows(), 1);
    EXPECT_EQ(NumberAt(*daily, "pod_usage_cpu_core_seconds", 0), i < 2 ? 20.0 : 10.0);
  }
}

TEST_F(IngestKokuExamplesTest, DailyRowsAreSortedByKeysThenDay) {
  PodRow b{.day = "2025-10-02", .pod = "b"};
  PodRow a2{.day = "2025-10-02", .pod = "a"};
  PodRow a1{.day = "2025-10-01", .pod = "a"};
  Ingest({{"r.0.csv", PodCsv({b, a2, a1})}});
  auto daily = Daily("pod_usage", "r.0");
  ASSERT_EQ(daily->num_rows(), 3);
  EXPECT_EQ(TextAt(*daily, "pod", 0), "a");
  EXPECT_EQ(MillisAt(*daily, "interval_start", 0), kOct1 * kMillisPerDay);
  EXPECT_EQ(TextAt(*daily, "pod", 1), "a");
  EXPECT_EQ(MillisAt(*daily, "interval_start", 1), (kOct1 + 1) * kMillisPerDay);
  EXPECT_EQ(TextAt(*daily, "pod", 2), "b");
}

TEST_F(IngestKokuExamplesTest, StorageDailyAddsMissingNodeAndCsiColumnsAsNull) {
  std::string line = "2025-10-01 00:00:00 +0000 UTC,2025-11-01 00:00:00 +0000 UTC," +
                     OperatorTime("2025-10-01", 0) + "," + OperatorTime("2025-10-01", 0, 59, 59) +
                     ",shop,db-1,data,pv-1,gp3,42949672960.0,154618822656000.0,180388626432000.0,"
                     "38654705664000.0,label_storage:ssd,label_backup:daily";
  Ingest({{"r.1.csv", Csv({kStorageHeader, line, line})}});
  auto daily = Daily("storage_usage", "r.1");
  ASSERT_TRUE(daily);
  EXPECT_EQ(
      ColumnNames(*daily),
      (std::vector<std::string>{
          "namespace", "pod", "persistentvolumeclaim", "persistentvolume", "storageclass",
          "persistentvolume_labels", "persistentvolumeclaim_labels", "interval_start",
          "report_period_start", "report_period_end", "persistentvolumeclaim_capacity_bytes",
          "persistentvolumeclaim_capacity_byte_seconds", "volume_request_storage_byte_seconds",
          "persistentvolumeclaim_usage_byte_seconds", "node", "csi_driver", "csi_volume_handle"}));
  ASSERT_EQ(daily->num_rows(), 1);
  EXPECT_EQ(NumberAt(*daily, "persistentvolumeclaim_capacity_bytes", 0), 42949672960.0);
  EXPECT_EQ(NumberAt(*daily, "persistentvolumeclaim_capacity_byte_seconds", 0),
            2 * 154618822656000.0);
  EXPECT_EQ(TextAt(*daily, "persistentvolumeclaim_labels", 0), R"({"backup": "daily"})");
  EXPECT_TRUE(IsNullAt(*daily, "csi_volume_handle", 0));
  EXPECT_TRUE(IsNullAt(*daily, "node", 0));
}

TEST_F(IngestKokuExamplesTest, LabelTablesGroupByNodeAndLabelsPerDay) {
  auto line = [](int hour, const std::string& labels) {
    return "2025-10-01 00:00:00 +0000 UTC,2025-11-01 00:00:00 +0000 UTC," +
           OperatorTime("2025-10-01", hour) + "," + OperatorTime("2025-10-01", hour, 59, 59) +
           ",worker-a," + labels;
  };
  Ingest({{"r.2.csv", Csv({kNodeLabelsHeader, line(0, "label_zone:a"), line(1, "label_zone:a"),
                           line(2, "label_zone:b")})}});
  auto daily = Daily("node_labels", "r.2");
  ASSERT_TRUE(daily);
  EXPECT_EQ(ColumnNames(*daily),
            (std::vector<std::string>{"node", "node_labels", "interval_start",
                                      "report_period_start", "report_period_end"}));
  ASSERT_EQ(daily->num_rows(), 2);
  EXPECT_EQ(TextAt(*daily, "node_labels", 0), R"({"zone": "a"})");
  EXPECT_EQ(TextAt(*daily, "node_labels", 1), R"({"zone": "b"})");
}

}  // namespace
}  // namespace ocpagg
