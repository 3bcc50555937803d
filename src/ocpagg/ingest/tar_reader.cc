#include "ocpagg/ingest/tar_reader.h"

#include <arrow/buffer.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

namespace ocpagg {

namespace {

constexpr int64_t kBlock = 512;

std::string_view Field(const uint8_t* block, size_t offset, size_t length) {
  const char* p = reinterpret_cast<const char*>(block) + offset;
  size_t n = 0;
  while (n < length && p[n] != '\0') ++n;
  return {p, n};
}

// Octal (NUL/space terminated) or GNU base-256 numbers.
std::optional<int64_t> ParseNumber(const uint8_t* block, size_t offset, size_t length) {
  const uint8_t* p = block + offset;
  if (p[0] & 0x80) {
    int64_t v = p[0] & 0x7F;
    for (size_t i = 1; i < length; ++i) v = (v << 8) | p[i];
    return v;
  }
  int64_t v = 0;
  size_t i = 0;
  while (i < length && p[i] == ' ') ++i;
  bool any = false;
  for (; i < length && p[i] >= '0' && p[i] <= '7'; ++i) {
    v = v * 8 + (p[i] - '0');
    any = true;
  }
  if (i < length && p[i] != ' ' && p[i] != '\0') return std::nullopt;
  if (!any) return 0;
  return v;
}

bool ChecksumMatches(const uint8_t* block) {
  auto stored = ParseNumber(block, 148, 8);
  if (!stored) return false;
  int64_t unsigned_sum = 0;
  for (int64_t i = 0; i < kBlock; ++i) {
    unsigned_sum += (i >= 148 && i < 156) ? ' ' : block[i];
  }
  return unsigned_sum == *stored;
}

// The "path" record of a pax extended header ("<len> path=<value>\n" records).
std::optional<std::string> PaxPath(std::string_view records) {
  std::optional<std::string> path;
  while (!records.empty()) {
    size_t space = records.find(' ');
    if (space == std::string_view::npos) break;
    size_t length = 0;
    for (char c : records.substr(0, space)) {
      if (c < '0' || c > '9') return path;
      length = length * 10 + static_cast<size_t>(c - '0');
    }
    if (length <= space + 1 || length > records.size()) break;
    std::string_view record = records.substr(space + 1, length - space - 2);  // drop '\n'
    if (record.starts_with("path=")) path = std::string(record.substr(5));
    records.remove_prefix(length);
  }
  return path;
}

}  // namespace

// Reads the current entry's bytes from the archive stream, never past the entry's end.
class TarReader::EntryStream : public arrow::io::InputStream {
 public:
  EntryStream(TarReader* reader, int64_t size) : reader_(reader), remaining_(size) {}

  arrow::Status Close() override {
    closed_ = true;
    return arrow::Status::OK();
  }
  bool closed() const override { return closed_; }
  arrow::Result<int64_t> Tell() const override { return position_; }

  arrow::Result<int64_t> Read(int64_t nbytes, void* out) override {
    if (detached_) return InternalError("tar entry read after the next entry began");
    const int64_t n = std::min(nbytes, remaining_);
    if (n <= 0) return 0;
    ARROW_RETURN_NOT_OK(reader_->ReadExact(n, static_cast<uint8_t*>(out)));
    remaining_ -= n;
    position_ += n;
    return n;
  }

  arrow::Result<std::shared_ptr<arrow::Buffer>> Read(int64_t nbytes) override {
    ARROW_ASSIGN_OR_RAISE(auto buffer, arrow::AllocateResizableBuffer(
                                           std::min(nbytes, std::max<int64_t>(remaining_, 0))));
    ARROW_ASSIGN_OR_RAISE(int64_t n, Read(buffer->size(), buffer->mutable_data()));
    ARROW_RETURN_NOT_OK(buffer->Resize(n));
    return std::shared_ptr<arrow::Buffer>(std::move(buffer));
  }

  int64_t remaining() const { return remaining_; }
  void Detach() { detached_ = true; }

