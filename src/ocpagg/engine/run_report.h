#pragma once
// The run report of `summarize --report FILE.json`: what was read, written, how long each phase
// took, and the memory the process really used.

#include <string>

#include "ocpagg/common/status.h"
#include "ocpagg/engine/summarize.h"

namespace ocpagg {

// The report as a JSON document (one object, stable key names).
std::string RunReportJson(const SummarizeReport& report);
// Writes it to `path` (replacing the file).
Status WriteRunReport(const SummarizeReport& report, const std::string& path);

}  // namespace ocpagg
