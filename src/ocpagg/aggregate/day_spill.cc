#include "ocpagg/aggregate/day_spill.h"

#include <absl/container/flat_hash_map.h>
#include <absl/hash/hash.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace ocpagg {
namespace {

// Record tags.
constexpr char kRun = 'R';
constexpr char kString = 'S';
constexpr char kLabels = 'L';
constexpr char kPodGroup = 'P';
constexpr char kMount = 'M';
constexpr char kStorageGroup = 'T';

// Local label ids 0 and 1 are the empty and the NULL set in every run.
constexpr uint32_t kFirstLocalLabel = 2;
constexpr size_t kFlushBytes = 16 * 1024;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutBytes(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

void PutDouble(std::string& out, double v) {
  char b[sizeof(double)];
  std::memcpy(b, &v, sizeof(double));
  out.append(b, sizeof(double));
}

void PutOptionalDoubles(std::string& out, const std::optional<double>& a,
                        const std::optional<double>& b) {
  out.push_back(static_cast<char>((a ? 1 : 0) | (b ? 2 : 0)));
  if (a) PutDouble(out, *a);
  if (b) PutDouble(out, *b);
}

// Sequential reads of one stream file.
class StreamReader {
 public:
  explicit StreamReader(std::FILE* f, const std::string& path) : f_(f), path_(path) {}

  bool AtEnd() {
    const int c = getc_unlocked(f_);
    if (c == EOF) return true;
    ungetc(c, f_);
    return false;
  }
  Result<char> Byte() {
    const int c = getc_unlocked(f_);
    if (c == EOF) return Truncated();
    return static_cast<char>(c);
  }
  Result<uint64_t> Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const int c = getc_unlocked(f_);
      if (c == EOF) return Truncated();
      v |= static_cast<uint64_t>(c & 0x7F) << shift;
      if ((c & 0x80) == 0) return v;
    }
    return Corrupt("an overlong number");
  }
  Result<uint32_t> Id(size_t limit) {
    ARROW_ASSIGN_OR_RAISE(uint64_t v, Varint());
    if (v >= limit) return Corrupt("an undefined id");
    return static_cast<uint32_t>(v);
  }
  Status Bytes(std::string& out) {
    ARROW_ASSIGN_OR_RAISE(uint64_t n, Varint());
    out.resize(n);
    if (n > 0 && std::fread(out.data(), 1, n, f_) != n) return Truncated();
    return Status::OK();
  }
  Result<double> Double() {
    double v = 0;
    if (std::fread(&v, 1, sizeof(double), f_) != sizeof(double)) return Truncated();
    return v;
  }
  Status OptionalDoubles(std::optional<double>& a, std::optional<double>& b) {
    ARROW_ASSIGN_OR_RAISE(char flags, Byte());
    a.reset();
    b.reset();
    if (flags & 1) {
      ARROW_ASSIGN_OR_RAISE(a, Double());
    }
    if (flags & 2) {
      ARROW_ASSIGN_OR_RAISE(b, Double());
    }
    return Status::OK();
  }
  Status Corrupt(std::string_view what) const {
    return MakeError(
        ErrorKind::kInternal,
        fmt::format("spill file {} holds {}; it was changed while the run used it", path_, what));
  }

 private:
  Status Truncated() const { return Corrupt("a truncated record"); }

  std::FILE* f_;
  const std::string& path_;
};

}  // namespace

uint32_t SpillPartitionOf(std::optional<std::string_view> namespace_, uint32_t partitions) {
  if (!namespace_ || partitions <= 1) return 0;
  const size_t h =
      absl::Hash<absl::string_view>{}(absl::string_view(namespace_->data(), namespace_->size()));
  return static_cast<uint32_t>((h >> 7) % partitions);
}

std::string SpillStreamPath(const std::string& dir, std::string_view prefix, uint32_t partition,
                            SpillStream stream) {
  return fmt::format("{}/{}.p{}.{}", dir, prefix, partition,
                     stream == SpillStream::kPods ? "pods" : "storage");
}

