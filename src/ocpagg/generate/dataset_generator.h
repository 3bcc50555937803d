#pragma once
// Synthetic koku-layout Parquet at any scale, for benchmarks and property tests.
//
// Rows are made as an operator would report them and written by ingest's writers
// (ingest/file_unit_writer.h), so the files are what `ingest` makes of such a payload
// (docs/semantics.md "Daily partial aggregates", "Parquet layout"): hourly pod usage in files of
// `chunk_rows` rows (koku's 200,000-row CSV chunks), and beside each hourly file the daily partial
// aggregate of that same chunk, so one pod appears in several daily rows of a day, exactly as in
// koku. Storage, node-label and namespace-label reports are one unit a day, each row covering the
// whole day. Pods spread over nodes and namespaces, label sets repeat, some claims are shared by
// pods on two nodes, and every pod runs 24 hours a day. Output is deterministic for a seed; memory
// is bounded by one chunk. Files appear under output_dir only once all are written.

#include <cstdint>
#include <string>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/date.h"

namespace ocpagg {

struct GenerateOptions {
  std::string output_dir;             // receives data/parquet/...
  int64_t pod_hour_rows = 1'000'000;  // target; rounded to whole pods x hours
  uint64_t seed = 1;
  std::string source_uuid = "00000000-0000-0000-0000-000000000001";
  std::string account = "org1234567";
  int year = 2025;
  unsigned month = 10;
  int days = 0;                  // 0: the whole month
  int64_t chunk_rows = 200'000;  // rows per hourly file (koku's CSV chunk size)
  int pods_per_node = 60;
  int pods_per_namespace = 25;
  int label_sets = 40;         // distinct pod label sets
  int pods_per_claim = 5;      // one claim per this many pods
  bool scramble_rows = false;  // hourly rows in a scrambled order across files and days
};

struct GenerateReport {
  int64_t pods = 0, nodes = 0, namespaces = 0, claims = 0;
  int64_t pod_hour_rows = 0, pod_daily_rows = 0, storage_daily_rows = 0;
  int64_t files = 0;
  int64_t bytes = 0;
};

Result<GenerateReport> GenerateDataset(const GenerateOptions& options);

}  // namespace ocpagg
