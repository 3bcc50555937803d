#include "ocpagg/ingest/write_queue.h"

namespace ocpagg {

WriteQueue::WriteQueue(size_t max_pending)
    : max_pending_(max_pending), worker_([this] { Run(); }) {}

WriteQueue::~WriteQueue() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return tasks_.empty() && !running_task_; });
    stop_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

Status WriteQueue::Submit(std::function<Status()> task) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return tasks_.size() < max_pending_ || !first_error_.ok(); });
  if (!first_error_.ok()) return first_error_;
  tasks_.push_back(std::move(task));
  lock.unlock();
  changed_.notify_all();
  return Status::OK();
}

Status WriteQueue::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return tasks_.empty() && !running_task_; });
  return first_error_;
}

void WriteQueue::Run() {
  while (true) {
    std::function<Status()> task;
    bool failed = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [&] { return stop_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stop_ with nothing left
      task = std::move(tasks_.front());
      tasks_.pop_front();
      running_task_ = true;
      failed = !first_error_.ok();
    }
    changed_.notify_all();
    // After a failure the remaining tasks are dropped: the run fails anyway.
    Status st = failed ? Status::OK() : task();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!st.ok() && first_error_.ok()) first_error_ = st;
      running_task_ = false;
    }
    changed_.notify_all();
  }
}

}  // namespace ocpagg
