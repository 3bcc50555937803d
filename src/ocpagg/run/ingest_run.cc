#include "ocpagg/run/ingest_run.h"

#include <cstdlib>
#include <filesystem>

#include "ocpagg/common/scratch_dir.h"
#include "ocpagg/engine/config.h"

namespace ocpagg {

Result<IngestOptions> IngestOptionsFor(const IngestRequest& request, const StopToken* stop) {
  if (request.manifest_id < 0) {
    return UsageError("--manifest-id must not be negative, got {}", request.manifest_id);
  }
  if (request.chunk_rows < 1) {
    return UsageError("--chunk-rows must be positive, got {}", request.chunk_rows);
  }
  if (request.row_group_rows < 1) {
    return UsageError("--row-group-rows must be positive, got {}", request.row_group_rows);
  }
  if (request.postgres.empty() == request.output.empty()) {
    return UsageError("give either --output DIR (Parquet) or --postgres URL (with --schema)");
  }
  if (!request.postgres.empty() && request.schema.empty()) {
    return UsageError("--postgres needs --schema (the koku tenant schema, e.g. org1234567)");
  }
  if (request.create_schema && request.postgres.empty()) {
    return UsageError("--create-schema needs --postgres (it creates koku's on-prem tables)");
  }
  Config config;
  if (!request.config.empty()) {
    ARROW_ASSIGN_OR_RAISE(config, LoadConfigFile(request.config));
  }
  ARROW_RETURN_NOT_OK(ApplyEnvironment(config));
  IngestOptions o;
  ARROW_ASSIGN_OR_RAISE(o.output_s3, S3SettingsFor(request, config));
  o.payload_path = request.payload;
  o.output_dir = request.output;
  o.source_uuid = request.source;
  o.schema_name = request.account;
  o.manifest_id = request.manifest_id;
  o.rows_per_chunk = request.chunk_rows;
  o.row_group_rows = request.row_group_rows;
  o.stop = stop;
  return o;
}

LineItemLoadOptions LoadOptionsFor(const IngestRequest& request, StopToken* stop) {
  LineItemLoadOptions load;
  load.url = request.postgres;
  load.schema = request.schema;
  load.source_uuid = request.source;
  load.manifest_id = request.manifest_id;
  load.create_schema = request.create_schema;
  load.connection.stop = stop;
  return load;
}

Result<IngestReport> IngestToPostgres(IngestOptions options, const LineItemLoadOptions& load,
                                      LineItemLoadReport* loaded) {
  const char* tmp = std::getenv("TMPDIR");
  const std::string parent = tmp && *tmp ? tmp : "/tmp";
  constexpr std::string_view kPrefix = "ocpagg-ingest-";
  RemoveStaleScratch(parent, kPrefix);
  ARROW_ASSIGN_OR_RAISE(options.output_dir, MakeScratchDir(parent, kPrefix));
  struct Remove {
    std::string dir;
    ~Remove() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } remove{options.output_dir};
  ARROW_ASSIGN_OR_RAISE(IngestReport report, IngestPayload(options));
  std::vector<LineItemFile> files;
  for (const WrittenFile& f : report.files) {
    files.push_back({KokuTable{f.type, f.daily}, options.output_dir + "/" + f.relative_path});
  }
  ARROW_ASSIGN_OR_RAISE(*loaded, LoadLineItems(files, load));
  return report;
}

}  // namespace ocpagg
