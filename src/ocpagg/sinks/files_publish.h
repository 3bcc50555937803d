#pragma once
// Publishing the directories a files run replaces (the summary month, the months and folders of
// the tables beside it) all or nothing. Each replacement is assembled in the run's staging
// folder; Publish() first writes a journal naming every swap (once it is in place the run is
// committed), then swaps each staged directory with the published one, one rename each. A run
// killed during the swaps leaves its journal behind: the next run using the output folder
// completes the swaps (RollForward) before it reads or writes anything there, so every
// directory ends up as the committed run left it. A reader sees each directory whole, old or
// new.
//
// Runs sharing an output folder take its lock (OutputLock) around reading what they merge into
// and publishing: the tables koku upserts (projects, PVCs, label summaries) are read, merged and
// rewritten, and two runs must not interleave there.

#include <string>
#include <utility>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/date.h"

namespace ocpagg {

class Publication {
 public:
  // `staging_dir`: the run's staging folder, on the output's filesystem.
  explicit Publication(std::string staging_dir) : staging_dir_(std::move(staging_dir)) {}

  // `staged` (a directory inside the staging folder) is to replace `target`.
  void Add(std::string staged, std::string target);

  // Writes the journal, then swaps every staged directory into place (the old ones end up in
  // the staging folder, which the caller removes).
  Status Publish();

 private:
  std::string staging_dir_;
  std::vector<std::pair<std::string, std::string>> swaps_;  // (staged, target)
};

// Starts `next`, the new content of the month folder `current` whose days [start, end] a run
// replaces: the files of other days (named YYYY-MM-DD.*) and any other entry are kept, as hard
// links (the staging folder is on the same filesystem). koku's delete covers every day of the
// range, so days of the range that have no rows now lose their files.
Status KeepDaysOutside(const std::string& current, const std::string& next, Date start, Date end);

// Completes the swaps a dead run's journal names, if its staging folder holds one. Best effort:
// errors are ignored (the folder is then removed as any stale scratch).
void RollForward(const std::string& staging_dir);

// The lock of an output folder (flock on <output>/.ocpagg-lock), held until destruction; the
// kernel releases it when the process dies.
class OutputLock {
 public:
  static Result<OutputLock> Acquire(const std::string& output_dir);
  OutputLock(OutputLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  OutputLock& operator=(OutputLock&&) = delete;
  OutputLock(const OutputLock&) = delete;
  ~OutputLock();

 private:
  explicit OutputLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace ocpagg
