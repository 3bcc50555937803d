#pragma once
// Test support: loading summary rows from CSV files (koku's expected_summary.csv, or ocpagg's
// own CSV output, or rows read back from PostgreSQL) and comparing them as koku's golden
// README prescribes: same keys and row counts, labels equal as JSON, numbers equal within
// relative 1e-9 (absolute 1e-12), NULL distinct from the empty string.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ocpagg::testing {

using Field = std::optional<std::string>;  // nullopt = NULL
struct SummaryTable {
  std::vector<std::string> columns;
  std::vector<std::vector<Field>> rows;
  int ColumnIndex(const std::string& name) const;
};

enum class NullStyle {
  kBackslashN,     // \N is NULL, an empty field is '' (expected_summary.csv, COPY text)
  kUnquotedEmpty,  // an unquoted empty field is NULL, "" is '' (PostgreSQL CSV)
};

// Parses an RFC 4180 CSV file with a header line.
SummaryTable LoadCsv(const std::string& path, NullStyle nulls);

// Compares `actual` against `expected` on the columns of `expected` (minus `ignore`), as
// multisets of rows. Returns human-readable differences; empty means equal.
std::vector<std::string> CompareSummaries(const SummaryTable& expected, const SummaryTable& actual,
                                          const std::vector<std::string>& ignore = {});

// Rows per data_source value, for quick count checks.
std::map<std::string, int> CountByDataSource(const SummaryTable& table);

}  // namespace ocpagg::testing
