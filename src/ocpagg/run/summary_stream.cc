#include "ocpagg/run/summary_stream.h"

#include <vector>

#include "ocpagg/common/uuid.h"
#include "ocpagg/sinks/summary_encoding.h"

namespace ocpagg {

// Rows into batches of options.batch_rows, each handed to the stream's queue (waiting while
// the queue is full). Days come in order, one at a time (IndependentDays() is false), so the
// pending rows need no lock.
class SummaryStream::QueueSink : public RowSink {
 public:
  QueueSink(SummaryStream& stream, int64_t batch_rows)
      : stream_(stream), batch_rows_(static_cast<size_t>(std::max<int64_t>(batch_rows, 1))) {}

  Status Begin(const RunIdentity& identity, Date, Date) override {
    identity_ = identity;
    std::lock_guard<std::mutex> lock(stream_.mu_);
    stream_.started_ = true;
    stream_.changed_.notify_all();
    return Status::OK();
  }
  Status WriteRows(Date, std::span<const SummaryRow> rows) override {
    while (!rows.empty()) {
      const size_t n = std::min(rows.size(), batch_rows_ - pending_.size());
      pending_.insert(pending_.end(), rows.begin(), rows.begin() + n);
      rows = rows.subspan(n);
      if (pending_.size() == batch_rows_) ARROW_RETURN_NOT_OK(Flush());
    }
    return Status::OK();
  }
  Status EndDay(Date) override { return Status::OK(); }
  Status Commit() override { return Flush(); }
  void Abort() override { pending_.clear(); }

 private:
  Status Flush() {
    if (pending_.empty()) return Status::OK();
    ARROW_ASSIGN_OR_RAISE(auto batch, SummaryRecordBatch(pending_, identity_, uuids_));
    pending_.clear();
    std::unique_lock<std::mutex> lock(stream_.mu_);
    stream_.changed_.wait(lock, [&] {
      return stream_.queue_.size() < stream_.capacity_ || stream_.closed_ ||
             stream_.stop_.stop_requested();
    });
    ARROW_RETURN_NOT_OK(stream_.stop_.Check());
    stream_.queue_.push_back(std::move(batch));
    stream_.changed_.notify_all();
    return Status::OK();
  }

  SummaryStream& stream_;
  const size_t batch_rows_;
  RunIdentity identity_;
  UuidGenerator uuids_;
  std::vector<SummaryRow> pending_;
};

SummaryStream::SummaryStream() = default;

Result<std::shared_ptr<SummaryStream>> SummaryStream::Start(const SummarizeRequest& request,
                                                            SummarizeHooks hooks,
                                                            SummaryStreamOptions options) {
  std::shared_ptr<SummaryStream> stream(new SummaryStream());
  SummaryStream* s = stream.get();
  s->capacity_ = std::max<size_t>(options.queued_batches, 1);
  // The run listens to a token of the stream's own, which Close() stops; the caller's stop
  // reaches it through an interrupter (a database statement waiting for a lock included).
  if (hooks.stop) {
    s->caller_stop_ = hooks.stop;
    s->caller_interrupter_ = hooks.stop->AddInterrupter([s] {
      s->stop_.RequestStop();
      std::lock_guard<std::mutex> lock(s->mu_);
      s->changed_.notify_all();
    });
  }
  hooks.stop = &s->stop_;
  ARROW_ASSIGN_OR_RAISE(s->run_,
                        SummarizeRun::Open(request, std::move(hooks), RowDestination::kCaller));
  s->sink_ = std::make_unique<QueueSink>(*s, options.batch_rows);
  s->thread_ = std::thread([s] {
    Result<SummarizeReport> report = s->run_->Run(*s->sink_);
    s->run_.reset();  // koku's state (a database session) is not needed any more
    if (report.ok()) {
      s->Finish(Status::OK(), std::move(*report));
    } else {
      s->Finish(report.status(), std::nullopt);
    }
  });
  return stream;
}

SummaryStream::~SummaryStream() { (void)Close(); }

std::shared_ptr<arrow::Schema> SummaryStream::schema() const { return SummaryArrowSchema(); }

Status SummaryStream::ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return !queue_.empty() || outcome_ || closed_; });
  if (closed_) return MakeError(ErrorKind::kUsage, "the summary stream is closed");
  if (!queue_.empty()) {
    *batch = std::move(queue_.front());
    queue_.pop_front();
    changed_.notify_all();
    return Status::OK();
  }
  batch->reset();
  return *outcome_;
}

Status SummaryStream::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    queue_.clear();
  }
  stop_.RequestStop();
  {
    std::lock_guard<std::mutex> lock(mu_);
    changed_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  if (caller_stop_) {
    caller_stop_->RemoveInterrupter(caller_interrupter_);
    caller_stop_ = nullptr;
  }
  return Status::OK();
}

bool SummaryStream::WaitStarted(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return started_; });
}

std::optional<Status> SummaryStream::outcome() const {
  std::lock_guard<std::mutex> lock(mu_);
  return outcome_;
}

std::optional<SummarizeReport> SummaryStream::report() const {
  std::lock_guard<std::mutex> lock(mu_);
  return report_;
}

void SummaryStream::Finish(Status status, std::optional<SummarizeReport> report) {
  std::lock_guard<std::mutex> lock(mu_);
  outcome_ = std::move(status);
  report_ = std::move(report);
  started_ = true;
  changed_.notify_all();
}

}  // namespace ocpagg
