#include "ocpagg/koku/tables.h"

#include <fmt/format.h>

#include <array>

namespace ocpagg {

std::string TableName(KokuTable table) {
  return fmt::format("openshift_{}_line_items{}", ReportTypeName(table.type),
                     table.daily ? "_daily" : "");
}

KokuTable TableOf(InputTable table) {
  switch (table) {
    case InputTable::kPodUsageHourly:
      return {ReportType::kPodUsage, false};
    case InputTable::kPodUsageDaily:
      return {ReportType::kPodUsage, true};
    case InputTable::kStorageUsageDaily:
      return {ReportType::kStorageUsage, true};
    case InputTable::kNodeLabelsDaily:
      return {ReportType::kNodeLabels, true};
    case InputTable::kNamespaceLabelsDaily:
      return {ReportType::kNamespaceLabels, true};
  }
  return {};
}

std::string_view InputTableName(InputTable table) {
  static const std::array<std::string, kInputTableCount> kNames = [] {
    std::array<std::string, kInputTableCount> names;
    for (int t = 0; t < kInputTableCount; ++t) names[t] = TableName(TableOf(InputTable(t)));
    return names;
  }();
  return kNames[static_cast<size_t>(table)];
}

}  // namespace ocpagg
