#pragma once
// koku's object layout for OCP Parquet (docs/semantics.md "Parquet layout", masu/util/common.py
// get_path_prefix):
//   {root}/data/parquet/{account}/OCP/{report_type}/source={uuid}/year=YYYY/month=MM/{csvbase}_{i}.parquet
//   {root}/data/parquet/daily/{account}/OCP/{report_type}/source={uuid}/year=YYYY/month=MM/{csvbase}_daily_{i}.parquet

#include <cstdint>
#include <string>
#include <string_view>

#include "ocpagg/koku/date.h"
#include "ocpagg/koku/report_type.h"
#include "ocpagg/koku/tables.h"

namespace ocpagg {

// The account folder for a tenant schema: a leading "acct" is removed ("acct10001" -> "10001",
// ParquetReportProcessor.account); "org1234567" stays as is.
std::string AccountFromSchema(std::string_view schema_name);

// One year/month partition of one report type of one source.
struct KokuPartition {
  std::string account;  // already derived with AccountFromSchema
  ReportType report_type = ReportType::kPodUsage;
  std::string source_uuid;
  int year = 0;
  unsigned month = 0;  // 1-12, written zero-padded

  // The partition koku files a unit under: year and month of its ReportDateStart.
  static KokuPartition ForDate(std::string account, ReportType type, std::string source_uuid,
                               Date report_date_start);
};

// {root}/data/parquet for the hourly tables, {root}/data/parquet/daily for the daily ones: the
// folder of the accounts. With an empty root the path is relative ("data/parquet").
std::string ParquetRoot(std::string_view root, bool daily);
// {ParquetRoot}/{account}/OCP/{report_type}: every source's partitions of one table.
std::string TableDir(std::string_view root, std::string_view account, KokuTable table);

// {root}/data/parquet/{account}/OCP/{report_type}/source={uuid}/year=YYYY/month=MM.
std::string HourlyPartitionDir(std::string_view root, const KokuPartition& partition);
// {root}/data/parquet/daily/{account}/OCP/{report_type}/source={uuid}/year=YYYY/month=MM.
std::string DailyPartitionDir(std::string_view root, const KokuPartition& partition);
// The partition's folder of the hourly or the daily table.
std::string PartitionDir(std::string_view root, const KokuPartition& partition, bool daily);

// "{csv_base}_{chunk_index}.parquet": one hourly file per 200,000-row CSV chunk.
std::string HourlyFileName(std::string_view csv_base, int64_t chunk_index);
// "{csv_base}_daily_{chunk_index}.parquet": the daily partial aggregate of the same chunk.
std::string DailyFileName(std::string_view csv_base, int64_t chunk_index);

}  // namespace ocpagg
