#include "ocpagg/common/scratch_dir.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <sstream>
#include <vector>

namespace ocpagg {
namespace {

namespace fs = std::filesystem;

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || !name[0]) return "localhost";
  std::string host(name);
  for (char& c : host) {
    if (c == '/' || c == ' ') c = '_';
  }
  return host;
}

// 8 hex digits of the boot id: pids and start times only mean something within one boot.
std::string BootTag() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return fmt::format("{:08x}", static_cast<uint32_t>(std::hash<std::string>{}(id)));
}

// Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot.
std::optional<uint64_t> StartTicks(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat;
  if (!std::getline(in, stat)) return std::nullopt;
  // The command name (field 2) is in parentheses and may hold spaces: count from its end.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 22) {
      uint64_t ticks = 0;
      auto [p, ec] = std::from_chars(field.data(), field.data() + field.size(), ticks);
      if (ec == std::errc()) return ticks;
    }
  }
  return std::nullopt;
}

struct Owner {
  std::string host, boot;
  pid_t pid = 0;
  uint64_t start = 0;
};

// Parses "<host>-<boot>-<pid>-<start>-<random>" from the right (host names may hold '-').
std::optional<Owner> ParseOwner(std::string_view rest) {
  std::vector<std::string_view> parts;
  for (int i = 0; i < 4; ++i) {
    const size_t dash = rest.rfind('-');
    if (dash == std::string_view::npos) return std::nullopt;
    parts.push_back(rest.substr(dash + 1));
    rest = rest.substr(0, dash);
  }
  Owner o;
  o.host = std::string(rest);
  o.boot = std::string(parts[3]);
  auto number = [](std::string_view s, auto& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  if (!number(parts[2], o.pid) || !number(parts[1], o.start) || o.host.empty()) {
    return std::nullopt;
  }
  return o;
}

bool ProvablyDead(const Owner& o, const std::string& host, const std::string& boot) {
  if (o.host != host) return false;
  if (o.boot != boot) return true;
  if (o.pid <= 0) return false;
  auto start = StartTicks(o.pid);
  return !start || *start != o.start;
}

}  // namespace

Result<std::string> MakeScratchDir(const std::string& parent, std::string_view prefix) {
  const pid_t pid = getpid();
  std::random_device rd;
  const std::string path =
      (fs::path(parent) / fmt::format("{}{}-{}-{}-{}-{:08x}", prefix, HostName(), BootTag(), pid,
                                      StartTicks(pid).value_or(0), rd()))
          .string();
  std::error_code ec;
  if (!fs::create_directory(path, ec) || ec) {
    return SinkError("cannot create scratch directory {}: {}", path,
                     ec ? ec.message() : std::string("it exists already"));
  }
  return path;
}

int RemoveStaleScratch(const std::string& parent, std::string_view prefix,
                       const std::function<bool(const std::string&)>& before_removing) {
  const std::string host = HostName();
  const std::string boot = BootTag();
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(prefix)) continue;
    auto owner = ParseOwner(std::string_view(name).substr(prefix.size()));
    if (!owner || !ProvablyDead(*owner, host, boot)) continue;
    if (before_removing && !before_removing(it->path().string())) continue;
    std::error_code rm;
    if (fs::remove_all(it->path(), rm) > 0 && !rm) ++removed;
  }
  return removed;
}

}  // namespace ocpagg
