#pragma once
// Scratch directories (staging of output files, spill files) whose names say who owns them:
//   <prefix><host>-<boot>-<pid>-<start>-<random>
// host: the machine's name; boot: a short hash of the kernel's boot id; pid and start: the
// owning process and its start time (clock ticks since boot, /proc/<pid>/stat). A run that is
// killed leaves its scratch behind; a later run in the same folder removes what it can prove
// is dead: same host and either another boot, no such process, or a process that started at
// another time (its pid was reused). Scratch of other hosts (a shared volume) is left alone.

#include <functional>
#include <string>
#include <string_view>

#include "ocpagg/common/status.h"

namespace ocpagg {

// Creates a new scratch directory under `parent` (which must exist) and returns its path.
Result<std::string> MakeScratchDir(const std::string& parent, std::string_view prefix);

// Removes the directories under `parent` named `prefix...` whose owner is provably dead;
// returns how many it removed. `before_removing`, when given, is called with each such
// directory first (to complete what its owner had committed); it returns false to keep the
// directory for a later run. Errors (an unreadable folder) are ignored: cleaning is a courtesy,
// never a reason to fail a run.
int RemoveStaleScratch(const std::string& parent, std::string_view prefix,
                       const std::function<bool(const std::string&)>& before_removing = {});

}  // namespace ocpagg
