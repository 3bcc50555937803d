#pragma once
// The first error of a parallel phase: workers record what failed and skip further work once
// anything has.

#include <atomic>
#include <mutex>

#include "ocpagg/common/status.h"

namespace ocpagg {

class FirstError {
 public:
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  void Record(const Status& st) {
    if (st.ok()) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (!failed_) status_ = st;
    failed_ = true;
  }
  Status status() const {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

 private:
  mutable std::mutex mu_;
  std::atomic<bool> failed_{false};
  Status status_;
};

}  // namespace ocpagg
