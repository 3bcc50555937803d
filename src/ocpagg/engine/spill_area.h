#pragma once
// The run's scratch directory for spilled days: `{parent}/ocpagg-spill-<owner>` (see
// common/scratch_dir.h), created when the first day spills (parent empty: $TMPDIR, else /tmp),
// with one subdirectory per day; all of it is removed when the run ends, whether it succeeds or
// fails. Spill directories of killed runs under the same parent are removed at the start.

#include <mutex>
#include <string>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/date.h"

namespace ocpagg {

inline constexpr std::string_view kSpillPrefix = "ocpagg-spill-";

class SpillArea {
 public:
  explicit SpillArea(std::string parent);
  ~SpillArea();  // removes everything
  SpillArea(const SpillArea&) = delete;
  SpillArea& operator=(const SpillArea&) = delete;

  // The directory of one day's spill files, created on first use. Thread-safe.
  Result<std::string> DayDir(Date day);
  // Removes one day's files once the day is written. Thread-safe.
  void RemoveDay(Date day);

 private:
  static std::string DefaultSpillParent();
  std::string parent_;
  std::mutex mu_;
  std::string path_;  // empty until the first spill
};

}  // namespace ocpagg
