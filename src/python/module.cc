// ocpagg._ocpagg: the extension module under the Python package `ocpagg` (python/ocpagg). It
// runs the library's requests (ocpagg/run) without the GIL, and turns their errors into the
// exception classes of python/ocpagg/_errors.py, one per exit code of the command.
//
// Unlike the command, the module changes nothing process-wide: no signal handling (Python's own
// handlers run while a run waits, and an exception they raise stops the run), no allocator
// settings, no environment. The one exception is at interpreter exit, when Arrow's S3 client, if
// a run started it, is shut down (python/ocpagg/__init__.py), as pyarrow does.

#include <arrow/c/abi.h>
#include <arrow/c/bridge.h>
#include <arrow/filesystem/s3fs.h>
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "ocpagg/engine/run_report.h"
#include "ocpagg/koku/report_type.h"
#include "ocpagg/run/ingest_run.h"
#include "ocpagg/run/summarize_run.h"
#include "ocpagg/run/summary_stream.h"
#include "ocpagg/sinks/summary_encoding.h"
#include "ocpagg/version.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace ocpagg::python {
namespace {

// How often a thread waiting for a run lets Python's signal handlers run.
constexpr std::chrono::milliseconds kSignalCheckPeriod{50};

// Raises the exception class of the status's kind (ocpagg._errors), with its message. The GIL
// must be held.
[[noreturn]] void Raise(const Status& status) {
  nb::object errors = nb::module_::import_("ocpagg._errors");
  nb::object cls = errors.attr("error_class")(static_cast<int>(KindOf(status)));
  PyErr_SetString(cls.ptr(), status.message().c_str());
  throw nb::python_error();
}

// A stop token Python code holds (ocpagg.StopToken); shared, so that a stream still read after
// the Python object is gone keeps it.
struct PyStopToken {
  std::shared_ptr<StopToken> token = std::make_shared<StopToken>();
};

// Drops `p` without holding the GIL when this thread holds it: the last reference to a run
// waits for its thread, which must not wait for the GIL in turn (a lock-wait message does).
template <typename T>
void ResetWithoutGil(std::shared_ptr<T>& p) {
  if (PyGILState_Check()) {
    nb::gil_scoped_release release;
    p.reset();
  } else {
    p.reset();
  }
}

// Runs `fn` on a thread of its own while this one, without the GIL, waits for it and lets
// Python's signal handlers run every kSignalCheckPeriod: an exception one of them raises (a
// KeyboardInterrupt, a Celery time limit) stops the run through `stop`, and is raised once the
// run has unwound.
template <typename F>
auto RunWithoutGil(StopToken& stop, F&& fn) -> decltype(fn()) {
  using R = decltype(fn());
  std::optional<R> result;
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  std::optional<nb::python_error> signal_error;
  std::thread worker([&] {
    R r = fn();
    std::lock_guard<std::mutex> lock(mu);
    result.emplace(std::move(r));
    done = true;
    done_cv.notify_all();
  });
  {
    nb::gil_scoped_release release;
    std::unique_lock<std::mutex> lock(mu);
    while (!done_cv.wait_for(lock, kSignalCheckPeriod, [&] { return done; })) {
      if (signal_error) continue;
      lock.unlock();
      {
        nb::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) signal_error.emplace();
      }
      if (signal_error) stop.RequestStop();
      lock.lock();
    }
  }
  worker.join();
  if (signal_error) throw std::move(*signal_error);
  return std::move(*result);
}

// Messages of a run waiting for another run of the same source go to the `ocpagg` logger.
void LogLockWait(const std::string& message) {
  nb::gil_scoped_acquire gil;
  nb::module_::import_("logging").attr("getLogger")("ocpagg").attr("warning")(message);
}

std::shared_ptr<StopToken> TokenOf(PyStopToken* stop) {
  return stop ? stop->token : std::make_shared<StopToken>();
}

std::string PySummarize(const SummarizeRequest& request, PyStopToken* stop,
                        const std::string& report_path) {
  std::shared_ptr<StopToken> token = TokenOf(stop);
  Result<std::string> json = RunWithoutGil(*token, [&]() -> Result<std::string> {
    SummarizeHooks hooks;
    hooks.stop = token.get();
    hooks.on_lock_wait = LogLockWait;
    ARROW_ASSIGN_OR_RAISE(auto run, SummarizeRun::Open(request, std::move(hooks)));
    ARROW_ASSIGN_OR_RAISE(SummarizeReport report, run->Run(*run->sink()));
    if (!report_path.empty()) ARROW_RETURN_NOT_OK(WriteRunReport(report, report_path));
    return RunReportJson(report);
  });
  if (!json.ok()) Raise(json.status());
  return *json;
}

