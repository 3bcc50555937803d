#pragma once
// An ingest as a program asks for it: the options of `ocpagg ingest` by the names its flags and
// the Python keyword arguments give them (--chunk-rows: chunk_rows), checked and mapped once,
// here, to IngestOptions, for the command (src/cli) and the Python module (src/python) alike.

#include <cstdint>
#include <string>

#include "ocpagg/common/status.h"
#include "ocpagg/common/stop_token.h"
#include "ocpagg/ingest/ingest.h"
#include "ocpagg/run/line_item_loader.h"
#include "ocpagg/run/s3_request.h"

namespace ocpagg {

// The named options of `ocpagg ingest`, with its defaults. `output` may be s3://bucket/prefix.
struct IngestRequest : S3Request {
  std::string payload;  // PAYLOAD
  std::string output;
  std::string config;  // --config FILE: its s3: section (the other sections are summarize's)
  // Or koku's on-prem PostgreSQL tables: libpq URL and tenant schema, created when missing
  // with create_schema.
  std::string postgres, schema;
  bool create_schema = false;
  std::string source;
  std::string account = IngestOptions{}.schema_name;
  int64_t manifest_id = IngestOptions{}.manifest_id;
  int64_t chunk_rows = IngestOptions{}.rows_per_chunk;
  int64_t row_group_rows = IngestOptions{}.row_group_rows;
};

// The options of the ingest `request` asks for (usage errors name the option); `stop`, if not
// null, must outlive the run.
Result<IngestOptions> IngestOptionsFor(const IngestRequest& request, const StopToken* stop);

// With --postgres: where the line items go (`stop` as above).
LineItemLoadOptions LoadOptionsFor(const IngestRequest& request, StopToken* stop);

// `ingest --postgres`: the payload converted as IngestPayload converts it, into a scratch
// directory (under $TMPDIR or /tmp; options.output_dir is ignored), then loaded into koku's
// on-prem tables in one transaction (run/line_item_loader.h). The report's files are the
// scratch files, gone when this returns.
Result<IngestReport> IngestToPostgres(IngestOptions options, const LineItemLoadOptions& load,
                                      LineItemLoadReport* loaded);

}  // namespace ocpagg
