#pragma once
// A small streaming reader of POSIX tar archives (ustar, with pax "path" records and GNU long
// names), enough for the operator's payload tarballs. It reads forward only, so it works on a
// gzip-decompressing stream.

#include <arrow/io/interfaces.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ocpagg/common/status.h"

namespace ocpagg {

struct TarEntry {
  std::string path;  // as stored, without a leading "./"
  int64_t size = 0;
  bool regular_file = false;  // directories, links and others are listed but carry no data
};

class TarReader {
 public:
  // `archive` yields the uncompressed tar bytes; `archive_name` names it in error messages.
  TarReader(std::shared_ptr<arrow::io::InputStream> archive, std::string archive_name);

  // The next entry, or nullopt at the end of the archive. Skips whatever of the previous
  // entry's data was not read. Fails (bad input) on a corrupt or truncated archive.
  Result<std::optional<TarEntry>> Next();

  // The data of the current entry; valid until the next call to Next(). Reading past the
  // entry's end gives EOF; a truncated archive gives an error.
  std::shared_ptr<arrow::io::InputStream> OpenEntry();

  // Reads the whole current entry (at most `max_bytes`, else bad input).
  Result<std::string> ReadEntry(int64_t max_bytes);

 private:
  class EntryStream;
  Status ReadExact(int64_t n, uint8_t* out);
  Status Skip(int64_t n);

  std::shared_ptr<arrow::io::InputStream> archive_;
  std::string archive_name_;
  std::shared_ptr<EntryStream> current_;
  int64_t current_padding_ = 0;
  int64_t offset_ = 0;  // bytes consumed from the archive
};

}  // namespace ocpagg
