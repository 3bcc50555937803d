#include <arrow/filesystem/s3fs.h>
#include <arrow/status.h>
#include <fmt/format.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "cli/commands.h"
#include "ocpagg/common/status.h"
#include "ocpagg/version.h"

namespace ocpagg::cli {

StopToken& ProcessStopToken() {
  static StopToken token;
  return token;
}

int ReportError(const arrow::Status& status) {
  const ErrorKind kind = KindOf(status);
  if (kind == ErrorKind::kInterrupted) {
    // The run has unwound by now: transaction rolled back, staging and spill removed.
    fmt::print(stderr, "ocpagg: {}: stopped; nothing was written, scratch removed\n",
               status.message());
    const int sig = ProcessStopToken().signal_number();
    return sig > 0 ? 128 + sig : static_cast<int>(kind);
  }
  // "Nothing to summarize" is an outcome, not a failure: its message says so itself.
  fmt::print(stderr, "ocpagg: {}{}\n",
             kind == ErrorKind::kNoData ? "" : "error: ", status.message());
  return static_cast<int>(kind);
}

namespace {

// SIGINT and SIGTERM (a terminal's Ctrl-C, a Celery worker or a pod being stopped) are taken by
// one thread that waits for them, so that no handler runs in the middle of the engine: the
// first asks the run to stop (it unwinds as on an error and leaves nothing behind), a second
// one ends the process at once. Every thread started later inherits the blocked mask.
void HandleStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return;
    fmt::print(stderr, "\nocpagg: SIG{} received: stopping and cleaning up (again to quit now)\n",
               sigabbrev_np(sig));
    ProcessStopToken().RequestStop(sig);
    if (sigwait(&set, &sig) == 0) _exit(128 + sig);
  }).detach();
  // A file size limit (RLIMIT_FSIZE) makes write() fail with EFBIG, reported like a full disk,
  // instead of killing the process half-way through its output.
  signal(SIGXFSZ, SIG_IGN);
}

}  // namespace
}  // namespace ocpagg::cli

int main(int argc, char** argv) {
  // One allocator for everything: Arrow's buffers come from the system allocator too, so that
  // freed memory goes back to the system (malloc_trim) and the memory limit, which watches the
  // resident size, sees one heap. An explicit ARROW_DEFAULT_MEMORY_POOL still wins.
  setenv("ARROW_DEFAULT_MEMORY_POOL", "system", /*overwrite=*/0);
  // One glibc heap arena per core rather than eight: freed pages of idle arenas otherwise stay
  // resident (measured: a 100 M-row day in parallel, 151 MB -> 146 MB peak RSS).
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  // Blocks of up to 32 MB (Parquet pages and row groups, read buffers, a day's hash tables) are
  // taken from the heap and stay there when freed, rather than mapped and unmapped each time,
  // and the heap is not trimmed as it empties: the next row group or day reuses the pages
  // instead of faulting in fresh ones. Measured on the 10 M-row month: 2.01 -> 1.90 CPU
  // seconds, 72 -> 77 MB. Under a memory limit the engine hands free memory back itself
  // (AllocatorHooks in summarize_command.cc), and a run that spills goes back to small
  // thresholds.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  ocpagg::cli::HandleStopSignals();
  CLI::App app{"ocpagg: builds koku's OpenShift daily usage summary from operator reports"};
  app.set_version_flag("--version", std::string(ocpagg::kVersion));
  app.require_subcommand(1);
  int exit_code = 0;
  ocpagg::cli::AddIngestCommand(app, &exit_code);
  ocpagg::cli::AddSummarizeCommand(app, &exit_code);
  ocpagg::cli::AddGenerateCommand(app, &exit_code);
  // Arrow's S3 client, started by the first s3:// path, must be shut down before static
  // destructors run, or the AWS SDK may crash the process at exit after a successful run.
  struct S3Shutdown {
    ~S3Shutdown() {
      if (arrow::fs::IsS3Initialized()) (void)arrow::fs::EnsureS3Finalized();
    }
  } s3_shutdown;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // CLI11 returns 0 for --help/--version and its own codes for usage errors: map those to 2.
    return rc == 0 ? 0 : static_cast<int>(ocpagg::ErrorKind::kUsage);
  }
  return exit_code;
}