struct DaySpillWriter::StreamFile {
  std::string path;
  std::FILE* file = nullptr;
  std::string buffer;
  bool in_run = false;
  absl::flat_hash_map<StringId, uint32_t> strings;  // pool id -> run-local id
  absl::flat_hash_map<LabelSetId, uint32_t> labels;
  uint32_t next_string = 1;
  uint32_t next_label = kFirstLocalLabel;

  Status Write(int64_t* bytes_written) {
    if (buffer.empty()) return Status::OK();
    if (std::fwrite(buffer.data(), 1, buffer.size(), file) != buffer.size()) {
      return SinkError("cannot write spill file {}: {} (is the spill directory's disk full?)", path,
                       std::strerror(errno));
    }
    *bytes_written += static_cast<int64_t>(buffer.size());
    buffer.clear();
    return Status::OK();
  }
};

Result<std::unique_ptr<DaySpillWriter>> DaySpillWriter::Open(const std::string& dir,
                                                             std::string prefix,
                                                             uint32_t partitions) {
  std::unique_ptr<DaySpillWriter> w(new DaySpillWriter());
  for (uint32_t p = 0; p < partitions; ++p) {
    for (SpillStream s : {SpillStream::kPods, SpillStream::kStorage}) {
      auto f = std::make_unique<StreamFile>();
      f->path = SpillStreamPath(dir, prefix, p, s);
      f->file = std::fopen(f->path.c_str(), "wb");
      if (f->file == nullptr) {
        return SinkError(
            "cannot create spill file {}: {} (set performance.spill_dir to a "
            "writable directory)",
            f->path, std::strerror(errno));
      }
      std::setvbuf(f->file, nullptr, _IONBF, 0);  // the stream buffers its records itself
      w->files_.push_back(std::move(f));
    }
  }
  return w;
}

DaySpillWriter::~DaySpillWriter() {
  for (auto& f : files_) {
    if (f->file) std::fclose(f->file);
  }
}

DaySpillWriter::StreamFile& DaySpillWriter::Stream(uint32_t partition, SpillStream stream) {
  StreamFile& f = *files_[partition * 2 + static_cast<uint32_t>(stream)];
  if (!f.in_run) {
    f.buffer.push_back(kRun);
    f.in_run = true;
  }
  return f;
}

void DaySpillWriter::BeginRun(const StringPool& strings, const LabelSetTable& labels) {
  strings_ = &strings;
  labels_ = &labels;
  for (auto& f : files_) {
    f->in_run = false;
    f->next_string = 1;
    f->next_label = kFirstLocalLabel;
  }
}

uint32_t DaySpillWriter::StringRef(StreamFile& f, StringId id) {
  if (id == kNullString) return 0;
  auto [it, inserted] = f.strings.try_emplace(id, f.next_string);
  if (inserted) {
    f.buffer.push_back(kString);
    PutBytes(f.buffer, *strings_->Get(id));
    ++f.next_string;
  }
  return it->second;
}

uint32_t DaySpillWriter::LabelsRef(StreamFile& f, LabelSetId id) {
  if (id == kEmptyLabelSet || id == kNullLabelSet) return id;
  auto [it, inserted] = f.labels.try_emplace(id, f.next_label);
  if (inserted) {
    f.buffer.push_back(kLabels);
    const auto entries = labels_->Entries(id);
    PutVarint(f.buffer, entries.size());
    for (const LabelEntry& e : entries) {
      PutBytes(f.buffer, e.key);
      PutBytes(f.buffer, e.value_json);
    }
    ++f.next_label;
  }
  return it->second;
}

