#include "ocpagg/sink/summary_files.h"

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <parquet/arrow/writer.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>

namespace ocpagg {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kColumns[] = {
    "uuid",
    "report_period_id",
    "cluster_id",
    "cluster_alias",
    "data_source",
    "usage_start",
    "usage_end",
    "namespace",
    "node",
    "resource_id",
    "pod_labels",
    "pod_usage_cpu_core_hours",
    "pod_request_cpu_core_hours",
    "pod_effective_usage_cpu_core_hours",
    "pod_limit_cpu_core_hours",
    "pod_usage_memory_gigabyte_hours",
    "pod_request_memory_gigabyte_hours",
    "pod_effective_usage_memory_gigabyte_hours",
    "pod_limit_memory_gigabyte_hours",
    "node_capacity_cpu_cores",
    "node_capacity_cpu_core_hours",
    "node_capacity_memory_gigabytes",
    "node_capacity_memory_gigabyte_hours",
    "cluster_capacity_cpu_core_hours",
    "cluster_capacity_memory_gigabyte_hours",
    "persistentvolumeclaim",
    "persistentvolume",
    "storageclass",
    "volume_labels",
    "all_labels",
    "persistentvolumeclaim_capacity_gigabyte",
    "persistentvolumeclaim_capacity_gigabyte_months",
    "volume_request_storage_gigabyte_months",
    "persistentvolumeclaim_usage_gigabyte_months",
    "source_uuid",
    "infrastructure_usage_cost",
    "cost_category_id",
};
constexpr size_t kColumnCount = std::size(kColumns);
static_assert(kColumnCount == 37);

void AppendCsvField(std::string& out, std::string_view value) {
  bool quote = value.empty() || value.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out.append(value);
    return;
  }
  out.push_back('"');
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void AppendCsvField(std::string& out, const std::optional<std::string>& value) {
  if (value) AppendCsvField(out, std::string_view(*value));
}

void AppendNumber(std::string& out, double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, end);
}

}  // namespace

std::span<const std::string_view> SummaryFileColumns() { return kColumns; }

Result<std::unique_ptr<SummaryFilesWriter>> SummaryFilesWriter::Begin(SummaryFilesOptions options,
                                                                      RunIdentity identity,
                                                                      Date start, Date end) {
  if (!options.write_csv && !options.write_parquet) {
    return UsageError("no output format selected: use --format csv, parquet or both");
  }
  std::unique_ptr<SummaryFilesWriter> w(new SummaryFilesWriter());
  w->options_ = std::move(options);
  w->identity_ = std::move(identity);
  w->start_ = start;
  w->end_ = end;
  std::error_code ec;
  fs::create_directories(w->options_.output_dir, ec);
  if (ec) {
    return SinkError("cannot create output directory {}: {}", w->options_.output_dir, ec.message());
  }
  w->staging_dir_ = (fs::path(w->options_.output_dir) /
                     fmt::format(".ocpagg-staging-{}-{}", ::getpid(), static_cast<void*>(w.get())))
                        .string();
  fs::create_directories(w->staging_dir_, ec);
  if (ec) return SinkError("cannot create {}: {}", w->staging_dir_, ec.message());
  return w;
}

SummaryFilesWriter::~SummaryFilesWriter() {
  if (!staging_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(staging_dir_, ec);
  }
}

std::string SummaryFilesWriter::MonthDir() const {
  auto ymd = ToYmd(start_);
  return (fs::path(options_.output_dir) / "reporting_ocpusagelineitem_daily_summary" /
          fmt::format("source={}", identity_.source_uuid) /
          fmt::format("year={:04d}", static_cast<int>(ymd.year())) /
          fmt::format("month={:02d}", static_cast<unsigned>(ymd.month())))
      .string();
}

Status SummaryFilesWriter::WriteDay(Date day, std::span<const SummaryRow> rows) {
  if (day < start_ || day > end_) {
    return Status::Invalid("day ", FormatDate(day), " outside the run's range");
  }
  for (const auto& row : rows) {
    if (row.usage_start != day) return Status::Invalid("row of another day passed to WriteDay");
  }
  std::string base = FormatDate(day);
  if (options_.write_csv) {
    ARROW_RETURN_NOT_OK(WriteCsv((fs::path(staging_dir_) / (base + ".csv")).string(), rows));
    staged_.push_back(base + ".csv");
  }
  if (options_.write_parquet) {
    ARROW_RETURN_NOT_OK(
        WriteParquet((fs::path(staging_dir_) / (base + ".parquet")).string(), rows));
    staged_.push_back(base + ".parquet");
  }
  rows_written_ += static_cast<int64_t>(rows.size());
  return Status::OK();
}

