#include "ocpagg/engine/spill_area.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ocpagg {
namespace fs = std::filesystem;

SpillArea::~SpillArea() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Result<std::string> SpillArea::DayDir(Date day) {
  std::lock_guard<std::mutex> lock(mu_);
  if (path_.empty()) {
    std::string base = parent_;
    if (base.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      base = tmp && *tmp ? tmp : "/tmp";
    }
    std::error_code ec;
    fs::create_directories(base, ec);
    std::string pattern = (fs::path(base) / "ocpagg-spill-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return SinkError(
          "cannot create a spill directory under {}: {} (set --spill-dir or "
          "performance.spill_dir to a writable directory)",
          base, std::strerror(errno));
    }
    path_ = pattern;
  }
  const std::string dir = (fs::path(path_) / FormatDate(day)).string();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return SinkError("cannot create spill directory {}: {}", dir, ec.message());
  return dir;
}

void SpillArea::RemoveDay(Date day) {
  std::lock_guard<std::mutex> lock(mu_);
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(fs::path(path_) / FormatDate(day), ec);
}

}  // namespace ocpagg
