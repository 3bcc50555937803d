#pragma once
// Runs Parquet encoding and file writes on one background thread, in submission order, so
// they overlap the conversion of the next rows. The queue is short: a producer that gets
// ahead waits, which keeps memory bounded.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "ocpagg/common/status.h"

namespace ocpagg {

class WriteQueue {
 public:
  explicit WriteQueue(size_t max_pending = 4);
  // Waits for the tasks already queued.
  ~WriteQueue();
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  // Queues a task, waiting while the queue is full. Returns the first error of an earlier
  // task (the task is then not queued).
  Status Submit(std::function<Status()> task);

  // Waits until every queued task ran; returns the first error of any task.
  Status Drain();

 private:
  void Run();

  const size_t max_pending_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::function<Status()>> tasks_;
  bool running_task_ = false;
  bool stop_ = false;
  Status first_error_;
  std::thread worker_;
};

}  // namespace ocpagg
