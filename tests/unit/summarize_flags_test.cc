// Every numeric flag has a range and every identifier is checked the same way by every command:
// a value out of range stops with exit code 2 and a message naming the flag, before any input
// is read or any output touched.

#include <gtest/gtest.h>

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "support/process.h"

namespace ocpagg::testing {
namespace {

constexpr int kUsage = 2;
const char* kSource = "00000000-0000-0000-0000-000000000001";

struct BadFlag {
  std::string name;  // for the test's name
  std::vector<std::string> args;
  std::string message;  // part of what the error must say
};

void PrintTo(const BadFlag& f, std::ostream* os) { *os << f.name; }

std::vector<std::string> SummarizeWith(const std::vector<std::string>& override,
                                       const std::string& out) {
  std::vector<std::string> argv = {OcpaggBinary(), "summarize", "--input",      "/nonexistent",
                                   "--month",      "10",        "--cluster-id", "c",
                                   "--output",     out};
  bool has_year = false, has_source = false;
  for (const auto& a : override) {
    has_year |= a == "--year";
    has_source |= a == "--source";
  }
  if (!has_year) argv.insert(argv.end(), {"--year", "2025"});
  if (!has_source) argv.insert(argv.end(), {"--source", kSource});
  argv.insert(argv.end(), override.begin(), override.end());
  return argv;
}

class SummarizeFlags : public ::testing::TestWithParam<BadFlag> {};

TEST_P(SummarizeFlags, OutOfRangeValueStopsWithExit2NamingTheFlag) {
  TempDir tmp;
  const std::string out = tmp.path() + "/out";
  auto r = RunProcess(SummarizeWith(GetParam().args, out));
  EXPECT_EQ(r.exit_code, kUsage) << r.output;
  EXPECT_NE(r.output.find(GetParam().message), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out));
}

INSTANTIATE_TEST_SUITE_P(
    Ranges, SummarizeFlags,
    ::testing::Values(
        BadFlag{"YearTooLarge", {"--year", "99999999"}, "--year"},
        BadFlag{"YearZero", {"--year", "0"}, "--year"},
        BadFlag{"YearNegative", {"--year", "-5"}, "--year"},
        BadFlag{"SourceNotAUuid", {"--source", "xyz"}, "--source 'xyz' is not a UUID"},
        BadFlag{"AccountWithSlash", {"--account", "../x"}, "--account"},
        BadFlag{"MemoryLimitZero", {"--memory-limit", "0"}, "--memory-limit"},
        BadFlag{"ThreadsTooMany", {"--threads", "1000"}, "--threads"},
        BadFlag{"ThreadsZero", {"--threads", "0"}, "--threads"},
        BadFlag{"DaysInFlightNegative", {"--max-days-in-flight", "-3"}, "--max-days-in-flight"},
        BadFlag{"BatchRowsTooMany", {"--batch-rows", "100000000"}, "--batch-rows"},
        BadFlag{"ReportPeriodNegative", {"--report-period-id", "-1"}, "--report-period-id"},
        BadFlag{"LockTimeoutNegative", {"--lock-timeout", "-1"}, "--lock-timeout"}),
    [](const auto& info) { return info.param.name; });

TEST(IngestFlags, SourceIsCheckedAsSummarizeChecksIt) {
  TempDir tmp;
  auto r = RunProcess(
      {OcpaggBinary(), "ingest", tmp.path(), "--output", tmp.path() + "/out", "--source", "xyz"});
  EXPECT_EQ(r.exit_code, kUsage) << r.output;
  EXPECT_NE(r.output.find("--source 'xyz' is not a UUID"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace ocpagg::testing
