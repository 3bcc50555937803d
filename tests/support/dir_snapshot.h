#pragma once
// Test support: what a directory tree holds (relative path -> content), to assert that a run
// left its output exactly as it was, or that no scratch was left behind.

#include <map>
#include <string>
#include <vector>

namespace ocpagg::testing {

// Every regular file under `dir` (recursively) with its content; empty when `dir` is missing.
std::map<std::string, std::string> SnapshotDir(const std::string& dir);

// The names of the entries directly under `dir` that start with `prefix`.
std::vector<std::string> EntriesStartingWith(const std::string& dir, const std::string& prefix);

}  // namespace ocpagg::testing
