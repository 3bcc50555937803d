#include "ocpagg/run/ingest_run.h"

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

}  // namespace ocpagg
