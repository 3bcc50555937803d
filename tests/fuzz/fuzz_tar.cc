// A payload archive (.tar or .tar.gz) through WalkPayload (src/ocpagg/ingest/payload.h), the
// path `ocpagg ingest` takes: gzip sniffed from the first bytes, TarReader (ustar, pax and GNU
// long names) read forward twice, manifest.json entries parsed, then each listed CSV entry read
// as a stream. WalkPayload opens archives by path, so the bytes go to a file first.
//
// Half of the entries are read to their end and half only in part, since ingest also leaves
// entries unread (an empty header line, a file it skips) and the reader must then skip the rest.

#include <arrow/io/buffered.h>
#include <arrow/memory_pool.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_common.h"
#include "ocpagg/ingest/payload.h"

using namespace ocpagg;

namespace {

namespace fs = std::filesystem;

// One file per process in $TMPDIR (scripts/fuzz points it at its own scratch directory).
class ArchiveFile {
 public:
  ArchiveFile()
      : path_((fs::temp_directory_path() / ("ocpagg-fuzz-tar-" + std::to_string(getpid())))
                  .string()) {}
  ~ArchiveFile() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  const std::string& Write(const uint8_t* data, size_t size) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    FUZZ_CHECK(out.good());
    return path_;
  }

 private:
  std::string path_;
};

// Reads an entry as ingest's CSV reader does, through a buffered stream; `whole` false stops
// after the first buffer. Past the end, the entry keeps giving EOF.
Status ReadEntry(ReportFileInput& file, bool whole) {
  ARROW_ASSIGN_OR_RAISE(auto buffered, arrow::io::BufferedInputStream::Create(
                                           4096, arrow::default_memory_pool(), file.stream));
  ARROW_ASSIGN_OR_RAISE(std::string_view peeked, buffered->Peek(100));
  fuzz::Touch(peeked);
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto chunk, buffered->Read(3000));
    fuzz::Touch(std::string_view(*chunk));
    if (chunk->size() == 0) break;
    if (!whole) return Status::OK();
  }
  ARROW_ASSIGN_OR_RAISE(auto after_end, buffered->Read(10));
  FUZZ_CHECK(after_end->size() == 0);
  return Status::OK();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static ArchiveFile archive;
  const std::string& path = archive.Write(data, size);
  int visited = 0;
  auto walk = WalkPayload(path, [&](const MonthPayload&, ReportFileInput& file) {
    FUZZ_CHECK(!file.name.empty() && file.name.find('/') == std::string::npos);
    return ReadEntry(file, visited++ % 2 == 0);
  });
  if (walk.ok()) FUZZ_CHECK(walk->months > 0);
  return 0;
}
