#pragma once
// Helpers for the ingest tests: scratch directories, hand-made operator payloads, running the
// ocpagg binary, and reading the Parquet it wrote.

#include <arrow/io/file.h>
#include <arrow/table.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "ocpagg/koku/layout.h"

namespace ocpagg::ingest_test {

namespace fs = std::filesystem;

inline std::string SourceDir() { return OCPAGG_SOURCE_DIR; }
inline std::string OcpaggBinary() { return OCPAGG_BINARY; }

// A fresh directory under $TMPDIR, removed with everything in it when the object dies.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "ocpagg-ingest-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& relative) const { return path_ + "/" + relative; }

 private:
  std::string path_;
};

inline void WriteText(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// CSV text with CRLF line ends, as the operator and nise write it.
inline std::string Csv(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\r\n";
  return out;
}

inline const std::string kPodHeader =
    "report_period_start,report_period_end,interval_start,interval_end,pod,namespace,node,"
    "resource_id,pod_usage_cpu_core_seconds,pod_request_cpu_core_seconds,"
    "pod_limit_cpu_core_seconds,pod_usage_memory_byte_seconds,pod_request_memory_byte_seconds,"
    "pod_limit_memory_byte_seconds,node_capacity_cpu_cores,node_capacity_cpu_core_seconds,"
    "node_capacity_memory_bytes,node_capacity_memory_byte_seconds,pod_labels";

inline const std::string kStorageHeader =
    "report_period_start,report_period_end,interval_start,interval_end,namespace,pod,"
    "persistentvolumeclaim,persistentvolume,storageclass,persistentvolumeclaim_capacity_bytes,"
    "persistentvolumeclaim_capacity_byte_seconds,volume_request_storage_byte_seconds,"
    "persistentvolumeclaim_usage_byte_seconds,persistentvolume_labels,"
    "persistentvolumeclaim_labels";

inline const std::string kNodeLabelsHeader =
    "report_period_start,report_period_end,interval_start,interval_end,node,node_labels";

inline const std::string kNamespaceLabelsHeader =
    "report_period_start,report_period_end,interval_start,interval_end,namespace,"
    "namespace_labels";

// "2025-10-01 03:00:00 +0000 UTC"
inline std::string OperatorTime(const std::string& day, int hour, int minute = 0, int second = 0) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d:%02d +0000 UTC", day.c_str(), hour, minute, second);
  return buf;
}

// One pod-usage CSV line; every number is the given text, so tests can pass "" or "nan".
struct PodRow {
  std::string day = "2025-10-01";
  int hour = 0;
  std::string pod = "web-1", ns = "shop", node = "worker-a", resource_id = "i-0a1";
  std::string usage_cpu = "900", request_cpu = "1800", limit_cpu = "3600";
  std::string usage_mem = "1000", request_mem = "2000", limit_mem = "4000";
  std::string capacity_cores = "8", capacity_core_seconds = "28800";
  std::string capacity_bytes = "34359738368", capacity_byte_seconds = "123695058124800";
  std::string labels = "label_app:shop";

  std::string Line() const {
    std::vector<std::string> f = {"2025-10-01 00:00:00 +0000 UTC",
                                  "2025-11-01 00:00:00 +0000 UTC",
                                  OperatorTime(day, hour),
                                  OperatorTime(day, hour, 59, 59),
                                  pod,
                                  ns,
                                  node,
                                  resource_id,
                                  usage_cpu,
                                  request_cpu,
                                  limit_cpu,
                                  usage_mem,
                                  request_mem,
                                  limit_mem,
                                  capacity_cores,
                                  capacity_core_seconds,
                                  capacity_bytes,
                                  capacity_byte_seconds,
                                  labels};
    std::string out;
    for (size_t i = 0; i < f.size(); ++i) out += (i ? "," : "") + f[i];
    return out;
  }
};

inline std::string PodCsv(const std::vector<PodRow>& rows) {
  std::vector<std::string> lines = {kPodHeader};
  for (const auto& r : rows) lines.push_back(r.Line());
  return Csv(lines);
}

// Writes manifest.json and the files into `dir` (a month directory). `manifest_extra` is
// spliced into the JSON object, e.g. R"("daily_reports": true)".
inline void WriteMonthPayload(const std::string& dir,
                              const std::vector<std::pair<std::string, std::string>>& files,
                              const std::string& date = "2025-10-01T00:00:00.000000+00:00",
                              const std::string& manifest_extra = R"("version": "5.4.1")") {
  std::string list;
  for (size_t i = 0; i < files.size(); ++i) {
    list += (i ? ", \"" : "\"") + files[i].first + "\"";
    WriteText(dir + "/" + files[i].first, files[i].second);
  }
  std::string manifest =
      "{\"cluster_id\": \"test-cluster\", \"uuid\": "
      "\"6e019de5-a41d-4cdb-b9a0-99bfba9a9cb5\", \"date\": \"" +
      date + "\", \"files\": [" + list + "]";
  if (!manifest_extra.empty()) manifest += ", " + manifest_extra;
  WriteText(dir + "/manifest.json", manifest + "}");
}

// Every regular file under `root`, relative to it, sorted.
inline std::vector<std::string> ListFiles(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(root, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), root).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::shared_ptr<arrow::Table> ReadParquet(const std::string& path) {
  auto file = arrow::io::ReadableFile::Open(path);
  EXPECT_TRUE(file.ok()) << path << ": " << file.status().ToString();
  if (!file.ok()) return nullptr;
  auto reader = parquet::arrow::OpenFile(*file, arrow::default_memory_pool());
  EXPECT_TRUE(reader.ok()) << path << ": " << reader.status().ToString();
  if (!reader.ok()) return nullptr;
  std::shared_ptr<arrow::Table> table;
  auto st = (*reader)->ReadTable(&table);
  EXPECT_TRUE(st.ok()) << path << ": " << st.ToString();
  if (!st.ok()) return nullptr;
  auto combined = table->CombineChunks();
  return combined.ok() ? *combined : nullptr;
}

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs a program with arguments passed verbatim (no shell).
inline RunResult RunCommand(const std::vector<std::string>& argv) {
  RunResult result;
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return result;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipe_fds[1], 1);
    ::dup2(pipe_fds[1], 2);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(pipe_fds[0], buf, sizeof buf)) > 0) result.output.append(buf, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

inline RunResult RunIngest(std::vector<std::string> args) {
  args.insert(args.begin(), {OcpaggBinary(), "ingest"});
  return RunCommand(args);
}

inline const std::string kSource = "4dffa412-8024-5c69-9bd5-985d52df9f9b";

// data/parquet[/daily]/org1234567/OCP/<type>/source=<kSource>/year=<y>/month=<m>/<file>
inline std::string KokuPath(bool daily, const std::string& type, const std::string& year,
                            const std::string& month, const std::string& file,
                            const std::string& account = "org1234567") {
  const KokuPartition partition{account, *ReportTypeFromName(type), kSource, std::stoi(year),
                                static_cast<unsigned>(std::stoul(month))};
  return PartitionDir("", partition, daily) + "/" + file;
}

}  // namespace ocpagg::ingest_test
