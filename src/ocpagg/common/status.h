#pragma once
// One error style for the whole code base: arrow::Status / arrow::Result<T>, with
// ARROW_RETURN_NOT_OK / ARROW_ASSIGN_OR_RAISE. What kind of failure it is (and so which exit
// code the command returns) travels as an ErrorKindDetail attached to the Status.

#include <arrow/result.h>
#include <arrow/status.h>
#include <fmt/format.h>

#include <memory>
#include <string>

namespace ocpagg {

using arrow::Result;
using arrow::Status;

// Exit codes of the `ocpagg` command, one per kind of failure.
enum class ErrorKind : int {
  kUsage = 2,          // bad flags or configuration
  kBadInput = 3,       // input data that cannot be read as koku's format
  kSink = 4,           // the database or the output files failed
  kMemoryLimit = 5,    // the work does not fit the memory limit and spilling is disabled
  kNoData = 6,         // the input holds no rows for the source and range: nothing was changed
  kInterrupted = 130,  // stopped by SIGINT (130) or SIGTERM (143: the CLI adds the signal)
  kInternal = 70,      // a bug: an invariant did not hold
};

class ErrorKindDetail : public arrow::StatusDetail {
 public:
  explicit ErrorKindDetail(ErrorKind kind) : kind_(kind) {}
  const char* type_id() const override { return "ocpagg::ErrorKindDetail"; }
  std::string ToString() const override;
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// Builds a Status of the given kind; the message should say what, where and what to do.
Status MakeError(ErrorKind kind, std::string message);

template <typename... Args>
Status UsageError(fmt::format_string<Args...> f, Args&&... args) {
  return MakeError(ErrorKind::kUsage, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
Status BadInput(fmt::format_string<Args...> f, Args&&... args) {
  return MakeError(ErrorKind::kBadInput, fmt::format(f, std::forward<Args>(args)...));
}
// A broken invariant: a bug, not bad input (exit code 70).
template <typename... Args>
Status InternalError(fmt::format_string<Args...> f, Args&&... args) {
  return MakeError(ErrorKind::kInternal, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
Status SinkError(fmt::format_string<Args...> f, Args&&... args) {
  return MakeError(ErrorKind::kSink, fmt::format(f, std::forward<Args>(args)...));
}

// The kind a Status carries; statuses not made by MakeError count as kBadInput when Arrow
// reported invalid or IO trouble while reading, else kInternal.
ErrorKind KindOf(const Status& status);

// Adds context in front of the message, keeping code and kind ("file.csv: " + message).
Status WithContext(const Status& status, std::string_view context);

}  // namespace ocpagg
