#pragma once

#include <functional>

namespace ocpagg {

// Process-wide allocator actions the engine asks for at its moments; the library never takes
// them itself (it may share its process with others). The program decides: the ocpagg command
// sets glibc's (src/cli/main.cc), an embedding program may leave them empty.
struct AllocatorHooks {
  // Once per run, at its first spill: the limit is tight (e.g. a fixed mmap threshold, so that
  // large freed blocks go back to the system instead of fragmenting the heap).
  std::function<void()> on_first_spill;
  // After a day or a spilled piece is freed: hand free memory back to the system, where the
  // memory limit (resident size) counts it (e.g. malloc_trim).
  std::function<void()> release_free_memory;
};

}  // namespace ocpagg
