#include <fmt/format.h>

#include <memory>

#include "cli/commands.h"
#include "ocpagg/koku/layout.h"
#include "ocpagg/run/ingest_run.h"

namespace ocpagg::cli {
namespace {

void PrintReport(const IngestOptions& o, const IngestReport& r) {
  fmt::print("ingested {} month payload(s) from {} in {:.2f}s\n", r.months, o.payload_path,
             r.elapsed_seconds);
  const std::string account = AccountFromSchema(o.schema_name);
  fmt::print("  {} files under {}/data/parquet[/daily]/{}/OCP/<report_type>/source={}/\n",
             r.files.size(), o.output_dir, account, o.source_uuid);
  fmt::print("  {:<17} {:>6} {:>10} {:>10} {:>7} {:>10} {:>7} {:>9}\n", "report type", "csvs",
             "csv rows", "hourly", "files", "daily", "files", "anomalies");
  int64_t total_rows = 0;
  for (auto t : {ReportType::kPodUsage, ReportType::kStorageUsage, ReportType::kNodeLabels,
                 ReportType::kNamespaceLabels}) {
    const ReportTypeCounts& c = r.of(t);
    total_rows += c.csv_rows;
    fmt::print("  {:<17} {:>6} {:>10} {:>10} {:>7} {:>10} {:>7} {:>9}\n", ReportTypeName(t),
               c.csv_files, c.csv_rows, c.hourly_rows, c.hourly_files, c.daily_rows, c.daily_files,
               c.anomalous_rows);
  }
  if (r.elapsed_seconds > 0) {
    fmt::print("  {:.0f} CSV rows/s\n", static_cast<double>(total_rows) / r.elapsed_seconds);
  }
  for (const SkippedReport& s : r.skipped) fmt::print("  skipped {}: {}\n", s.file, s.reason);
  for (const std::string& f : r.unlisted_files) {
    fmt::print("  ignored {}: not listed in its manifest.json\n", f);
  }
  if (r.bad_lines_skipped > 0) {
    fmt::print("  dropped {} line(s) with more fields than the header, as koku does\n",
               r.bad_lines_skipped);
  }
  if (!r.label_keys.empty()) {
    fmt::print("  label keys seen: {}\n", fmt::join(r.label_keys, ", "));
  }
}

void PrintFiles(const IngestOptions& o, const IngestReport& r) {
  for (const WrittenFile& f : r.files) {
    fmt::print("  {}/{} ({} rows)\n", o.output_dir, f.relative_path, f.rows);
  }
}

}  // namespace

void AddIngestCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<IngestRequest>();
  auto list_files = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "ingest",
      "Convert an operator CSV payload into koku's Parquet layout: hourly files and daily "
      "partial aggregates per 200,000-row chunk, as koku's processor writes them (see "
      "docs/semantics.md); or, with --postgres, into koku's on-prem line-item tables");
  cmd->add_option("PAYLOAD", o->payload,
                  "Operator payload: a month directory with manifest.json and the CSV reports "
                  "(nise --insights-upload writes <cluster>/<YYYYMMDD-YYYYMMDD>/), a directory "
                  "above such month directories, or a .tar.gz of one")
      ->required();
  cmd->add_option("--output,-o", o->output,
                  "Directory or s3://bucket/prefix that receives data/parquet/... (created if "
                  "missing; files of the same name are replaced; nothing is written when the "
                  "payload is bad)");
  cmd->add_option("--postgres", o->postgres,
                  "Instead of --output: koku's on-prem line-item tables in this PostgreSQL "
                  "(libpq URL), as koku's self-hosted processor fills them; one transaction, "
                  "the source's rows on the payload's days replaced");
  cmd->add_option("--schema", o->schema, "koku tenant schema with --postgres, e.g. org1234567");
  cmd->add_flag("--create-schema", o->create_schema,
                "With --postgres: create the schema and koku's eight on-prem line-item tables "
                "when missing (partitioned by month, koku's indexes, and ocpagg's index on the "
                "hourly pod table), in the load's transaction; existing tables are left as "
                "they are");
  cmd->add_option("--source", o->source,
                  "Source (provider) UUID: the source=<uuid> partition koku files the data under")
      ->required();
  cmd->add_option("--account", o->account,
                  "Tenant schema name; the account folder is the name without a leading 'acct'")
      ->capture_default_str();
  cmd->add_option("--manifest-id", o->manifest_id,
                  "koku's manifest id, used in the names of per-day split files "
                  "({report_type}.{YYYY-MM-DD}.{manifest_id}.{n})")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--chunk-rows", o->chunk_rows,
                  "CSV rows per hourly/daily file pair (koku's PARQUET_PROCESSING_BATCH_SIZE)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--row-group-rows", o->row_group_rows, "Rows per Parquet row group")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--config", o->config,
                  "YAML settings file: its s3: section (as for summarize); OCPAGG_S3_* "
                  "environment variables override it and flags override both")
      ->check(CLI::ExistingFile);
  AddS3Options(*cmd, *o);
  cmd->add_flag("--list-files", *list_files, "Also print every file written");
  cmd->add_flag("--quiet,-q", *quiet, "Print nothing on success");
  cmd->callback([o, list_files, quiet, exit_code] {
    auto options = IngestOptionsFor(*o, &ProcessStopToken());
    if (!options.ok()) {
      *exit_code = ReportError(options.status());
      return;
    }
    if (!o->postgres.empty()) {
      LineItemLoadReport loaded;
      auto report = IngestToPostgres(*options, LoadOptionsFor(*o, &ProcessStopToken()), &loaded);
      if (!report.ok()) {
        *exit_code = ReportError(report.status());
        return;
      }
      if (!*quiet) {
        fmt::print("ingested {} month payload(s) from {} in {:.2f}s\n", report->months,
                   options->payload_path, report->elapsed_seconds);
        fmt::print("  {} line-item rows into schema {} ({} rows of the same days replaced)\n",
                   loaded.rows, o->schema, loaded.rows_deleted);
      }
      *exit_code = 0;
      return;
    }
    auto report = IngestPayload(*options);
    if (!report.ok()) {
      *exit_code = ReportError(report.status());
      return;
    }
    if (!*quiet) {
      PrintReport(*options, *report);
      if (*list_files) PrintFiles(*options, *report);
    }
    *exit_code = 0;
  });
}

}  // namespace ocpagg::cli
