#include "ocpagg/run/ingest_run.h"

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
  IngestOptions o;
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