 private:
  TarReader* reader_;
  int64_t remaining_;
  int64_t position_ = 0;
  bool closed_ = false;
  bool detached_ = false;
};

TarReader::TarReader(std::shared_ptr<arrow::io::InputStream> archive, std::string archive_name)
    : archive_(std::move(archive)), archive_name_(std::move(archive_name)) {}

Status TarReader::ReadExact(int64_t n, uint8_t* out) {
  int64_t done = 0;
  while (done < n) {
    auto got = archive_->Read(n - done, out + done);
    if (!got.ok()) {
      return BadInput("{}: cannot read the archive at byte {}: {}", archive_name_, offset_ + done,
                      got.status().message());
    }
    if (*got == 0) {
      return BadInput("{}: the archive is truncated (it ends at byte {} inside an entry)",
                      archive_name_, offset_ + done);
    }
    done += *got;
  }
  offset_ += n;
  return Status::OK();
}

Status TarReader::Skip(int64_t n) {
  std::array<uint8_t, 64 * 1024> scratch;
  while (n > 0) {
    int64_t step = std::min<int64_t>(n, scratch.size());
    ARROW_RETURN_NOT_OK(ReadExact(step, scratch.data()));
    n -= step;
  }
  return Status::OK();
}

std::shared_ptr<arrow::io::InputStream> TarReader::OpenEntry() { return current_; }

Result<std::string> TarReader::ReadEntry(int64_t max_bytes) {
  if (!current_) return std::string();
  if (current_->remaining() > max_bytes) {
    return BadInput("{}: an entry is larger than {} bytes", archive_name_, max_bytes);
  }
  std::string data(static_cast<size_t>(current_->remaining()), '\0');
  ARROW_ASSIGN_OR_RAISE(int64_t n, current_->Read(static_cast<int64_t>(data.size()), data.data()));
  data.resize(static_cast<size_t>(n));
  return data;
}

Result<std::optional<TarEntry>> TarReader::Next() {
  if (current_) {
    ARROW_RETURN_NOT_OK(Skip(current_->remaining() + current_padding_));
    current_->Detach();
    current_.reset();
  }
  std::optional<std::string> long_name;
  std::array<uint8_t, kBlock> block;
  while (true) {
    // A clean end of stream before any header is an end of archive without the two zero
    // blocks; tolerate it like GNU tar does.
    auto got = archive_->Read(kBlock, block.data());
    if (!got.ok()) {
      return BadInput("{}: cannot read the archive at byte {}: {}", archive_name_, offset_,
                      got.status().message());
    }
    if (*got == 0) return std::nullopt;
    if (*got < kBlock) {
      int64_t have = *got;
      offset_ += have;
      ARROW_RETURN_NOT_OK(ReadExact(kBlock - have, block.data() + have));
    } else {
      offset_ += kBlock;
    }
    if (std::all_of(block.begin(), block.end(), [](uint8_t b) { return b == 0; })) {
      return std::nullopt;
    }
    if (!ChecksumMatches(block.data())) {
      return BadInput("{}: not a tar archive, or corrupt (bad header checksum at byte {})",
                      archive_name_, offset_ - kBlock);
    }
    auto size = ParseNumber(block.data(), 124, 12);
    if (!size || *size < 0) {
      return BadInput("{}: bad entry size in the header at byte {}", archive_name_,
                      offset_ - kBlock);
    }
    const char type = static_cast<char>(block[156]);
    const int64_t padding = (kBlock - *size % kBlock) % kBlock;
    if (type == 'x' || type == 'L') {
      if (*size > (1 << 20)) {
        return BadInput("{}: oversized extended header at byte {}", archive_name_,
                        offset_ - kBlock);
      }
      std::string data(static_cast<size_t>(*size), '\0');
      ARROW_RETURN_NOT_OK(ReadExact(*size, reinterpret_cast<uint8_t*>(data.data())));
      ARROW_RETURN_NOT_OK(Skip(padding));
      if (type == 'L') {
        long_name = std::string(data.c_str());
      } else if (auto path = PaxPath(data)) {
        long_name = *path;
      }
      continue;
    }
    if (type == 'g') {  // pax global header: nothing we need
      ARROW_RETURN_NOT_OK(Skip(*size + padding));
      continue;
    }
    TarEntry entry;
    if (long_name) {
      entry.path = *long_name;
    } else {
      std::string_view name = Field(block.data(), 0, 100);
      std::string_view prefix =
          Field(block.data(), 257, 6) == "ustar" ? Field(block.data(), 345, 155) : "";
      entry.path =
          prefix.empty() ? std::string(name) : std::string(prefix) + "/" + std::string(name);
    }
    while (entry.path.starts_with("./")) entry.path.erase(0, 2);
    entry.regular_file = type == '0' || type == '\0' || type == '7';
    // Only regular files carry data; the others' size field says nothing about the stream.
    entry.size = entry.regular_file ? *size : 0;
    if (!entry.regular_file && (type == '1' || type == '2' || type == '5')) {
      // links and directories have no data
    } else if (!entry.regular_file) {
      entry.size = 0;
      ARROW_RETURN_NOT_OK(Skip(*size + padding));
    }
    current_ = std::make_shared<EntryStream>(this, entry.size);
    current_padding_ = entry.regular_file ? padding : 0;
    return entry;
  }
}

}  // namespace ocpagg
