#include "ocpagg/common/status.h"

namespace ocpagg {

std::string ErrorKindDetail::ToString() const {
  switch (kind_) {
    case ErrorKind::kUsage:
      return "usage";
    case ErrorKind::kBadInput:
      return "bad input";
    case ErrorKind::kSink:
      return "sink";
    case ErrorKind::kMemoryLimit:
      return "memory limit";
    case ErrorKind::kNoData:
      return "no data";
    case ErrorKind::kInterrupted:
      return "interrupted";
    case ErrorKind::kInternal:
      return "internal";
  }
  return "unknown";
}

Status MakeError(ErrorKind kind, std::string message) {
  arrow::StatusCode code = arrow::StatusCode::Invalid;
  if (kind == ErrorKind::kSink) code = arrow::StatusCode::IOError;
  if (kind == ErrorKind::kMemoryLimit) code = arrow::StatusCode::OutOfMemory;
  if (kind == ErrorKind::kInternal) code = arrow::StatusCode::UnknownError;
  return Status(code, std::move(message), std::make_shared<ErrorKindDetail>(kind));
}

ErrorKind KindOf(const Status& status) {
  if (auto detail = status.detail();
      detail && std::string_view(detail->type_id()) == "ocpagg::ErrorKindDetail") {
    return static_cast<const ErrorKindDetail&>(*detail).kind();
  }
  switch (status.code()) {
    case arrow::StatusCode::Invalid:
    case arrow::StatusCode::TypeError:
    case arrow::StatusCode::IOError:
    case arrow::StatusCode::SerializationError:
    case arrow::StatusCode::KeyError:
    case arrow::StatusCode::IndexError:
      return ErrorKind::kBadInput;
    case arrow::StatusCode::OutOfMemory:
      return ErrorKind::kMemoryLimit;
    default:
      return ErrorKind::kInternal;
  }
}

Status WithContext(const Status& status, std::string_view context) {
  if (status.ok()) return status;
  return Status(status.code(), fmt::format("{}: {}", context, status.message()), status.detail());
}

}  // namespace ocpagg
