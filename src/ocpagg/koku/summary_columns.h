#pragma once
// The columns of reporting_ocpusagelineitem_daily_summary that ocpagg writes, described once:
// name, type, nullability and how to read the value from a row. Every encoder (COPY text,
// CSV, Arrow/Parquet), the column lists and the --create-schema DDL iterate this table, so a
// column is added by one line here plus its computation (CONTRIBUTING.md, "Adding a column").
// The order is the order of the files and of koku's expected_summary.csv.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "ocpagg/koku/summary_row.h"

namespace ocpagg {

// How a column is typed in every encoding:
//                 Arrow      PostgreSQL      CSV / COPY text
//   kUuid         utf8       uuid            36 characters
//   kInt32        int32      integer         decimal
//   kText         utf8       varchar/text    as is (quoted as the format needs)
//   kJson         utf8       jsonb           compact JSON
//   kDate         date32     date            YYYY-MM-DD
//   kNumeric      float64    numeric(33,15)  shortest round-trip (CSV), koku's text (COPY)
enum class SummaryColumnType : uint8_t { kUuid, kInt32, kText, kJson, kDate, kNumeric };

// What a value is read from: the row, the run's identity and the row's generated uuid.
struct RowContext {
  const SummaryRow& row;
  const RunIdentity& run;
  std::string_view uuid;
};

struct SummaryColumn {
  std::string_view name;
  SummaryColumnType type;
  std::string_view sql_type;  // PostgreSQL type in koku's table
  bool nullable;
  // The accessor of the column's type (the others are null): nullopt is NULL.
  std::optional<std::string_view> (*text)(const RowContext&) = nullptr;  // kUuid/kText/kJson
  std::optional<int32_t> (*int32)(const RowContext&) = nullptr;          // kInt32
  Date (*date)(const RowContext&) = nullptr;                             // kDate
  std::optional<double> (*number)(const RowContext&) = nullptr;          // kNumeric
};

inline constexpr size_t kSummaryColumnCount = 37;
extern const std::array<SummaryColumn, kSummaryColumnCount> kSummaryColumns;

}  // namespace ocpagg