nb::dict IngestReportDict(const IngestReport& r) {
  nb::dict d;
  d["months"] = r.months;
  d["elapsed_seconds"] = r.elapsed_seconds;
  nb::dict types;
  for (int t = 0; t < static_cast<int>(r.by_type.size()); ++t) {
    const ReportTypeCounts& c = r.by_type[t];
    nb::dict counts;
    counts["csv_files"] = c.csv_files;
    counts["csv_rows"] = c.csv_rows;
    counts["anomalous_rows"] = c.anomalous_rows;
    counts["hourly_rows"] = c.hourly_rows;
    counts["hourly_files"] = c.hourly_files;
    counts["daily_rows"] = c.daily_rows;
    counts["daily_files"] = c.daily_files;
    types[nb::str(std::string(ReportTypeName(static_cast<ReportType>(t))).c_str())] = counts;
  }
  d["report_types"] = types;
  nb::list files;
  for (const WrittenFile& f : r.files) {
    nb::dict file;
    file["path"] = f.relative_path;
    file["report_type"] = std::string(ReportTypeName(f.type));
    file["daily"] = f.daily;
    file["rows"] = f.rows;
    files.append(file);
  }
  d["files"] = files;
  nb::list skipped;
  for (const SkippedReport& s : r.skipped) {
    nb::dict one;
    one["file"] = s.file;
    one["reason"] = s.reason;
    skipped.append(one);
  }
  d["skipped"] = skipped;
  d["unlisted_files"] = r.unlisted_files;
  d["bad_lines_skipped"] = r.bad_lines_skipped;
  d["label_keys"] = r.label_keys;
  return d;
}

nb::dict PyIngest(const IngestRequest& request, PyStopToken* stop) {
  std::shared_ptr<StopToken> token = TokenOf(stop);
  LineItemLoadReport loaded;
  Result<IngestReport> report = RunWithoutGil(*token, [&]() -> Result<IngestReport> {
    ARROW_ASSIGN_OR_RAISE(IngestOptions options, IngestOptionsFor(request, token.get()));
    if (request.postgres.empty()) return IngestPayload(options);
    return IngestToPostgres(options, LoadOptionsFor(request, token.get()), &loaded);
  });
  if (!report.ok()) Raise(report.status());
  nb::dict d = IngestReportDict(*report);
  if (!request.postgres.empty()) {
    nb::dict tables;
    tables["rows"] = loaded.rows;
    tables["rows_replaced"] = loaded.rows_deleted;
    d["line_items"] = tables;
  }
  return d;
}

// The names of the Arrow PyCapsule interface.
constexpr char kStreamCapsule[] = "arrow_array_stream";
constexpr char kSchemaCapsule[] = "arrow_schema";

// A C data interface struct (ArrowSchema, ArrowArrayStream) filled by `fill`, in a PyCapsule
// named `kName` that releases it when dropped, unless a consumer moved it out.
template <typename T, const char* kName, typename Fill>
nb::object ExportCapsule(Fill fill) {
  auto c_struct = std::make_unique<T>();
  Status st = fill(c_struct.get());
  if (!st.ok()) Raise(st);
  PyObject* capsule = PyCapsule_New(c_struct.get(), kName, [](PyObject* capsule) {
    auto* s = static_cast<T*>(PyCapsule_GetPointer(capsule, kName));
    if (s->release) s->release(s);
    delete s;
  });
  if (!capsule) {
    c_struct->release(c_struct.get());
    throw nb::python_error();
  }
  c_struct.release();
  return nb::steal(capsule);
}

// What a consumer of the Arrow C stream holds: the run, and the stop token it listens to.
class ExportedReader : public arrow::RecordBatchReader {
 public:
  ExportedReader(std::shared_ptr<SummaryStream> stream, std::shared_ptr<StopToken> token)
      : token_(std::move(token)), stream_(std::move(stream)) {}
  ~ExportedReader() override { ResetWithoutGil(stream_); }
  std::shared_ptr<arrow::Schema> schema() const override { return stream_->schema(); }
  Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    return stream_->ReadNext(batch);
  }
  Status Close() override { return stream_->Close(); }

 private:
  std::shared_ptr<StopToken> token_;  // declared first: outlives the stream
  std::shared_ptr<SummaryStream> stream_;
};

