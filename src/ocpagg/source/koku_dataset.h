#pragma once
// Finds the Parquet files of one source and month in koku's layout (docs/semantics.md "Parquet
// layout", koku/layout.h), on local disk or any filesystem Arrow knows by URI (s3://bucket/prefix).

#include <arrow/filesystem/filesystem.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/source/koku_tables.h"

namespace ocpagg {

struct DatasetLocation {
  std::string root;     // local directory or URI holding data/parquet/...
  std::string account;  // empty: the only account present under the root
  std::string source_uuid;
  int year = 0;
  unsigned month = 0;
};

struct DatasetFiles {
  std::shared_ptr<arrow::fs::FileSystem> fs;
  std::string account;
  // Per InputTable, the .parquet files of the month, sorted by path (deterministic order).
  std::array<std::vector<std::string>, kInputTableCount> files;

  const std::vector<std::string>& of(InputTable t) const { return files[static_cast<int>(t)]; }
};

// Lists the files. A table without files is not an error (koku tolerates missing storage or
// label data); a root that does not exist, or holds no account, is a usage error.
Result<DatasetFiles> DiscoverDataset(const DatasetLocation& location);

}  // namespace ocpagg
