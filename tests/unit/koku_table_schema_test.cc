// The columns of koku's tables (src/ocpagg/koku/table_schema.h), and ingest's files following
// them.

#include "ocpagg/koku/table_schema.h"

#include <arrow/type.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ocpagg/ingest/report_columns.h"
#include "ocpagg/koku/tables.h"

namespace ocpagg {
namespace {

constexpr ReportType kSummaryTypes[] = {ReportType::kPodUsage, ReportType::kStorageUsage,
                                        ReportType::kNodeLabels, ReportType::kNamespaceLabels};

std::vector<std::string_view> NamesOf(KokuTable table) {
  std::vector<std::string_view> names;
  for (const KokuColumn& c : KokuColumns(table)) names.push_back(c.name);
  return names;
}

TEST(KokuTableSchemaTest, DailyPodColumnsAreKeysDayThenAggregates) {
  EXPECT_EQ(NamesOf({ReportType::kPodUsage, true}),
            (std::vector<std::string_view>{"namespace",
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
}

TEST(KokuTableSchemaTest, NewerAndComputedColumnsAreOptional) {
  const KokuTable pods{ReportType::kPodUsage, true};
  EXPECT_TRUE(FindKokuColumn(pods, "node_role")->optional);
  EXPECT_TRUE(FindKokuColumn(pods, "pod_effective_usage_cpu_core_seconds")->optional);
  EXPECT_FALSE(FindKokuColumn(pods, "resource_id")->optional);
  const KokuTable storage{ReportType::kStorageUsage, true};
  EXPECT_TRUE(FindKokuColumn(storage, "csi_volume_handle")->optional);
  EXPECT_FALSE(FindKokuColumn(storage, "persistentvolumeclaim")->optional);
  EXPECT_EQ(FindKokuColumn(storage, "no_such_column"), nullptr);
}

TEST(KokuTableSchemaTest, TypesFollowKokusConverters) {
  const KokuTable pods{ReportType::kPodUsage, false};
  EXPECT_EQ(FindKokuColumn(pods, "interval_end")->type, ColumnType::kTimestamp);
  EXPECT_EQ(FindKokuColumn(pods, "node_capacity_cpu_cores")->type, ColumnType::kNumber);
  EXPECT_EQ(FindKokuColumn(pods, "pod_labels")->type, ColumnType::kString);
  EXPECT_TRUE(KokuSchema(pods)
                  ->GetFieldByName("interval_start")
                  ->type()
                  ->Equals(arrow::timestamp(arrow::TimeUnit::MILLI)));
}

TEST(KokuTableSchemaTest, VmAndGpuHaveNoDailyTable) {
  EXPECT_FALSE(DailyShapeOf(ReportType::kVmUsage).has_value());
  EXPECT_TRUE(KokuColumns({ReportType::kGpuUsage, true}).empty());
  EXPECT_FALSE(KokuColumns({ReportType::kGpuUsage, false}).empty());
}

// ingest's files of a report with every column koku knows have exactly koku's schema, hourly
// and daily.
TEST(KokuTableSchemaTest, IngestWritesKokusSchemaForAFullReport) {
  for (ReportType type : kSummaryTypes) {
    SCOPED_TRACE(ReportTypeName(type));
    std::vector<std::string> header;
    for (std::string_view c : RequiredColumns(type)) header.emplace_back(c);
    for (std::string_view c : NewerColumns(type)) header.emplace_back(c);
    auto report = ReportColumns::Make(type, header);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->hourly_schema->Equals(*KokuSchema({type, false})))
        << report->hourly_schema->ToString() << "\nvs\n"
        << KokuSchema({type, false})->ToString();
    EXPECT_TRUE(report->daily_schema->Equals(*KokuSchema({type, true})))
        << report->daily_schema->ToString() << "\nvs\n"
        << KokuSchema({type, true})->ToString();
  }
}

// A report from an older operator: its daily file still has every column of koku's daily
// table (the newer ones added, NULL), in another order.
TEST(KokuTableSchemaTest, IngestDailyFilesOfOlderReportsHaveEveryKokuColumn) {
  for (ReportType type : kSummaryTypes) {
    SCOPED_TRACE(ReportTypeName(type));
    std::vector<std::string> header;
    for (std::string_view c : RequiredColumns(type)) header.emplace_back(c);
    auto report = ReportColumns::Make(type, header);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    const KokuTable daily{type, true};
    EXPECT_EQ(report->daily_schema->num_fields(), static_cast<int>(KokuColumns(daily).size()));
    for (const KokuColumn& c : KokuColumns(daily)) {
      auto field = report->daily_schema->GetFieldByName(std::string(c.name));
      ASSERT_NE(field, nullptr) << c.name;
      EXPECT_TRUE(field->type()->Equals(ArrowTypeOf(c.type))) << c.name;
    }
  }
}

}  // namespace
}  // namespace ocpagg
