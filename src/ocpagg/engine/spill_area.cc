#include "ocpagg/engine/spill_area.h"

#include <filesystem>

#include "ocpagg/common/scratch_dir.h"

namespace ocpagg {
namespace fs = std::filesystem;

SpillArea::SpillArea(std::string parent) : parent_(std::move(parent)) {
  if (parent_.empty()) parent_ = DefaultSpillParent();
  RemoveStaleScratch(parent_, kSpillPrefix);
}

std::string SpillArea::DefaultSpillParent() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

SpillArea::~SpillArea() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Result<std::string> SpillArea::DayDir(Date day) {
  std::lock_guard<std::mutex> lock(mu_);
  if (path_.empty()) {
    const std::string& base = parent_;
    std::error_code ec;
    fs::create_directories(base, ec);
    auto made = MakeScratchDir(base, kSpillPrefix);
    if (!made.ok()) {
      return SinkError("{} (set --spill-dir or performance.spill_dir to a writable directory)",
                       made.status().message());
    }
    path_ = *made;
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
