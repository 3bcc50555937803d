// koku's tables (src/ocpagg/koku/tables.h).

#include "ocpagg/koku/tables.h"

#include <gtest/gtest.h>

namespace ocpagg {
namespace {

TEST(KokuTablesTest, TableNamesAreKokusHiveNames) {
  EXPECT_EQ(TableName({ReportType::kPodUsage, false}), "openshift_pod_usage_line_items");
  EXPECT_EQ(TableName({ReportType::kNamespaceLabels, true}),
            "openshift_namespace_labels_line_items_daily");
  EXPECT_EQ(InputTableName(InputTable::kStorageUsageDaily),
            "openshift_storage_usage_line_items_daily");
  EXPECT_EQ(InputTableName(InputTable::kPodUsageHourly), "openshift_pod_usage_line_items");
}

TEST(KokuTablesTest, InputTablesAreTheSummarysFive) {
  EXPECT_EQ(TableOf(InputTable::kPodUsageHourly), (KokuTable{ReportType::kPodUsage, false}));
  EXPECT_EQ(TableOf(InputTable::kPodUsageDaily), (KokuTable{ReportType::kPodUsage, true}));
  EXPECT_EQ(TableOf(InputTable::kStorageUsageDaily), (KokuTable{ReportType::kStorageUsage, true}));
  EXPECT_EQ(TableOf(InputTable::kNodeLabelsDaily), (KokuTable{ReportType::kNodeLabels, true}));
  EXPECT_EQ(TableOf(InputTable::kNamespaceLabelsDaily),
            (KokuTable{ReportType::kNamespaceLabels, true}));
}

}  // namespace
}  // namespace ocpagg
