#pragma once
// A request to stop a run early: a signal the program received, or an embedding caller's
// cancel. Any thread may request a stop; the run notices it between batches, before every
// database statement and before it commits, then unwinds as on any error, so that nothing is
// published and its scratch is removed. One token per run: there is no process-wide state.

#include <atomic>
#include <functional>
#include <mutex>
#include <vector>

#include "ocpagg/common/status.h"

namespace ocpagg {

class StopToken {
 public:
  StopToken() = default;
  StopToken(const StopToken&) = delete;
  StopToken& operator=(const StopToken&) = delete;

  // Requests the stop (`signal_number` 0: a caller, not a signal) and runs the interrupters
  // registered so far, once. Thread-safe; not async-signal-safe (call it from a thread that
  // waits for signals, not from a handler).
  void RequestStop(int signal_number = 0);
  bool stop_requested() const { return requested_.load(std::memory_order_relaxed); }
  int signal_number() const { return signal_.load(std::memory_order_relaxed); }

  // OK while no stop is requested, else an ErrorKind::kInterrupted status saying why.
  Status Check() const;

  // Registers `interrupt`, run on RequestStop to cut short a blocking call (a database
  // statement waiting for a lock, say); run at once when a stop was already requested. The
  // returned id removes it; it must be removed before what it captures dies.
  int AddInterrupter(std::function<void()> interrupt);
  void RemoveInterrupter(int id);

 private:
  std::atomic<bool> requested_{false};
  std::atomic<int> signal_{0};
  std::mutex mu_;
  int next_id_ = 0;
  std::vector<std::pair<int, std::function<void()>>> interrupters_;
};

// OK when `token` is null or no stop is requested.
inline Status CheckStop(const StopToken* token) { return token ? token->Check() : Status::OK(); }

}  // namespace ocpagg
