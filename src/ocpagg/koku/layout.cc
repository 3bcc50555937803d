#include "ocpagg/koku/layout.h"

#include <fmt/format.h>

namespace ocpagg {
namespace {

std::string PartitionDir(std::string_view root, const KokuPartition& p, bool daily) {
  std::string prefix =
      root.empty() ? std::string("data/parquet") : fmt::format("{}/data/parquet", root);
  if (daily) prefix += "/daily";
  return fmt::format("{}/{}/OCP/{}/source={}/year={:04d}/month={:02d}", prefix, p.account,
                     ReportTypeName(p.report_type), p.source_uuid, p.year, p.month);
}

}  // namespace

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