// ocpagg._ocpagg.SummaryStream: a started run whose rows Python reads once, through the Arrow
// PyCapsule interface (python/ocpagg/__init__.py wraps it).
class PySummaryStream {
 public:
  PySummaryStream(std::shared_ptr<SummaryStream> stream, std::shared_ptr<StopToken> token)
      : token_(std::move(token)), stream_(std::move(stream)) {}
  PySummaryStream(PySummaryStream&&) = default;
  ~PySummaryStream() { ResetWithoutGil(stream_); }

  nb::object ExportStream() {
    if (!stream_) Raise(UsageError("the summary stream is closed"));
    if (exported_) {
      Raise(
          UsageError("the summary stream was read already: its rows can be read once; run "
                     "summarize_to_arrow again to read them again"));
    }
    nb::object capsule =
        ExportCapsule<ArrowArrayStream, kStreamCapsule>([&](ArrowArrayStream* out) {
          return arrow::ExportRecordBatchReader(std::make_shared<ExportedReader>(stream_, token_),
                                                out);
        });
    exported_ = true;
    return capsule;
  }

  void Close() {
    if (!stream_) return;
    nb::gil_scoped_release release;
    (void)stream_->Close();
  }

  // The run report (--report's JSON) once the run has succeeded, else None.
  std::optional<std::string> ReportJson() const {
    if (!stream_) return std::nullopt;
    auto report = stream_->report();
    if (!report) return std::nullopt;
    return RunReportJson(*report);
  }

  // The run's error, if it ended with one: (exit code, message).
  std::optional<std::pair<int, std::string>> Error() const {
    if (!stream_) return std::nullopt;
    auto outcome = stream_->outcome();
    if (!outcome || outcome->ok()) return std::nullopt;
    return std::pair<int, std::string>(static_cast<int>(KindOf(*outcome)), outcome->message());
  }

 private:
  bool exported_ = false;
  std::shared_ptr<StopToken> token_;
  std::shared_ptr<SummaryStream> stream_;
};

PySummaryStream StartStream(const SummarizeRequest& request, PyStopToken* stop,
                            int64_t batch_rows) {
  std::shared_ptr<StopToken> token = TokenOf(stop);
  Result<std::shared_ptr<SummaryStream>> stream =
      RunWithoutGil(*token, [&]() -> Result<std::shared_ptr<SummaryStream>> {
        SummarizeHooks hooks;
        hooks.stop = token.get();
        hooks.on_lock_wait = LogLockWait;
        SummaryStreamOptions options;
        if (batch_rows > 0) options.batch_rows = batch_rows;
        ARROW_ASSIGN_OR_RAISE(auto s, SummaryStream::Start(request, std::move(hooks), options));
        // Errors before the first row (options, input, koku's state) are this call's to raise.
        while (!s->WaitStarted(std::chrono::seconds(1))) {
        }
        if (auto outcome = s->outcome(); outcome && !outcome->ok()) return *outcome;
        return s;
      });
  if (!stream.ok()) Raise(stream.status());
  return PySummaryStream(std::move(*stream), std::move(token));
}

nb::object SchemaCapsule() {
  return ExportCapsule<ArrowSchema, kSchemaCapsule>(
      [](ArrowSchema* out) { return arrow::ExportSchema(*SummaryArrowSchema(), out); });
}

void FinalizeS3() {
  if (arrow::fs::IsS3Initialized()) (void)arrow::fs::EnsureS3Finalized();
}

}  // namespace
}  // namespace ocpagg::python

