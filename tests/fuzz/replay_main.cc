// A stand-in for libFuzzer's main in ordinary builds: runs a fuzz target once on every file of
// the directories (or files) given, in name order, so that the seed corpus and every saved
// regression are replayed by ctest with whichever compiler and sanitizers the build uses.
//   fuzz_<name>_replay DIR_OR_FILE...
// Files whose name starts with '.' (the .gitkeep that keeps an empty folder) are skipped.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_common.h"

namespace {

namespace fs = std::filesystem;

bool Skipped(const fs::path& path) { return path.filename().string().starts_with("."); }

}  // namespace

int main(int argc, char** argv) {
  LLVMFuzzerInitialize(&argc, &argv);
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg = argv[i];
    if (fs::is_directory(arg)) {
      for (const auto& entry : fs::directory_iterator(arg)) {
        if (entry.is_regular_file() && !Skipped(entry.path())) inputs.push_back(entry.path());
      }
    } else if (fs::is_regular_file(arg)) {
      inputs.push_back(arg);
    } else {
      std::cerr << "replay: " << arg << " is neither a file nor a directory\n";
      return 2;
    }
  }
  std::sort(inputs.begin(), inputs.end());
  for (const fs::path& path : inputs) {
    // Named before it runs: when an input crashes, the last line says which one.
    std::cerr << "replay: " << path.string() << "\n";
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::cerr << "replay: cannot read " << path << "\n";
      return 2;
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::cerr << "replay: " << inputs.size() << " inputs, no crash\n";
  return 0;
}
