#pragma once
// The on-disk form of a day's partial groups, for a day whose aggregation state does not fit the
// memory limit (docs/engine.md "Spilling"). A partial state (DaySummary) writes its groups -
// pod groups, storage groups and pod mounts - split into partitions by namespace, and frees
// them; later each partition is read back alone, merged and finished. The namespace is the
// partition key because every join of koku's day stays within one namespace (docs/semantics.md
// "Volume nodes", "Pod rows", "Storage rows") except the volume node count, which the engine counts
// over all partitions first.
//
// Each partition has two streams: pods (pod groups) and storage (storage groups and the pod
// mounts they join), so that counting the volume nodes reads only the small storage streams.
// A stream is a sequence of runs, one per spilled state; a run defines each string and label set
// before its first use, so it is self-contained and ids need no global table.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ocpagg/aggregate/pod_usage.h"
#include "ocpagg/aggregate/storage_usage.h"
#include "ocpagg/aggregate/string_pool.h"
#include "ocpagg/common/status.h"
#include "ocpagg/koku/label_set.h"

namespace ocpagg {

enum class SpillStream : uint8_t { kPods, kStorage };

// The partition of a namespace among `partitions`; NULL goes to partition 0.
uint32_t SpillPartitionOf(std::optional<std::string_view> namespace_, uint32_t partitions);

// The stream file of one partition: {dir}/{prefix}.p{partition}.{pods|storage}.
std::string SpillStreamPath(const std::string& dir, std::string_view prefix, uint32_t partition,
                            SpillStream stream);

// Writes runs of partial groups into the 2 x `partitions` stream files of one writer (one per
// worker: writers never share files). Not thread-safe.
class DaySpillWriter {
 public:
  // Creates (truncates) the stream files.
  static Result<std::unique_ptr<DaySpillWriter>> Open(const std::string& dir, std::string prefix,
                                                      uint32_t partitions);
  ~DaySpillWriter();
  DaySpillWriter(const DaySpillWriter&) = delete;
  DaySpillWriter& operator=(const DaySpillWriter&) = delete;

  uint32_t partitions() const { return static_cast<uint32_t>(files_.size() / 2); }

  // Starts a run of groups whose ids are of `strings` and `labels`; both must outlive the run.
  void BeginRun(const StringPool& strings, const LabelSetTable& labels);
  void PodGroup(uint32_t partition, const PodGroupKey& key, const PodGroupSums& sums);
  void Mount(uint32_t partition, const PodMount& mount);
  void StorageGroup(uint32_t partition, const StorageRowKey& key, const StorageRowSums& sums);
  // Ends the run: every byte of it is written to its file.
  Status EndRun();

  // Bytes written so far, over every stream.
  int64_t bytes_written() const { return bytes_written_; }

 private:
  struct StreamFile;
  DaySpillWriter() = default;
  StreamFile& Stream(uint32_t partition, SpillStream stream);
  uint32_t StringRef(StreamFile& f, StringId id);
  uint32_t LabelsRef(StreamFile& f, LabelSetId id);
  void MaybeFlush(StreamFile& f);

  std::vector<std::unique_ptr<StreamFile>> files_;  // [partition * 2 + stream]
  const StringPool* strings_ = nullptr;
  const LabelSetTable* labels_ = nullptr;
  int64_t bytes_written_ = 0;
  Status status_;  // the first write error, reported by EndRun
};

// What a stream holds, with ids translated into the reading state's pool and label table.
class SpillVisitor {
 public:
  virtual ~SpillVisitor() = default;
  virtual void PodGroup(const PodGroupKey& key, const PodGroupSums& sums) = 0;
  virtual void Mount(const PodMount& mount) = 0;
  virtual void StorageGroup(const StorageRowKey& key, const StorageRowSums& sums) = 0;
};

// Reads every run of the stream file `path` (a missing file is an empty stream), interning its
// strings into `strings` and its label sets into `labels`.
Status ReadSpillStream(const std::string& path, StringPool& strings, LabelSetTable& labels,
                       SpillVisitor& visitor);

}  // namespace ocpagg
