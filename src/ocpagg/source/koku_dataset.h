#pragma once
// Finds the Parquet files of one source and month in koku's layout (docs/semantics.md "Parquet
// layout", koku/layout.h), on local disk or any filesystem Arrow knows by URI (s3://bucket/prefix).

#include <arrow/filesystem/filesystem.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/common/storage.h"
#include "ocpagg/source/counting_filesystem.h"
#include "ocpagg/source/koku_tables.h"

namespace ocpagg {

struct DatasetLocation {
  std::string root;     // local directory or s3://bucket/prefix holding data/parquet/...
  std::string account;  // empty: the only account present under the root
  std::string source_uuid;
  int year = 0;
  unsigned month = 0;
  S3Settings s3 = {};  // for an s3:// root (common/storage.h says where else they come from)
};

struct DatasetFiles {
  std::shared_ptr<arrow::fs::FileSystem> fs;  // counts what is read through it into `reads`
  std::shared_ptr<ReadCounters> reads;
  bool remote = false;  // an object store: reads are pre-buffered and coalesced
  std::string account;
  // Per InputTable, the .parquet files of the month, sorted by path (deterministic order).
  std::array<std::vector<std::string>, kInputTableCount> files;

  const std::vector<std::string>& of(InputTable t) const { return files[static_cast<int>(t)]; }
};

// Lists the files. A table without files is not an error (koku tolerates missing storage or
// label data); a root that does not exist, or holds no account, is a usage error; S3 refusing
// the keys, a missing bucket or an unreachable endpoint is ErrorKind::kSink.
Result<DatasetFiles> DiscoverDataset(const DatasetLocation& location);

}  // namespace ocpagg
