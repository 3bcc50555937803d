// manifest.json text through ParseManifest (src/ocpagg/ingest/manifest.h). A manifest that
// parses must name only files that are safe to join to the payload directory: ingest opens
// `dir / name` for each of them.

#include "fuzz_common.h"
#include "ocpagg/ingest/manifest.h"
#include "ocpagg/koku/date.h"

using namespace ocpagg;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto manifest = ParseManifest(fuzz::AsText(data, size), "manifest.json");
  if (!manifest.ok()) return 0;
  for (const std::string& name : manifest->files) {
    FUZZ_CHECK(!name.empty() && name != "." && name != "..");
    FUZZ_CHECK(name.find('/') == std::string::npos && name.find('\\') == std::string::npos);
  }
  // The date is a calendar date ParseDate accepted: it prints and reads back the same.
  const std::string date = FormatDate(manifest->date);
  FUZZ_CHECK(ParseDate(date) == manifest->date);
  (void)manifest->SplitsFilesPerDay();
  return 0;
}
