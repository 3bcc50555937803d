#include "ocpagg/ingest/ingest.h"

#include <arrow/io/buffered.h>
#include <arrow/record_batch.h>

#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <numeric>

#include "ocpagg/ingest/batch_converter.h"
#include "ocpagg/ingest/label_json_cache.h"
#include "ocpagg/ingest/operator_csv.h"
#include "ocpagg/ingest/output_staging.h"
#include "ocpagg/ingest/payload.h"
#include "ocpagg/ingest/report_columns.h"
#include "ocpagg/ingest/write_queue.h"
#include "ocpagg/koku/identifiers.h"
#include "ocpagg/koku/layout.h"

namespace ocpagg {
namespace {

// koku names a whole-file unit after the CSV: csv_filename.name.replace(".csv", "").
std::string CsvBaseOf(std::string_view file_name) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t hit = file_name.find(".csv", pos);
    out.append(file_name.substr(pos, hit == std::string_view::npos ? hit : hit - pos));
    if (hit == std::string_view::npos) break;
    pos = hit + 4;
  }
  return out;
}

std::string MissingColumnsHint(const std::vector<std::string>& header) {
  // Name the closest type: the one with the fewest missing required columns.
  std::string best;
  size_t best_missing = SIZE_MAX;
  for (auto t : {ReportType::kPodUsage, ReportType::kStorageUsage, ReportType::kNodeLabels,
                 ReportType::kNamespaceLabels}) {
    std::vector<std::string_view> missing;
    for (std::string_view c : RequiredColumns(t)) {
      if (std::find(header.begin(), header.end(), c) == header.end()) missing.push_back(c);
    }
    if (missing.size() < best_missing) {
      best_missing = missing.size();
      best = fmt::format("closest is {}, which also needs {}", ReportTypeName(t),
                         fmt::join(missing, ", "));
    }
  }
  return best;
}

// Converts the payload file by file into staged Parquet.
class PayloadIngester {
 public:
  PayloadIngester(const IngestOptions& options, OutputStaging* staging, IngestReport* report)
      : options_(options), staging_(staging), report_(report) {
    unit_options_.account = AccountFromSchema(options.schema_name);
    unit_options_.source_uuid = options.source_uuid;
    unit_options_.rows_per_chunk = options.rows_per_chunk;
    unit_options_.row_group_rows = options.row_group_rows;
  }