NB_MODULE(_ocpagg, m) {
  using namespace ocpagg;
  using namespace ocpagg::python;
  m.doc() = "The native part of the ocpagg package: use the functions of `ocpagg` instead.";
  m.attr("__version__") = std::string(kVersion);

  nb::class_<PyStopToken>(m, "StopToken")
      .def(nb::init<>())
      .def(
          "stop", [](PyStopToken& t) { t.token->RequestStop(); },
          "Asks the runs given this token to stop.")
      .def_prop_ro("stopped", [](const PyStopToken& t) { return t.token->stop_requested(); });

  // The --s3-* options, shared by both requests.
  nb::class_<S3Request>(m, "S3Request")
      .def(nb::init<>())
      .def_rw("s3_endpoint", &S3Request::s3_endpoint)
      .def_rw("s3_region", &S3Request::s3_region)
      .def_rw("s3_access_key", &S3Request::s3_access_key)
      .def_rw("s3_secret_key", &S3Request::s3_secret_key)
      .def_rw("s3_addressing", &S3Request::s3_addressing)
      .def_rw("s3_scheme", &S3Request::s3_scheme);

  nb::class_<SummarizeRequest, S3Request>(m, "SummarizeRequest")
      .def(nb::init<>())
      .def_rw("input", &SummarizeRequest::input)
      .def_rw("source", &SummarizeRequest::source)
      .def_rw("year", &SummarizeRequest::year)
      .def_rw("month", &SummarizeRequest::month)
      .def_rw("start_date", &SummarizeRequest::start_date)
      .def_rw("end_date", &SummarizeRequest::end_date)
      .def_rw("account", &SummarizeRequest::account)
      .def_rw("cluster_id", &SummarizeRequest::cluster_id)
      .def_rw("cluster_alias", &SummarizeRequest::cluster_alias)
      .def_rw("compat", &SummarizeRequest::compat)
      .def_rw("output", &SummarizeRequest::output)
      .def_rw("postgres", &SummarizeRequest::postgres)
      .def_rw("schema", &SummarizeRequest::schema)
      .def_rw("create_schema", &SummarizeRequest::create_schema)
      .def_rw("format", &SummarizeRequest::format)
      .def_rw("tables", &SummarizeRequest::tables)
      .def_rw("enabled_keys", &SummarizeRequest::enabled_keys)
      .def_rw("cost_categories", &SummarizeRequest::cost_categories)
      .def_rw("enabled_key_list", &SummarizeRequest::enabled_key_list)
      .def_prop_rw(
          "cost_category_list",
          [](const SummarizeRequest& r) {
            std::optional<std::vector<std::pair<int32_t, std::string>>> out;
            if (r.cost_category_list) {
              out.emplace();
              for (const auto& c : *r.cost_category_list) {
                out->emplace_back(c.cost_category_id, c.pattern);
              }
            }
            return out;
          },
          [](SummarizeRequest& r,
             std::optional<std::vector<std::pair<int32_t, std::string>>> list) {
            r.cost_category_list.reset();
            if (!list) return;
            r.cost_category_list.emplace();
            for (auto& [id, pattern] : *list) {
              r.cost_category_list->push_back({std::move(pattern), id});
            }
          },
          nb::arg("list").none())
      .def_rw("report_period_id", &SummarizeRequest::report_period_id)
      .def_rw("nodes_file", &SummarizeRequest::nodes_file)
      .def_rw("config", &SummarizeRequest::config)
      .def_rw("threads", &SummarizeRequest::threads)
      .def_rw("mode", &SummarizeRequest::mode)
      .def_rw("memory_limit", &SummarizeRequest::memory_limit)
      .def_rw("max_days_in_flight", &SummarizeRequest::max_days_in_flight)
      .def_rw("batch_rows", &SummarizeRequest::batch_rows)
      .def_rw("no_spill", &SummarizeRequest::no_spill)
      .def_rw("spill_dir", &SummarizeRequest::spill_dir)
      .def_rw("max_state_memory", &SummarizeRequest::max_state_memory)
      .def_rw("connect_timeout", &SummarizeRequest::connect_timeout)
      .def_rw("statement_timeout", &SummarizeRequest::statement_timeout)
      .def_rw("lock_timeout", &SummarizeRequest::lock_timeout);

  nb::class_<IngestRequest, S3Request>(m, "IngestRequest")
      .def(nb::init<>())
      .def_rw("payload", &IngestRequest::payload)
      .def_rw("output", &IngestRequest::output)
      .def_rw("config", &IngestRequest::config)
      .def_rw("source", &IngestRequest::source)
      .def_rw("account", &IngestRequest::account)
      .def_rw("manifest_id", &IngestRequest::manifest_id)
      .def_rw("chunk_rows", &IngestRequest::chunk_rows)
      .def_rw("row_group_rows", &IngestRequest::row_group_rows)
      .def_rw("postgres", &IngestRequest::postgres)
      .def_rw("schema", &IngestRequest::schema)
      .def_rw("create_schema", &IngestRequest::create_schema);

  nb::class_<PySummaryStream>(m, "SummaryStream")
      .def("export", &PySummaryStream::ExportStream)
      .def("close", &PySummaryStream::Close)
      .def("report_json", &PySummaryStream::ReportJson)
      .def("error", &PySummaryStream::Error);

  m.def("summarize", &PySummarize, "request"_a, "stop"_a.none(), "report"_a);
  m.def("ingest", &PyIngest, "request"_a, "stop"_a.none());
  m.def("start_stream", &StartStream, "request"_a, "stop"_a.none(), "batch_rows"_a);
  m.def("summary_schema", &SchemaCapsule);
  m.def("finalize_s3", &FinalizeS3);
}
