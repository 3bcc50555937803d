#include "ocpagg/sinks/files_publish.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ocpagg {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kJournal = "publish.journal";

struct Swap {
  ino_t inode = 0;  // of the staged directory: finds out, after a kill, whether it is in place
  std::string staged, target;
};

std::optional<ino_t> InodeOf(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return std::nullopt;
  return st.st_ino;
}

// Puts `staged` in the place of `target` in one rename (exchanging them when the target
// exists). Nothing to do when the target already is the staged directory.
Status SwapIn(const Swap& swap) {
  const auto target_inode = InodeOf(swap.target);
  if (target_inode == swap.inode) return Status::OK();
  std::error_code ec;
  fs::create_directories(fs::path(swap.target).parent_path(), ec);
  if (ec)
    return SinkError("cannot create {}: {}", fs::path(swap.target).parent_path().string(),
                     ec.message());
  const int done = target_inode ? renameat2(AT_FDCWD, swap.staged.c_str(), AT_FDCWD,
                                            swap.target.c_str(), RENAME_EXCHANGE)
                                : rename(swap.staged.c_str(), swap.target.c_str());
  if (done != 0) return SinkError("cannot publish {}: {}", swap.target, std::strerror(errno));
  return Status::OK();
}

// The journal: per swap, the inode, the staged path and the target, each ended by a NUL (no
// path holds one).
std::string JournalText(const std::vector<Swap>& swaps) {
  std::string text;
  for (const Swap& s : swaps) {
    text += std::to_string(s.inode);
    text.push_back('\0');
    text += s.staged;
    text.push_back('\0');
    text += s.target;
    text.push_back('\0');
  }
  return text;
}

std::optional<std::vector<Swap>> ParseJournal(const std::string& text) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\0') continue;
    fields.push_back(text.substr(start, i - start));
    start = i + 1;
  }
  if (start != text.size() || fields.size() % 3 != 0) return std::nullopt;
  std::vector<Swap> swaps;
  for (size_t i = 0; i < fields.size(); i += 3) {
    Swap s;
    auto [p, ec] = std::from_chars(fields[i].data(), fields[i].data() + fields[i].size(), s.inode);
    if (ec != std::errc()) return std::nullopt;
    s.staged = fields[i + 1];
    s.target = fields[i + 2];
    swaps.push_back(std::move(s));
  }
  return swaps;
}

// Writes `path` and flushes it to disk.
Status WriteDurably(const std::string& path, const std::string& text) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return SinkError("cannot write {}: {}", path, std::strerror(errno));
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      close(fd);
      return SinkError("cannot write {}: {}", path, std::strerror(err));
    }
    written += static_cast<size_t>(n);
  }
  const bool synced = fsync(fd) == 0;
  const int err = errno;
  close(fd);
  if (!synced) return SinkError("cannot write {}: {}", path, std::strerror(err));
  return Status::OK();
}

}  // namespace

void Publication::Add(std::string staged, std::string target) {
  swaps_.emplace_back(std::move(staged), std::move(target));
}

Status Publication::Publish() {
  std::vector<Swap> swaps;
  for (const auto& [staged, target] : swaps_) {
    const auto inode = InodeOf(staged);
    if (!inode) return InternalError("staged directory {} is missing", staged);
    swaps.push_back(Swap{*inode, staged, target});
  }
  // The commit point: the journal appears whole, in one rename.
  const std::string journal = (fs::path(staging_dir_) / kJournal).string();
  ARROW_RETURN_NOT_OK(WriteDurably(journal + ".tmp", JournalText(swaps)));
  if (rename((journal + ".tmp").c_str(), journal.c_str()) != 0) {
    return SinkError("cannot write {}: {}", journal, std::strerror(errno));
  }
  for (const Swap& s : swaps) ARROW_RETURN_NOT_OK(SwapIn(s));
  return Status::OK();
}

Status KeepDaysOutside(const std::string& current, const std::string& next, Date start, Date end) {
  std::error_code ec;
  fs::create_directories(next, ec);
  if (ec) return SinkError("cannot create {}: {}", next, ec.message());
  if (!fs::is_directory(current, ec)) return Status::OK();
  for (const auto& entry : fs::directory_iterator(current, ec)) {
    const std::string name = entry.path().filename().string();
    auto day = ParseDate(entry.path().stem().string());
    if (day && *day >= start && *day <= end) continue;
    const fs::path link = fs::path(next) / name;
    fs::create_hard_link(entry.path(), link, ec);
    if (ec) fs::copy(entry.path(), link, fs::copy_options::recursive, ec);
    if (ec) return SinkError("cannot keep {} in the new {}: {}", name, current, ec.message());
  }
  if (ec) return SinkError("cannot read {}: {}", current, ec.message());
  return Status::OK();
}

void RollForward(const std::string& staging_dir) {
  std::ifstream in(fs::path(staging_dir) / kJournal, std::ios::binary);
  if (!in) return;
  std::stringstream text;
  text << in.rdbuf();
  const auto swaps = ParseJournal(text.str());
  if (!swaps) return;
  for (const Swap& s : *swaps) {
    // A staged directory already swapped out holds the old content: leave it.
    if (InodeOf(s.target) != s.inode && InodeOf(s.staged) == s.inode) (void)SwapIn(s);
  }
}

Result<OutputLock> OutputLock::Acquire(const std::string& output_dir) {
  const std::string path = (fs::path(output_dir) / ".ocpagg-lock").string();
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return SinkError("cannot open {}: {}", path, std::strerror(errno));
  while (flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const int err = errno;
    close(fd);
    return SinkError("cannot lock {}: {}", path, std::strerror(err));
  }
  return OutputLock(fd);
}

OutputLock::~OutputLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace ocpagg