  Status ProcessFile(const MonthPayload& month, ReportFileInput& file) {
    ARROW_ASSIGN_OR_RAISE(auto buffered, arrow::io::BufferedInputStream::Create(
                                             1 << 16, arrow::default_memory_pool(), file.stream));
    ARROW_ASSIGN_OR_RAISE(auto header, PeekCsvHeader(buffered.get(), file.display_name));
    if (!header) {
      report_->skipped.push_back({file.display_name, "empty file"});
      return Status::OK();
    }
    auto type = DetectReportType(*header);
    if (!type) {
      return BadInput("{}: line 1: the header matches no koku report type ({})", file.display_name,
                      MissingColumnsHint(*header));
    }
    if (*type == ReportType::kVmUsage || *type == ReportType::kGpuUsage) {
      report_->skipped.push_back(
          {file.display_name, fmt::format("{}: not used by the summary", ReportTypeName(*type))});
      return Status::OK();
    }
    auto columns = ReportColumns::Make(*type, *header);
    if (!columns.ok()) return WithContext(columns.status(), file.display_name);

    OperatorCsvOptions csv_options;
    csv_options.block_bytes = options_.csv_block_bytes;
    ARROW_ASSIGN_OR_RAISE(auto reader, OperatorCsvReader::Open(buffered, *header, file.display_name,
                                                               csv_options, file.reopen));
    BatchConverter converter(
        *columns, file.display_name, &labels_,
        [&reader](int64_t row, int column) { return reader->LineOfRowField(row, column); });
    const bool per_day = month.manifest.SplitsFilesPerDay();
    std::unique_ptr<FileUnitWriter> whole;
    std::map<Date, std::unique_ptr<FileUnitWriter>> days;
    if (!per_day) {
      whole = std::make_unique<FileUnitWriter>(
          *columns, FileUnitName{CsvBaseOf(file.name), month.manifest.date}, unit_options_,
          staging_, &report_->files, &writes_);
    }

    ConvertedBatch batch;
    std::vector<int32_t> all_rows;
    std::map<Date, std::vector<int32_t>> rows_by_day;
    int64_t next_row_number = 1;
    while (true) {
      ARROW_RETURN_NOT_OK(CheckStop(options_.stop));
      ARROW_ASSIGN_OR_RAISE(auto csv_batch, reader->Next());
      if (!csv_batch) break;
      const int64_t n = csv_batch->num_rows();
      ARROW_RETURN_NOT_OK(converter.Convert(std::move(csv_batch), next_row_number, &batch));
      next_row_number += n;
      if (!per_day) {
        all_rows.resize(n);
        std::iota(all_rows.begin(), all_rows.end(), 0);
        ARROW_RETURN_NOT_OK(whole->Append(batch, all_rows));
        continue;
      }
      // divide_csv_daily: one unit per day of interval_start, rows kept in CSV order.
      for (auto& [day, rows] : rows_by_day) rows.clear();
      for (int32_t i = 0; i < n; ++i) rows_by_day[batch.day[i]].push_back(i);
      for (auto& [day, rows] : rows_by_day) {
        if (rows.empty()) continue;
        auto& unit = days[day];
        if (!unit) unit = MakeDayUnit(month, file.name, *columns, day);
        ARROW_RETURN_NOT_OK(unit->Append(batch, rows));
      }
    }

    ReportTypeCounts& counts = report_->by_type[static_cast<int>(*type)];
    int64_t rows = 0;
    auto finish = [&](FileUnitWriter& unit) -> Status {
      ARROW_RETURN_NOT_OK(unit.Finish());
      rows += unit.csv_rows();
      counts.anomalous_rows += unit.anomalous_rows();
      return Status::OK();
    };
    if (whole) ARROW_RETURN_NOT_OK(finish(*whole));
    for (auto& [day, unit] : days) ARROW_RETURN_NOT_OK(finish(*unit));
    counts.csv_files += 1;
    counts.csv_rows += rows;
    report_->bad_lines_skipped += reader->bad_lines_skipped();
    if (rows == 0) report_->skipped.push_back({file.display_name, "header only, no rows"});
    return Status::OK();
  }

  Status Finish() {
    ARROW_RETURN_NOT_OK(writes_.Drain());
    ARROW_RETURN_NOT_OK(AssignDayUnitNames());
    for (const WrittenFile& f : report_->files) {
      ReportTypeCounts& counts = report_->by_type[static_cast<int>(f.type)];
      (f.daily ? counts.daily_rows : counts.hourly_rows) += f.rows;
      (f.daily ? counts.daily_files : counts.hourly_files) += 1;
    }
    report_->label_keys.assign(labels_.label_keys().begin(), labels_.label_keys().end());
    std::sort(report_->label_keys.begin(), report_->label_keys.end());
    return Status::OK();
  }

 private:
  // koku's per-day file name is {report_type}.{YYYY-MM-DD}.{manifest_id}.{n}, where n counts
  // the files before this one, in manifest order, that had rows of the same type and day
  // (divide_csv_daily's report_tracker). Archives are read in archive order, so units get a
  // provisional name here and their final one in AssignDayUnitNames.
  std::unique_ptr<FileUnitWriter> MakeDayUnit(const MonthPayload& month, const std::string& file,
                                              const ReportColumns& columns, Date day) {
    std::string prefix = fmt::format("{}.{}.{}", ReportTypeName(columns.type), FormatDate(day),
                                     options_.manifest_id);
    int& seen = day_units_seen_[month.location][prefix];
    FileUnitName name{fmt::format("{}.{}", prefix, seen), day};
    ++seen;
    const auto& files = month.manifest.files;
    size_t file_index =
        static_cast<size_t>(std::find(files.begin(), files.end(), file) - files.begin());
    day_units_.push_back({month.location, std::move(prefix), file_index, name.csv_base});
    return std::make_unique<FileUnitWriter>(columns, std::move(name), unit_options_, staging_,
                                            &report_->files, &writes_);
  }