Status SummaryFilesWriter::WriteCsv(const std::string& path, std::span<const SummaryRow> rows) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return SinkError("cannot write {}", path);
  std::string line;
  for (size_t i = 0; i < kColumnCount; ++i) {
    if (i) line.push_back(',');
    line.append(kColumns[i]);
  }
  line.push_back('\n');
  std::array<char, 36> uuid;
  const std::string report_period =
      identity_.report_period_id > 0 ? std::to_string(identity_.report_period_id) : "";
  for (const auto& r : rows) {
    uuids_.Next(uuid);
    line.append(uuid.data(), uuid.size());
    line.push_back(',');
    line.append(report_period);
    line.push_back(',');
    AppendCsvField(line, std::string_view(identity_.cluster_id));
    line.push_back(',');
    AppendCsvField(line, identity_.cluster_alias);
    line.push_back(',');
    line.append(DataSourceName(r.data_source));
    line.push_back(',');
    const std::string date = FormatDate(r.usage_start);
    line.append(date);
    line.push_back(',');
    line.append(date);
    line.push_back(',');
    AppendCsvField(line, r.namespace_);
    line.push_back(',');
    AppendCsvField(line, r.node);
    line.push_back(',');
    AppendCsvField(line, r.resource_id);
    line.push_back(',');
    AppendCsvField(line, r.pod_labels);
    auto metric = [&](Metric m) {
      line.push_back(',');
      if (r.metric(m)) AppendNumber(line, *r.metric(m));
    };
    for (int m = 0; m <= static_cast<int>(Metric::kClusterCapacityMemoryGigabyteHours); ++m) {
      metric(static_cast<Metric>(m));
    }
    line.push_back(',');
    AppendCsvField(line, r.persistentvolumeclaim);
    line.push_back(',');
    AppendCsvField(line, r.persistentvolume);
    line.push_back(',');
    AppendCsvField(line, r.storageclass);
    line.push_back(',');
    AppendCsvField(line, r.volume_labels);
    line.push_back(',');
    AppendCsvField(line, std::string_view(r.all_labels));
    for (int m = static_cast<int>(Metric::kPersistentVolumeClaimCapacityGigabyte);
         m < static_cast<int>(kMetricCount); ++m) {
      metric(static_cast<Metric>(m));
    }
    line.push_back(',');
    line.append(identity_.source_uuid);
    line.push_back(',');
    if (r.has_infrastructure_usage_cost) AppendCsvField(line, kZeroInfrastructureUsageCost);
    line.push_back(',');
    if (r.cost_category_id) line.append(std::to_string(*r.cost_category_id));
    line.push_back('\n');
    if (line.size() > (1 << 20)) {
      out.write(line.data(), static_cast<std::streamsize>(line.size()));
      line.clear();
    }
  }
  out.write(line.data(), static_cast<std::streamsize>(line.size()));
  out.close();
  if (!out) return SinkError("cannot write {} (disk full?)", path);
  return Status::OK();
}

