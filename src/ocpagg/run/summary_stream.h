#pragma once
// A summary run whose rows the program consumes itself, as Arrow record batches of
// SummaryArrowSchema() (sinks/summary_encoding.h): the run goes on a thread of its own and
// hands batches over a bounded queue, so that memory holds a few batches whatever the size of
// the output, and the run waits while the reader does not pull. Closing the reader before the
// end stops the run (koku's state is left as it was) and waits for it to unwind.
//
// Days arrive in date order. Each row gets a new uuid, as a sink would write it.

#include <arrow/record_batch.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "ocpagg/common/status.h"
#include "ocpagg/common/stop_token.h"
#include "ocpagg/run/summarize_run.h"

namespace ocpagg {

struct SummaryStreamOptions {
  int64_t batch_rows = 1024;  // rows per batch (the engine's chunk); the last may hold fewer
  size_t queued_batches = 2;  // batches made ahead of the reader
};

class SummaryStream : public arrow::RecordBatchReader {
 public:
  // Opens the run as SummarizeRun::Open does (rows to the caller: `request.postgres`, if given,
  // holds koku's state) and starts it. A stop through `hooks.stop` ends the run as Close() does.
  static Result<std::shared_ptr<SummaryStream>> Start(const SummarizeRequest& request,
                                                      SummarizeHooks hooks,
                                                      SummaryStreamOptions options = {});
  ~SummaryStream() override;  // Close()

  std::shared_ptr<arrow::Schema> schema() const override;
  // The next batch; null at the end of a run that succeeded; the run's error if it failed.
  Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override;
  // Stops the run if it is still going and waits for it to end. Later reads fail.
  Status Close() override;

  // Waits at most `timeout` for the run to write its first rows or to end; true if it has.
  // Whatever makes a run fail before its first row (options, input, koku's state) is known then.
  bool WaitStarted(std::chrono::milliseconds timeout);
  // Once the run has ended: OK or its error (nullopt while it runs).
  std::optional<Status> outcome() const;
  // The run's report, once it has succeeded.
  std::optional<SummarizeReport> report() const;

 private:
  class QueueSink;
  SummaryStream();
  void Finish(Status status, std::optional<SummarizeReport> report);

  std::unique_ptr<SummarizeRun> run_;
  std::unique_ptr<QueueSink> sink_;
  StopToken stop_;
  StopToken* caller_stop_ = nullptr;
  int caller_interrupter_ = -1;
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::shared_ptr<arrow::RecordBatch>> queue_;
  size_t capacity_ = 2;
  bool started_ = false;
  bool closed_ = false;
  std::optional<Status> outcome_;
  std::optional<SummarizeReport> report_;
};

}  // namespace ocpagg