  Status AssignDayUnitNames() {
    std::map<std::pair<std::string, std::string>, std::vector<const DayUnit*>> groups;
    for (const DayUnit& u : day_units_) groups[{u.month, u.prefix}].push_back(&u);
    std::map<std::string, std::string> renames;  // provisional csv_base -> final
    for (auto& [key, units] : groups) {
      std::stable_sort(units.begin(), units.end(), [](const DayUnit* a, const DayUnit* b) {
        return a->file_index < b->file_index;
      });
      for (size_t n = 0; n < units.size(); ++n) {
        std::string final_base = fmt::format("{}.{}", key.second, n);
        if (final_base != units[n]->provisional_base) {
          renames[units[n]->provisional_base] = final_base;
        }
      }
    }
    if (renames.empty()) return Status::OK();
    // Two steps, since the new names are a permutation of the provisional ones.
    std::vector<std::pair<WrittenFile*, std::string>> moves;
    for (WrittenFile& f : report_->files) {
      auto it = renames.find(f.csv_base);
      if (it == renames.end()) continue;
      size_t slash = f.relative_path.rfind('/');
      std::string dir = f.relative_path.substr(0, slash + 1);
      std::string suffix = f.relative_path.substr(slash + 1 + f.csv_base.size());
      std::string parked = dir + ".renaming." + f.csv_base + suffix;
      ARROW_RETURN_NOT_OK(staging_->Rename(f.relative_path, parked));
      f.relative_path = parked;
      f.csv_base = it->second;
      moves.emplace_back(&f, dir + it->second + suffix);
    }
    for (auto& [file, target] : moves) {
      ARROW_RETURN_NOT_OK(staging_->Rename(file->relative_path, target));
      file->relative_path = target;
    }
    return Status::OK();
  }

  struct DayUnit {
    std::string month;
    std::string prefix;
    size_t file_index;
    std::string provisional_base;
  };

  const IngestOptions& options_;
  OutputStaging* staging_;
  IngestReport* report_;
  FileUnitOptions unit_options_;
  std::map<std::string, std::map<std::string, int>> day_units_seen_;
  std::vector<DayUnit> day_units_;
  LabelJsonCache labels_;
  WriteQueue writes_;
};

Status ValidateOptions(const IngestOptions& o) {
  if (o.payload_path.empty()) return UsageError("no payload given");
  if (o.output_dir.empty()) return UsageError("--output is required");
  if (!IsUuid(o.source_uuid)) {
    return UsageError("--source '{}' is not a UUID (8-4-4-4-12 hexadecimal digits)", o.source_uuid);
  }
  if (!IsAccountName(o.schema_name)) {
    return UsageError(
        "--account '{}' is not an account name (letters, digits, '_' and '-', at most 63)",
        o.schema_name);
  }
  if (o.rows_per_chunk <= 0 || o.row_group_rows <= 0 || o.csv_block_bytes < 1024 ||
      o.csv_block_bytes > (1 << 30)) {
    return UsageError("chunk, row group and block sizes must be positive");
  }
  return Status::OK();
}

}  // namespace

Result<IngestReport> IngestPayload(const IngestOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  ARROW_RETURN_NOT_OK(ValidateOptions(options));
  ARROW_ASSIGN_OR_RAISE(auto staging, OutputStaging::Create(options.output_dir, options.output_s3));
  IngestReport report;
  PayloadIngester ingester(options, staging.get(), &report);
  ARROW_ASSIGN_OR_RAISE(
      PayloadWalk walk,
      WalkPayload(options.payload_path, [&](const MonthPayload& month, ReportFileInput& file) {
        return ingester.ProcessFile(month, file);
      }));
  ARROW_RETURN_NOT_OK(ingester.Finish());
  ARROW_RETURN_NOT_OK(CheckStop(options.stop));
  ARROW_RETURN_NOT_OK(staging->Commit());
  report.months = walk.months;
  report.unlisted_files = std::move(walk.unlisted_files);
  report.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace ocpagg
