#include "ocpagg/koku/report_type.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <string>
#include <vector>

namespace ocpagg {
namespace {

std::vector<std::string> Header(ReportType t) {
  auto required = RequiredColumns(t);
  return {required.begin(), required.end()};
}

TEST(ReportTypeTest, NamesRoundTripThroughKokuPathSegments) {
  for (auto t : {ReportType::kPodUsage, ReportType::kStorageUsage, ReportType::kNodeLabels,
                 ReportType::kNamespaceLabels, ReportType::kVmUsage, ReportType::kGpuUsage}) {
    EXPECT_EQ(ReportTypeFromName(ReportTypeName(t)), t);
  }
  EXPECT_EQ(ReportTypeName(ReportType::kNodeLabels), "node_labels");
  EXPECT_EQ(ReportTypeFromName("ocp_pod_usage"), std::nullopt);
}

TEST(ReportTypeTest, DetectsEachTypeFromItsRequiredColumns) {
  EXPECT_EQ(DetectReportType(Header(ReportType::kPodUsage)), ReportType::kPodUsage);
  EXPECT_EQ(DetectReportType(Header(ReportType::kStorageUsage)), ReportType::kStorageUsage);
  EXPECT_EQ(DetectReportType(Header(ReportType::kNodeLabels)), ReportType::kNodeLabels);
  EXPECT_EQ(DetectReportType(Header(ReportType::kNamespaceLabels)), ReportType::kNamespaceLabels);
  EXPECT_EQ(DetectReportType(Header(ReportType::kVmUsage)), ReportType::kVmUsage);
  EXPECT_EQ(DetectReportType(Header(ReportType::kGpuUsage)), ReportType::kGpuUsage);
}

TEST(ReportTypeTest, ExtraAndReorderedColumnsStillMatch) {
  std::vector<std::string> header = Header(ReportType::kStorageUsage);
  std::reverse(header.begin(), header.end());
  header.push_back("node");
  header.push_back("csi_volume_handle");
  EXPECT_EQ(DetectReportType(header), ReportType::kStorageUsage);
}

TEST(ReportTypeTest, MissingOneRequiredColumnMatchesNothing) {
  std::vector<std::string> header = Header(ReportType::kPodUsage);
  header.erase(std::find(header.begin(), header.end(), "pod_labels"));
  EXPECT_EQ(DetectReportType(header), std::nullopt);
}

TEST(ReportTypeTest, StorageWinsWhenAHeaderCarriesBothTypes) {
  // koku's OCP_REPORT_TYPES lists storage_usage before pod_usage.
  std::vector<std::string> header = Header(ReportType::kPodUsage);
  for (const auto& c : Header(ReportType::kStorageUsage)) header.push_back(c);
  EXPECT_EQ(DetectReportType(header), ReportType::kStorageUsage);
}

TEST(ReportTypeTest, ColumnClassesFollowKokuConverters) {
  EXPECT_TRUE(IsNumericColumn("node_capacity_cpu_cores"));
  EXPECT_TRUE(IsNumericColumn("persistentvolumeclaim_usage_byte_seconds"));
  EXPECT_FALSE(IsNumericColumn("resource_id"));
  EXPECT_TRUE(IsTimestampColumn("interval_end"));
  EXPECT_FALSE(IsTimestampColumn("usage_start"));
  EXPECT_TRUE(IsLabelColumn("persistentvolumeclaim_labels"));
  EXPECT_FALSE(IsLabelColumn("node_role"));
  EXPECT_TRUE(IsSanitizedColumn("csi_volume_handle"));
  EXPECT_TRUE(IsSanitizedColumn("node_role"));
  EXPECT_FALSE(IsSanitizedColumn("pod_labels"));
  EXPECT_TRUE(IsAnomalyCheckedColumn("node_capacity_memory_bytes"));
  EXPECT_FALSE(IsAnomalyCheckedColumn("node_capacity_cpu_cores"));
}

}  // namespace
}  // namespace ocpagg
