#include "ocpagg/common/stop_token.h"

#include <string.h>

namespace ocpagg {

void StopToken::RequestStop(int signal_number) {
  // Interrupters run under the lock, so that RemoveInterrupter() returns only once none of them
  // is still running.
  std::lock_guard<std::mutex> lock(mu_);
  if (requested_.load()) return;
  signal_.store(signal_number);
  requested_.store(true);
  for (auto& [id, fn] : interrupters_) fn();
}

Status StopToken::Check() const {
  if (!stop_requested()) return Status::OK();
  const int sig = signal_number();
  return MakeError(ErrorKind::kInterrupted,
                   sig ? fmt::format("interrupted by SIG{}", sigabbrev_np(sig))
                       : std::string("stopped by the caller"));
}

int StopToken::AddInterrupter(std::function<void()> interrupt) {
  std::unique_lock<std::mutex> lock(mu_);
  if (requested_.load()) {
    lock.unlock();
    interrupt();
    return -1;
  }
  interrupters_.emplace_back(next_id_, std::move(interrupt));
  return next_id_++;
}

void StopToken::RemoveInterrupter(int id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(interrupters_, [id](const auto& e) { return e.first == id; });
}

}  // namespace ocpagg
