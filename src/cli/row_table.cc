#include "cli/row_table.h"

#include <fmt/format.h>

#include <string>
#include <vector>

namespace ocpagg::cli {
namespace {

std::string Shorten(std::string_view s, size_t width) {
  if (s.size() <= width) return std::string(s);
  return std::string(s.substr(0, width - 1)) + "~";
}

std::string Text(const std::optional<std::string>& s) { return s ? *s : "NULL"; }

std::string Number(const std::optional<double>& v) {
  return v ? fmt::format("{:.3f}", *v) : std::string("-");
}

}  // namespace

void PrintRowTable(std::span<const SummaryRow> rows, std::FILE* out) {
  std::vector<std::vector<std::string>> table;
  table.push_back({"day", "kind", "namespace", "node", "pvc", "labels", "cpu_use_h", "cpu_req_h",
                   "mem_use_gib_h", "mem_req_gib_h", "pvc_cap_gib_mo", "pvc_use_gib_mo"});
  for (const auto& r : rows) {
    const bool unallocated = r.data_source == DataSource::kPod && !r.has_infrastructure_usage_cost;
    table.push_back({
        FormatDate(r.usage_start),
        unallocated ? "Unalloc" : std::string(DataSourceName(r.data_source)),
        Shorten(Text(r.namespace_), 24),
        Shorten(Text(r.node), 16),
        r.persistentvolumeclaim ? Shorten(*r.persistentvolumeclaim, 16) : "",
        Shorten(r.all_labels, 40),
        Number(r.metric(Metric::kPodUsageCpuCoreHours)),
        Number(r.metric(Metric::kPodRequestCpuCoreHours)),
        Number(r.metric(Metric::kPodUsageMemoryGigabyteHours)),
        Number(r.metric(Metric::kPodRequestMemoryGigabyteHours)),
        Number(r.metric(Metric::kPersistentVolumeClaimCapacityGigabyteMonths)),
        Number(r.metric(Metric::kPersistentVolumeClaimUsageGigabyteMonths)),
    });
  }
  std::vector<size_t> width(table[0].size(), 0);
  for (const auto& row : table) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : table) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      const bool numeric = i >= 6;
      line += numeric ? fmt::format("{:>{}}", row[i], width[i])
                      : fmt::format("{:<{}}", row[i], width[i]);
      if (i + 1 < row.size()) line += "  ";
    }
    fmt::print(out, "{}\n", line);
  }
}

}  // namespace ocpagg::cli
