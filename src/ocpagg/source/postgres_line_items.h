#pragma once
// koku's on-prem line items (docs/semantics.md "On-prem line-item tables"): the same five tables
// as the Parquet layout, held in PostgreSQL by koku's self-hosted processor (or by `ocpagg
// ingest --postgres`). Read one table and one day at a time with COPY (SELECT ...) TO STDOUT
// (FORMAT binary), parsed as it streams into the typed batches the Parquet reader makes, so
// that the rows go through the same day engine in the same bounded memory. Each read takes a
// connection of its own from a pool: workers read days in parallel.

#include <absl/functional/function_ref.h>

#include <array>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/common/stop_token.h"
#include "ocpagg/koku/date.h"
#include "ocpagg/koku/tables.h"
#include "ocpagg/pg/connection.h"
#include "ocpagg/source/parquet_scan.h"

namespace ocpagg {

// A libpq URL ("postgresql://..." or "postgres://...") rather than a directory or file URI.
bool IsPostgresUrl(std::string_view input);

struct PgLineItemsLocation {
  std::string url;
  std::string schema;  // koku tenant schema, e.g. org1234567
  std::string source_uuid;
  int year = 0;
  unsigned month = 0;
  pg::ConnectionOptions connection;
};

// Rows of one table on one day (usage_start).
struct DayRows {
  Date day = 0;
  int64_t rows = 0;
};

class PgLineItems {
 public:
  // Connects and checks that the five tables exist with koku's columns, of types the summary
  // can read (BadInput naming the table and column otherwise).
  static Result<std::unique_ptr<PgLineItems>> Open(PgLineItemsLocation location);
  ~PgLineItems();

  const PgLineItemsLocation& location() const { return location_; }

  // The days of [first, last] with rows of `t` in the source and month, and how many.
  Result<std::vector<DayRows>> CountDays(InputTable t, Date first, Date last) const;

  // "org1234567.openshift_pod_usage_line_items_daily, usage_start 2025-10-03": where a row's
  // error happened.
  std::string UnitName(InputTable t, Date day) const;
  // The same for the days [first, last].
  std::string RangeName(InputTable t, Date first, Date last) const;

  // Streams the rows of `t` with usage_start `day`, `batch_rows` at a time, as batches of the
  // table's columns (ColumnsOf(t)); with `columns`, only those are read, the others being
  // nullptr, as are optional columns the table lacks. Batches carry each row's id
  // (Batch::row_ids) for messages. The hourly pod table is read already reduced to one row per
  // (interval_start, node) holding the maximum capacities, which is all the capacity step
  // keeps of it (docs/semantics.md "Capacity"). A value that cannot be read fails with BadInput
  // naming the table, column and row id.
  Status ReadDay(InputTable t, Date day, std::span<const int> columns, int64_t batch_rows,
                 absl::FunctionRef<Status(const ParquetScan::Batch&)> fn) const;

  // The rows of `t` whose usage_start and interval_start lie in [first, last], grouped by the
  // `keys` columns in one query the server reduces: a row per distinct combination of them, with
  // the maximum of each `maxima` column (text in byte order, numbers in PostgreSQL's float8
  // order) and the least interval_start (the table's column 0), streamed as ReadDay streams rows
  // but without row ids. For a fold that keeps only maxima and sets of values (koku's nodes
  // query, docs/semantics.md "Node roles"), the same result as every row, at a fraction of the
  // transfer.
  Status ReadGrouped(InputTable t, Date first, Date last, std::span<const int> keys,
                     std::span<const int> maxima, int64_t batch_rows,
                     absl::FunctionRef<Status(const ParquetScan::Batch&)> fn) const;

 private:
  // How each of the table's columns is selected: its SQL expression, or absent.
  struct TableColumns {
    std::vector<std::string> select;  // per ColumnsOf(t) column; empty: the table lacks it
    bool has_id = false;
  };

  explicit PgLineItems(PgLineItemsLocation location) : location_(std::move(location)) {}
  Status ResolveColumns(pg::Connection& conn);
  std::string Where(InputTable t, Date first, Date last) const;
  std::string QualifiedName(InputTable t) const;
  // The columns of `t` to read, of those asked (all when empty) the ones the table has.
  std::vector<int> Selected(InputTable t, std::span<const int> columns) const;
  // Runs `query` (its columns: the row id when `with_id`, then `selected`) as a binary COPY on a
  // pooled connection, its rows to `fn` in batches; `unit` names it in errors. With `settings`
  // (SET LOCAL statements), in a transaction of its own, which they last for.
  Status CopyRows(InputTable t, const std::string& query, std::string unit,
                  std::vector<int> selected, bool with_id, int64_t batch_rows,
                  absl::FunctionRef<Status(const ParquetScan::Batch&)> fn,
                  std::string_view settings = {}) const;
  Result<std::unique_ptr<pg::Connection>> Acquire() const;
  void Release(std::unique_ptr<pg::Connection> conn) const;

  PgLineItemsLocation location_;
  std::string schema_sql_;  // quoted
  std::array<TableColumns, kInputTableCount> columns_;
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<pg::Connection>> idle_;
};

}  // namespace ocpagg