void DaySpillWriter::PodGroup(uint32_t partition, const PodGroupKey& key,
                              const PodGroupSums& sums) {
  StreamFile& f = Stream(partition, SpillStream::kPods);
  // References first: they may define strings, which must precede the record.
  const uint32_t ns = StringRef(f, key.namespace_);
  const uint32_t node = StringRef(f, key.node);
  const uint32_t labels = LabelsRef(f, key.labels);
  const uint32_t resource_id = StringRef(f, sums.max_resource_id);
  std::string& b = f.buffer;
  b.push_back(kPodGroup);
  PutVarint(b, ns);
  PutVarint(b, node);
  PutVarint(b, labels);
  PutVarint(b, resource_id);
  for (double v : {sums.usage_cpu_core_seconds, sums.request_cpu_core_seconds,
                   sums.effective_usage_cpu_core_seconds, sums.limit_cpu_core_seconds,
                   sums.usage_memory_byte_seconds, sums.request_memory_byte_seconds,
                   sums.effective_usage_memory_byte_seconds, sums.limit_memory_byte_seconds}) {
    PutDouble(b, v);
  }
  PutOptionalDoubles(b, sums.max_node_capacity_cpu_cores, sums.max_node_capacity_memory_bytes);
  MaybeFlush(f);
}

void DaySpillWriter::Mount(uint32_t partition, const PodMount& mount) {
  StreamFile& f = Stream(partition, SpillStream::kStorage);
  const uint32_t ids[] = {StringRef(f, mount.namespace_), StringRef(f, mount.pod),
                          StringRef(f, mount.node), StringRef(f, mount.resource_id)};
  f.buffer.push_back(kMount);
  for (uint32_t id : ids) PutVarint(f.buffer, id);
  MaybeFlush(f);
}

void DaySpillWriter::StorageGroup(uint32_t partition, const StorageRowKey& key,
                                  const StorageRowSums& sums) {
  StreamFile& f = Stream(partition, SpillStream::kStorage);
  const uint32_t ids[] = {StringRef(f, key.namespace_),
                          StringRef(f, key.pod),
                          StringRef(f, key.persistentvolumeclaim),
                          StringRef(f, key.persistentvolume),
                          StringRef(f, key.storageclass),
                          StringRef(f, key.csi_volume_handle),
                          LabelsRef(f, key.persistentvolume_labels),
                          LabelsRef(f, key.persistentvolumeclaim_labels)};
  std::string& b = f.buffer;
  b.push_back(kStorageGroup);
  for (uint32_t id : ids) PutVarint(b, id);
  PutDouble(b, sums.capacity_byte_seconds);
  PutDouble(b, sums.request_byte_seconds);
  PutDouble(b, sums.usage_byte_seconds);
  PutOptionalDoubles(b, sums.max_capacity_bytes, std::nullopt);
  MaybeFlush(f);
}

void DaySpillWriter::MaybeFlush(StreamFile& f) {
  // A run can be as large as the state it spills: write it as it goes, keeping buffers small.
  if (f.buffer.size() >= kFlushBytes && status_.ok()) status_ = f.Write(&bytes_written_);
}

Status DaySpillWriter::EndRun() {
  ARROW_RETURN_NOT_OK(status_);
  for (auto& f : files_) {
    ARROW_RETURN_NOT_OK(f->Write(&bytes_written_));
    f->in_run = false;
    // Between runs a stream holds nothing: its buffer and its id tables go back to the heap.
    f->buffer = std::string();
    f->strings = {};
    f->labels = {};
  }
  return Status::OK();
}

