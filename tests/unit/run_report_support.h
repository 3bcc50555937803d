#pragma once
// Reading the run report (`summarize --report FILE.json`) in tests.

#include <string>

#include "unit/ingest_test_support.h"

namespace ocpagg::testing {

using ingest_test::ReadText;

// The value of a numeric field of a run report ("name": 1.5); -1 when it is missing.
inline double ReportValue(const std::string& report, const std::string& name) {
  const auto at = report.find("\"" + name + "\": ");
  if (at == std::string::npos) return -1;
  return std::stod(report.substr(at + name.size() + 4));
}

}  // namespace ocpagg::testing