Status SummaryFilesWriter::WriteParquet(const std::string& path, std::span<const SummaryRow> rows) {
  using arrow::field;
  std::vector<std::shared_ptr<arrow::Field>> fields;
  std::vector<std::shared_ptr<arrow::Array>> arrays;
  auto add = [&](std::string_view name, std::shared_ptr<arrow::DataType> type,
                 Result<std::shared_ptr<arrow::Array>> array) -> Status {
    ARROW_ASSIGN_OR_RAISE(auto a, std::move(array));
    fields.push_back(field(std::string(name), std::move(type)));
    arrays.push_back(std::move(a));
    return Status::OK();
  };
  auto strings = [&](auto get) -> Result<std::shared_ptr<arrow::Array>> {
    arrow::StringBuilder b;
    for (const auto& r : rows) {
      std::optional<std::string_view> v = get(r);
      ARROW_RETURN_NOT_OK(v ? b.Append(*v) : b.AppendNull());
    }
    return b.Finish();
  };
  auto opt = [](const std::optional<std::string>& s) -> std::optional<std::string_view> {
    return s ? std::optional<std::string_view>(*s) : std::nullopt;
  };
  auto dates = [&]() -> Result<std::shared_ptr<arrow::Array>> {
    arrow::Date32Builder b;
    for (const auto& r : rows) ARROW_RETURN_NOT_OK(b.Append(r.usage_start));
    return b.Finish();
  };
  auto metric = [&](Metric m) -> Result<std::shared_ptr<arrow::Array>> {
    arrow::DoubleBuilder b;
    for (const auto& r : rows) {
      ARROW_RETURN_NOT_OK(r.metric(m) ? b.Append(*r.metric(m)) : b.AppendNull());
    }
    return b.Finish();
  };
  std::array<char, 36> uuid;
  ARROW_RETURN_NOT_OK(add("uuid", arrow::utf8(), strings([&](const SummaryRow&) {
                            uuids_.Next(uuid);
                            return std::optional<std::string_view>(
                                std::string_view(uuid.data(), uuid.size()));
                          })));
  {
    arrow::Int32Builder b;
    for (size_t i = 0; i < rows.size(); ++i) {
      ARROW_RETURN_NOT_OK(identity_.report_period_id > 0 ? b.Append(identity_.report_period_id)
                                                         : b.AppendNull());
    }
    ARROW_RETURN_NOT_OK(add("report_period_id", arrow::int32(), b.Finish()));
  }
  ARROW_RETURN_NOT_OK(add("cluster_id", arrow::utf8(), strings([&](const SummaryRow&) {
                            return std::optional<std::string_view>(identity_.cluster_id);
                          })));
  ARROW_RETURN_NOT_OK(add("cluster_alias", arrow::utf8(), strings([&](const SummaryRow&) {
                            return opt(identity_.cluster_alias);
                          })));
  ARROW_RETURN_NOT_OK(add("data_source", arrow::utf8(), strings([](const SummaryRow& r) {
                            return std::optional<std::string_view>(DataSourceName(r.data_source));
                          })));
  ARROW_RETURN_NOT_OK(add("usage_start", arrow::date32(), dates()));
  ARROW_RETURN_NOT_OK(add("usage_end", arrow::date32(), dates()));
  ARROW_RETURN_NOT_OK(add("namespace", arrow::utf8(),
                          strings([&](const SummaryRow& r) { return opt(r.namespace_); })));
  ARROW_RETURN_NOT_OK(
      add("node", arrow::utf8(), strings([&](const SummaryRow& r) { return opt(r.node); })));
  ARROW_RETURN_NOT_OK(add("resource_id", arrow::utf8(),
                          strings([&](const SummaryRow& r) { return opt(r.resource_id); })));
  ARROW_RETURN_NOT_OK(add("pod_labels", arrow::utf8(),
                          strings([&](const SummaryRow& r) { return opt(r.pod_labels); })));
  for (int m = 0; m <= static_cast<int>(Metric::kClusterCapacityMemoryGigabyteHours); ++m) {
    ARROW_RETURN_NOT_OK(add(MetricColumnName(static_cast<Metric>(m)), arrow::float64(),
                            metric(static_cast<Metric>(m))));
  }
  ARROW_RETURN_NOT_OK(add("persistentvolumeclaim", arrow::utf8(), strings([&](const SummaryRow& r) {
                            return opt(r.persistentvolumeclaim);
                          })));
  ARROW_RETURN_NOT_OK(add("persistentvolume", arrow::utf8(),
                          strings([&](const SummaryRow& r) { return opt(r.persistentvolume); })));
  ARROW_RETURN_NOT_OK(add("storageclass", arrow::utf8(),
                          strings([&](const SummaryRow& r) { return opt(r.storageclass); })));
  ARROW_RETURN_NOT_OK(add("volume_labels", arrow::utf8(),
                          strings([&](const SummaryRow& r) { return opt(r.volume_labels); })));
  ARROW_RETURN_NOT_OK(add("all_labels", arrow::utf8(), strings([](const SummaryRow& r) {
                            return std::optional<std::string_view>(r.all_labels);
                          })));
  for (int m = static_cast<int>(Metric::kPersistentVolumeClaimCapacityGigabyte);
       m < static_cast<int>(kMetricCount); ++m) {
    ARROW_RETURN_NOT_OK(add(MetricColumnName(static_cast<Metric>(m)), arrow::float64(),
                            metric(static_cast<Metric>(m))));
  }
  ARROW_RETURN_NOT_OK(add("source_uuid", arrow::utf8(), strings([&](const SummaryRow&) {
                            return std::optional<std::string_view>(identity_.source_uuid);
                          })));
  ARROW_RETURN_NOT_OK(
      add("infrastructure_usage_cost", arrow::utf8(), strings([](const SummaryRow& r) {
            return r.has_infrastructure_usage_cost
                       ? std::optional<std::string_view>(kZeroInfrastructureUsageCost)
                       : std::nullopt;
          })));
  {
    arrow::Int32Builder b;
    for (const auto& r : rows) {
      ARROW_RETURN_NOT_OK(r.cost_category_id ? b.Append(*r.cost_category_id) : b.AppendNull());
    }
    ARROW_RETURN_NOT_OK(add("cost_category_id", arrow::int32(), b.Finish()));
  }
  auto table = arrow::Table::Make(arrow::schema(fields), arrays, static_cast<int64_t>(rows.size()));
  auto out = arrow::io::FileOutputStream::Open(path);
  if (!out.ok()) return SinkError("cannot write {}: {}", path, out.status().message());
  auto st = parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), *out, 1 << 20);
  if (st.ok()) st = (*out)->Close();
  if (!st.ok()) return SinkError("cannot write {}: {}", path, st.message());
  return Status::OK();
}

Status SummaryFilesWriter::Commit() {
  const fs::path month_dir = MonthDir();
  std::error_code ec;
  fs::create_directories(month_dir, ec);
  if (ec) return SinkError("cannot create {}: {}", month_dir.string(), ec.message());
  // koku's delete covers every day of the range, including days that now have no rows.
  for (Date d = start_; d <= end_; ++d) {
    for (const char* ext : {".csv", ".parquet"}) {
      fs::remove(month_dir / (FormatDate(d) + ext), ec);
    }
  }
  for (const auto& name : staged_) {
    fs::rename(fs::path(staging_dir_) / name, month_dir / name, ec);
    if (ec) return SinkError("cannot move {} into {}: {}", name, month_dir.string(), ec.message());
    files_written_.push_back((month_dir / name).string());
  }
  fs::remove_all(staging_dir_, ec);
  staging_dir_.clear();
  committed_ = true;
  return Status::OK();
}

}  // namespace ocpagg
