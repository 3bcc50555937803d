#pragma once
// Finds the operator report files of a payload: a month directory holding manifest.json and
// its CSVs (what `nise report ocp --insights-upload` writes under <cluster>/<YYYYMMDD-YYYYMMDD>/),
// a directory above one or more such month directories, or a .tar.gz (or .tar) of either.

#include <arrow/io/interfaces.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/ingest/csv_locator.h"
#include "ocpagg/ingest/manifest.h"

namespace ocpagg {

// One manifest and the place it came from.
struct MonthPayload {
  std::string location;  // the directory, or "archive.tar.gz:dir" (messages and identity)
  PayloadManifest manifest;
};

// One CSV listed in a manifest, opened for reading.
struct ReportFileInput {
  std::string name;          // as listed in manifest.json
  std::string display_name;  // where it is, for messages
  std::shared_ptr<arrow::io::InputStream> stream;
  // Opens the file again from its first byte, independently of `stream` (an archive is read
  // again up to the entry): errors use it to find the line they are on.
  StreamOpener reopen;
};

using ReportFileVisitor = std::function<Status(const MonthPayload&, ReportFileInput&)>;

struct PayloadWalk {
  int months = 0;
  std::vector<std::string> unlisted_files;  // files next to a manifest that it does not list
};

// Calls `visit` once per file listed in a manifest: for directories in path order then
// manifest order (koku's order), for archives in archive order (read forward only, twice: once
// for the manifests, once for the data). Fails with bad input when no manifest.json is found,
// a manifest is invalid, or it lists a file the payload lacks; with a usage error when `path`
// does not exist.
Result<PayloadWalk> WalkPayload(const std::string& path, const ReportFileVisitor& visit);

}  // namespace ocpagg