Status ReadSpillStream(const std::string& path, StringPool& strings, LabelSetTable& labels,
                       SpillVisitor& visitor) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    if (errno == ENOENT) return Status::OK();
    return SinkError("cannot read spill file {}: {}", path, std::strerror(errno));
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(f, &std::fclose);
  StreamReader in(f, path);
  std::vector<StringId> local_strings;
  std::vector<LabelSetId> local_labels;
  std::string text, key_text;
  std::vector<std::string> entry_text;
  std::vector<LabelEntry> entries;
  auto string_id = [&]() -> Result<StringId> {
    ARROW_ASSIGN_OR_RAISE(uint32_t local, in.Id(local_strings.size()));
    return local_strings[local];
  };
  auto labels_id = [&]() -> Result<LabelSetId> {
    ARROW_ASSIGN_OR_RAISE(uint32_t local, in.Id(local_labels.size()));
    return local_labels[local];
  };
  while (!in.AtEnd()) {
    ARROW_ASSIGN_OR_RAISE(char tag, in.Byte());
    switch (tag) {
      case kRun:
        local_strings.assign(1, kNullString);
        local_labels.assign({kEmptyLabelSet, kNullLabelSet});
        break;
      case kString:
        ARROW_RETURN_NOT_OK(in.Bytes(text));
        local_strings.push_back(strings.Intern(std::string_view(text)));
        break;
      case kLabels: {
        ARROW_ASSIGN_OR_RAISE(uint64_t n, in.Varint());
        entry_text.resize(2 * n);
        for (uint64_t i = 0; i < 2 * n; ++i) ARROW_RETURN_NOT_OK(in.Bytes(entry_text[i]));
        entries.clear();
        for (uint64_t i = 0; i < n; ++i) {
          entries.push_back(LabelEntry{entry_text[2 * i], entry_text[2 * i + 1]});
        }
        local_labels.push_back(labels.Intern(entries));
        break;
      }
      case kPodGroup: {
        PodGroupKey key{};
        PodGroupSums sums;
        ARROW_ASSIGN_OR_RAISE(key.namespace_, string_id());
        ARROW_ASSIGN_OR_RAISE(key.node, string_id());
        ARROW_ASSIGN_OR_RAISE(key.labels, labels_id());
        ARROW_ASSIGN_OR_RAISE(sums.max_resource_id, string_id());
        for (double* v :
             {&sums.usage_cpu_core_seconds, &sums.request_cpu_core_seconds,
              &sums.effective_usage_cpu_core_seconds, &sums.limit_cpu_core_seconds,
              &sums.usage_memory_byte_seconds, &sums.request_memory_byte_seconds,
              &sums.effective_usage_memory_byte_seconds, &sums.limit_memory_byte_seconds}) {
          ARROW_ASSIGN_OR_RAISE(*v, in.Double());
        }
        ARROW_RETURN_NOT_OK(in.OptionalDoubles(sums.max_node_capacity_cpu_cores,
                                               sums.max_node_capacity_memory_bytes));
        visitor.PodGroup(key, sums);
        break;
      }
      case kMount: {
        PodMount m{};
        ARROW_ASSIGN_OR_RAISE(m.namespace_, string_id());
        ARROW_ASSIGN_OR_RAISE(m.pod, string_id());
        ARROW_ASSIGN_OR_RAISE(m.node, string_id());
        ARROW_ASSIGN_OR_RAISE(m.resource_id, string_id());
        visitor.Mount(m);
        break;
      }
      case kStorageGroup: {
        StorageRowKey key;
        StorageRowSums sums;
        ARROW_ASSIGN_OR_RAISE(key.namespace_, string_id());
        ARROW_ASSIGN_OR_RAISE(key.pod, string_id());
        ARROW_ASSIGN_OR_RAISE(key.persistentvolumeclaim, string_id());
        ARROW_ASSIGN_OR_RAISE(key.persistentvolume, string_id());
        ARROW_ASSIGN_OR_RAISE(key.storageclass, string_id());
        ARROW_ASSIGN_OR_RAISE(key.csi_volume_handle, string_id());
        ARROW_ASSIGN_OR_RAISE(key.persistentvolume_labels, labels_id());
        ARROW_ASSIGN_OR_RAISE(key.persistentvolumeclaim_labels, labels_id());
        ARROW_ASSIGN_OR_RAISE(sums.capacity_byte_seconds, in.Double());
        ARROW_ASSIGN_OR_RAISE(sums.request_byte_seconds, in.Double());
        ARROW_ASSIGN_OR_RAISE(sums.usage_byte_seconds, in.Double());
        std::optional<double> unused;
        ARROW_RETURN_NOT_OK(in.OptionalDoubles(sums.max_capacity_bytes, unused));
        visitor.StorageGroup(key, sums);
        break;
      }
      default:
        return in.Corrupt(fmt::format("an unknown record tag {}", static_cast<int>(tag)));
    }
  }
  return Status::OK();
}

}  // namespace ocpagg
