#include "ocpagg/koku/layout.h"

#include <fmt/format.h>

namespace ocpagg {

std::string AccountFromSchema(std::string_view schema_name) {
  constexpr std::string_view kPrefix = "acct";
  if (schema_name.starts_with(kPrefix)) return std::string(schema_name.substr(kPrefix.size()));
  return std::string(schema_name);
}

KokuPartition KokuPartition::ForDate(std::string account, ReportType type, std::string source_uuid,
                                     Date report_date_start) {
  auto ymd = ToYmd(report_date_start);
  return KokuPartition{std::move(account), type, std::move(source_uuid),
                       static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month())};
}

std::string ParquetRoot(std::string_view root, bool daily) {
  std::string_view folder = daily ? "data/parquet/daily" : "data/parquet";
  return root.empty() ? std::string(folder) : fmt::format("{}/{}", root, folder);
}

std::string TableDir(std::string_view root, std::string_view account, KokuTable table) {
  return fmt::format("{}/{}/OCP/{}", ParquetRoot(root, table.daily), account,
                     ReportTypeName(table.type));
}

std::string PartitionDir(std::string_view root, const KokuPartition& p, bool daily) {
  return fmt::format("{}/source={}/year={:04d}/month={:02d}",
                     TableDir(root, p.account, {p.report_type, daily}), p.source_uuid, p.year,
                     p.month);
}

std::string HourlyPartitionDir(std::string_view root, const KokuPartition& partition) {
  return PartitionDir(root, partition, /*daily=*/false);
}

std::string DailyPartitionDir(std::string_view root, const KokuPartition& partition) {
  return PartitionDir(root, partition, /*daily=*/true);
}

std::string HourlyFileName(std::string_view csv_base, int64_t chunk_index) {
  return fmt::format("{}_{}.parquet", csv_base, chunk_index);
}

std::string DailyFileName(std::string_view csv_base, int64_t chunk_index) {
  return fmt::format("{}_daily_{}.parquet", csv_base, chunk_index);
}

}  // namespace ocpagg
