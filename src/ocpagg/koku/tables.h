#pragma once
// koku's Hive tables of OCP line items (docs/semantics.md "Parquet layout"): each report type has a
// table of hourly rows, openshift_{report_type}_line_items, and one of their daily partial
// aggregates, openshift_{report_type}_line_items_daily. The summary reads five of them.

#include <cstdint>
#include <string>
#include <string_view>

#include "ocpagg/koku/report_type.h"

namespace ocpagg {

// One table: a report type's hourly rows or its daily partial aggregates.
struct KokuTable {
  ReportType type = ReportType::kPodUsage;
  bool daily = false;

  friend bool operator==(const KokuTable&, const KokuTable&) = default;
};

// koku's name for the table, as its summary SQL reads it: "openshift_pod_usage_line_items",
// "openshift_storage_usage_line_items_daily", ...
std::string TableName(KokuTable table);

// The tables the summary reads (docs/semantics.md "Parquet layout").
enum class InputTable : uint8_t {
  kPodUsageHourly,        // openshift_pod_usage_line_items: node capacity only
  kPodUsageDaily,         // openshift_pod_usage_line_items_daily
  kStorageUsageDaily,     // openshift_storage_usage_line_items_daily
  kNodeLabelsDaily,       // openshift_node_labels_line_items_daily
  kNamespaceLabelsDaily,  // openshift_namespace_labels_line_items_daily
};
inline constexpr int kInputTableCount = 5;

KokuTable TableOf(InputTable table);
// TableName(TableOf(table)); the view stays valid for the life of the program.
std::string_view InputTableName(InputTable table);

}  // namespace ocpagg
