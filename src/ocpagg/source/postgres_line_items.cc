#include "ocpagg/source/postgres_line_items.h"

#include <arrow/api.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <variant>

#include "ocpagg/common/uuid.h"
#include "ocpagg/koku/identifiers.h"
#include "ocpagg/source/koku_tables.h"

namespace ocpagg {
namespace {

// PostgreSQL's binary timestamps count microseconds from 2000-01-01 00:00 UTC.
constexpr int64_t kPgEpochMicros = 946'684'800'000'000;
constexpr char kCopySignature[] = "PGCOPY\n\377\r\n";  // and a NUL: 11 bytes

int16_t ReadInt16(const char* p) {
  return static_cast<int16_t>((static_cast<uint16_t>(static_cast<uint8_t>(p[0])) << 8) |
                              static_cast<uint8_t>(p[1]));
}
int32_t ReadInt32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return static_cast<int32_t>(v);
}
uint64_t ReadUint64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// The SQL expression that reads column `name` of PostgreSQL type `type` as the binary form the
// batch builder expects (timestamp: int64 microseconds, number: float8, string: text); empty
// when the type cannot be read as `want`.
std::string SelectExpression(const std::string& quoted, std::string_view type, ColumnType want) {
  switch (want) {
    case ColumnType::kTimestamp:
      if (type == "timestamp with time zone" || type == "timestamp without time zone") {
        return quoted;
      }
      if (type == "date") return quoted + "::timestamp";
      return {};
    case ColumnType::kNumber:
      if (type == "double precision") return quoted;
      if (type == "real" || type == "numeric" || type == "integer" || type == "bigint" ||
          type == "smallint") {
        return quoted + "::float8";
      }
      return {};
    case ColumnType::kString:
      if (type == "text" || type == "character varying") return quoted;
      if (type == "character" || type == "jsonb" || type == "json") return quoted + "::text";
      return {};
  }
  return {};
}

std::string_view TypeName(ColumnType t) {
  switch (t) {
    case ColumnType::kTimestamp:
      return "a timestamp";
    case ColumnType::kNumber:
      return "a number";
    case ColumnType::kString:
      return "text";
  }
  return "?";
}

// Builds batches of one COPY's rows: the row id (when selected), then the selected columns.
class CopyBatchBuilder {
 public:
  CopyBatchBuilder(std::string unit, std::span<const ColumnSpec> specs, std::vector<int> selected,
                   bool with_id, int64_t batch_rows)
      : unit_(std::move(unit)),
        specs_(specs),
        selected_(std::move(selected)),
        with_id_(with_id),
        batch_rows_(std::max<int64_t>(batch_rows, 1)) {
    for (int c : selected_) {
      switch (specs_[c].type) {
        case ColumnType::kTimestamp:
          builders_.emplace_back(std::make_unique<arrow::TimestampBuilder>(
              arrow::timestamp(arrow::TimeUnit::MICRO), arrow::default_memory_pool()));
          break;
        case ColumnType::kNumber:
          builders_.emplace_back(std::make_unique<arrow::DoubleBuilder>());
          break;
        case ColumnType::kString:
          builders_.emplace_back(std::make_unique<arrow::StringBuilder>());
          break;
      }
    }
    batch_.columns.resize(specs_.size());
  }

  // Parses the COPY stream's bytes as they come, handing full batches to `fn`.
  Status Add(std::string_view data, absl::FunctionRef<Status(const ParquetScan::Batch&)> fn) {
    if (pending_.empty()) {
      const size_t used = Consume(data.data(), data.size(), fn);
      if (!status_.ok()) return status_;
      pending_.assign(data.substr(used));
      return Status::OK();
    }
    pending_.append(data);
    const size_t used = Consume(pending_.data(), pending_.size(), fn);
    if (!status_.ok()) return status_;
    pending_.erase(0, used);
    return Status::OK();
  }

  Status Finish(absl::FunctionRef<Status(const ParquetScan::Batch&)> fn) {
    if (!ended_ || !pending_.empty()) {
      return BadInput("{}: the COPY stream ended in the middle of a row", unit_);
    }
    return Flush(fn);
  }

 private:
  // Parses whole rows from [p, p+n); returns the bytes used. Sets status_ on error.
  size_t Consume(const char* p, size_t n, absl::FunctionRef<Status(const ParquetScan::Batch&)> fn) {
    size_t pos = 0;
    if (!header_read_) {
      if (n < 19) return 0;
      if (std::memcmp(p, kCopySignature, 11) != 0) {
        status_ = BadInput("{}: not a binary COPY stream", unit_);
        return 0;
      }
      const size_t ext = static_cast<uint32_t>(ReadInt32(p + 15));
      if (n < 19 + ext) return 0;
      pos = 19 + ext;
      header_read_ = true;
    }
    const size_t fields = selected_.size() + (with_id_ ? 1 : 0);
    while (pos + 2 <= n && !ended_) {
      const int16_t count = ReadInt16(p + pos);
      if (count == -1) {
        ended_ = true;
        pos += 2;
        break;
      }
      if (static_cast<size_t>(count) != fields) {
        status_ = InternalError("{}: a COPY row of {} fields, expected {}", unit_, count, fields);
        return pos;
      }
      // Is the whole row here?
      size_t end = pos + 2;
      bool whole = true;
      for (size_t f = 0; f < fields; ++f) {
        if (end + 4 > n) {
          whole = false;
          break;
        }
        const int32_t len = ReadInt32(p + end);
        end += 4 + (len > 0 ? static_cast<size_t>(len) : 0);
        if (end > n) {
          whole = false;
          break;
        }
      }
      if (!whole) break;
      status_ = AddRow(p + pos + 2);
      if (!status_.ok()) return pos;
      pos = end;
      if (rows_in_batch_ == batch_rows_) {
        status_ = Flush(fn);
        if (!status_.ok()) return pos;
      }
    }
    return pos;
  }

  Status AddRow(const char* p) {
    if (with_id_) {
      const int32_t len = ReadInt32(p);
      p += 4;
      current_id_ = len > 0 ? std::string_view(p, static_cast<size_t>(len)) : std::string_view();
      ARROW_RETURN_NOT_OK(ids_.Append(current_id_));
      p += std::max(len, 0);
    }
    for (size_t i = 0; i < selected_.size(); ++i) {
      const int32_t len = ReadInt32(p);
      p += 4;
      const ColumnSpec& spec = specs_[selected_[i]];
      if (len < 0) {
        ARROW_RETURN_NOT_OK(builders_[i]->AppendNull());
        continue;
      }
      const size_t size = static_cast<size_t>(len);
      switch (spec.type) {
        case ColumnType::kTimestamp: {
          if (size != 8) return BadValue(spec, size);
          const auto micros = static_cast<int64_t>(ReadUint64(p));
          ARROW_RETURN_NOT_OK(
              static_cast<arrow::TimestampBuilder&>(*builders_[i]).Append(micros + kPgEpochMicros));
          break;
        }
        case ColumnType::kNumber: {
          if (size != 8) return BadValue(spec, size);
          const uint64_t bits = ReadUint64(p);
          double v;
          std::memcpy(&v, &bits, sizeof v);
          ARROW_RETURN_NOT_OK(static_cast<arrow::DoubleBuilder&>(*builders_[i]).Append(v));
          break;
        }
        case ColumnType::kString:
          ARROW_RETURN_NOT_OK(
              static_cast<arrow::StringBuilder&>(*builders_[i]).Append(p, static_cast<int>(size)));
          break;
      }
      p += size;
    }
    ++rows_in_batch_;
    return Status::OK();
  }

  Status BadValue(const ColumnSpec& spec, size_t size) const {
    return BadInput("{}, column {}{}: a value of {} bytes is not {}", unit_, spec.name,
                    with_id_ ? fmt::format(" (row id {})", FormatUuidBytes(current_id_)) : "", size,
                    TypeName(spec.type));
  }

  Status Flush(absl::FunctionRef<Status(const ParquetScan::Batch&)> fn) {
    if (rows_in_batch_ == 0) return Status::OK();
    // A batch that filled up is likely followed by another as large: the builders start the
    // next one at its size instead of growing to it again.
    const bool full = rows_in_batch_ == batch_rows_;
    for (auto& column : batch_.columns) column.reset();
    for (size_t i = 0; i < selected_.size(); ++i) {
      const int64_t data_bytes = DataBytes(*builders_[i]);
      ARROW_RETURN_NOT_OK(builders_[i]->Finish(&batch_.columns[selected_[i]]));
      if (full) ARROW_RETURN_NOT_OK(Reserve(*builders_[i], data_bytes));
    }
    batch_.row_ids.reset();
    if (with_id_) {
      const int64_t data_bytes = ids_.value_data_length();
      ARROW_RETURN_NOT_OK(ids_.Finish(&batch_.row_ids));
      if (full) ARROW_RETURN_NOT_OK(Reserve(ids_, data_bytes));
    }
    batch_.num_rows = rows_in_batch_;
    batch_.first_row = rows_done_;
    batch_.group_row = rows_done_;
    rows_done_ += rows_in_batch_;
    rows_in_batch_ = 0;
    return fn(batch_);
  }

  static int64_t DataBytes(const arrow::ArrayBuilder& b) {
    if (b.type()->id() == arrow::Type::STRING) {
      return static_cast<const arrow::StringBuilder&>(b).value_data_length();
    }
    return 0;
  }
  Status Reserve(arrow::ArrayBuilder& b, int64_t data_bytes) const {
    ARROW_RETURN_NOT_OK(b.Reserve(batch_rows_));
    if (data_bytes == 0) return Status::OK();
    return static_cast<arrow::BaseBinaryBuilder<arrow::BinaryType>&>(b).ReserveData(data_bytes);
  }

  std::string unit_;
  std::span<const ColumnSpec> specs_;
  std::vector<int> selected_;
  bool with_id_;
  int64_t batch_rows_;
  std::vector<std::unique_ptr<arrow::ArrayBuilder>> builders_;
  arrow::BinaryBuilder ids_;
  std::string_view current_id_;
  ParquetScan::Batch batch_;
  int64_t rows_in_batch_ = 0, rows_done_ = 0;
  std::string pending_;
  bool header_read_ = false, ended_ = false;
  Status status_;
};

}  // namespace

bool IsPostgresUrl(std::string_view input) {
  return input.starts_with("postgresql://") || input.starts_with("postgres://");
}

PgLineItems::~PgLineItems() = default;

Result<std::unique_ptr<PgLineItems>> PgLineItems::Open(PgLineItemsLocation location) {
  if (location.schema.empty()) {
    return UsageError("--input postgresql://... needs --schema (koku's tenant schema)");
  }
  if (!IsUuid(location.source_uuid)) {
    return UsageError("--source '{}' is not a UUID", location.source_uuid);
  }
  std::unique_ptr<PgLineItems> items(new PgLineItems(std::move(location)));
  ARROW_ASSIGN_OR_RAISE(auto conn, items->Acquire());
  items->schema_sql_ = conn->QuoteIdentifier(items->location_.schema);
  ARROW_RETURN_NOT_OK(items->ResolveColumns(*conn));
  items->Release(std::move(conn));
  return items;
}

Status PgLineItems::ResolveColumns(pg::Connection& conn) {
  for (int t = 0; t < kInputTableCount; ++t) {
    const auto table = static_cast<InputTable>(t);
    ARROW_ASSIGN_OR_RAISE(auto result,
                          conn.Exec("SELECT column_name, data_type FROM information_schema.columns "
                                    "WHERE table_schema = $1 AND table_name = $2",
                                    {location_.schema, std::string(InputTableName(table))}));
    if (result.rows() == 0) {
      return BadInput(
          "{}.{} does not exist: the schema given with --schema must hold koku's on-prem "
          "line-item tables (fill them with `ocpagg ingest --postgres`)",
          location_.schema, InputTableName(table));
    }
    TableColumns& out = columns_[t];
    const auto specs = ColumnsOf(table);
    out.select.assign(specs.size(), std::string());
    for (int r = 0; r < result.rows(); ++r) {
      const std::string name(result.Get(r, 0));
      const std::string_view type = result.Get(r, 1);
      if (name == "id" && type == "uuid") out.has_id = true;
      for (size_t c = 0; c < specs.size(); ++c) {
        if (specs[c].name != name) continue;
        out.select[c] = SelectExpression(conn.QuoteIdentifier(name), type, specs[c].type);
        if (out.select[c].empty()) {
          return BadInput("{}.{}, column {}: its type {} cannot be read as {}", location_.schema,
                          InputTableName(table), name, type, TypeName(specs[c].type));
        }
      }
    }
    for (size_t c = 0; c < specs.size(); ++c) {
      if (out.select[c].empty() && specs[c].required) {
        return BadInput("{}.{} has no column {}, which the summary reads", location_.schema,
                        InputTableName(table), specs[c].name);
      }
    }
  }
  return Status::OK();
}

std::string PgLineItems::QualifiedName(InputTable t) const {
  return schema_sql_ + "." + std::string(InputTableName(t));
}

std::string PgLineItems::UnitName(InputTable t, Date day) const {
  return fmt::format("{}.{}, usage_start {}", location_.schema, InputTableName(t), FormatDate(day));
}

std::string PgLineItems::RangeName(InputTable t, Date first, Date last) const {
  return fmt::format("{}.{}, usage_start {}..{}", location_.schema, InputTableName(t),
                     FormatDate(first), FormatDate(last));
}

// koku's filter (its self-hosted summary SQL): source, year, month (koku has written both '1'
// and '01'), and the usage_start range, which lets PostgreSQL prune koku's monthly partitions.
std::string PgLineItems::Where(InputTable, Date first, Date last) const {
  const std::string padded = fmt::format("{:02d}", location_.month);
  const std::string plain = fmt::format("{}", location_.month);
  return fmt::format(
      "source = '{}' AND year = '{:04d}' AND month {} AND usage_start >= '{}' AND "
      "usage_start < '{}'",
      location_.source_uuid, location_.year,
      padded == plain ? fmt::format("= '{}'", padded)
                      : fmt::format("IN ('{}', '{}')", padded, plain),
      FormatDate(first), FormatDate(last + 1));
}

Result<std::vector<DayRows>> PgLineItems::CountDays(InputTable t, Date first, Date last) const {
  ARROW_ASSIGN_OR_RAISE(auto conn, Acquire());
  ARROW_ASSIGN_OR_RAISE(auto result,
                        conn->Exec(fmt::format("SELECT usage_start::text, count(*) FROM {} WHERE "
                                               "{} GROUP BY usage_start ORDER BY usage_start",
                                               QualifiedName(t), Where(t, first, last))));
  std::vector<DayRows> days;
  for (int r = 0; r < result.rows(); ++r) {
    auto day = ParseDate(result.Get(r, 0));
    if (!day) return InternalError("usage_start '{}' is not a date", result.Get(r, 0));
    days.push_back({*day, std::stoll(std::string(result.Get(r, 1)))});
  }
  Release(std::move(conn));
  return days;
}

std::vector<int> PgLineItems::Selected(InputTable t, std::span<const int> columns) const {
  const TableColumns& table = columns_[static_cast<size_t>(t)];
  std::vector<int> selected;
  for (size_t c = 0; c < table.select.size(); ++c) {
    const bool asked = columns.empty() || std::find(columns.begin(), columns.end(),
                                                    static_cast<int>(c)) != columns.end();
    if (asked && !table.select[c].empty()) selected.push_back(static_cast<int>(c));
  }
  return selected;
}

Status PgLineItems::ReadDay(InputTable t, Date day, std::span<const int> columns,
                            int64_t batch_rows,
                            absl::FunctionRef<Status(const ParquetScan::Batch&)> fn) const {
  const TableColumns& table = columns_[static_cast<size_t>(t)];
  std::vector<int> selected = Selected(t, columns);
  std::vector<std::string> exprs;
  std::string query;
  if (t == InputTable::kPodUsageHourly) {
    // docs/semantics.md "Capacity": per (interval_start, node), the maximum of each capacity.
    exprs = {table.select[0], table.select[1]};
    for (int c : selected) {
      if (c >= 2) exprs.push_back("max(" + table.select[c] + ")");
    }
    query = fmt::format("SELECT {} FROM {} WHERE {} GROUP BY 1, 2", fmt::join(exprs, ", "),
                        QualifiedName(t), Where(t, day, day));
  } else {
    if (table.has_id) exprs.push_back("id");
    for (int c : selected) exprs.push_back(table.select[c]);
    query = fmt::format("SELECT {} FROM {} WHERE {}", fmt::join(exprs, ", "), QualifiedName(t),
                        Where(t, day, day));
  }
  const bool with_id = t != InputTable::kPodUsageHourly && table.has_id;
  return CopyRows(t, query, UnitName(t, day), std::move(selected), with_id, batch_rows, fn);
}

Status PgLineItems::ReadGrouped(InputTable t, Date first, Date last, std::span<const int> keys,
                                std::span<const int> maxima, int64_t batch_rows,
                                absl::FunctionRef<Status(const ParquetScan::Batch&)> fn) const {
  const TableColumns& table = columns_[static_cast<size_t>(t)];
  const auto specs = ColumnsOf(t);
  if (specs.empty() || specs[0].name != "interval_start") {
    return InternalError("{} is not read by interval_start", InputTableName(t));
  }
  std::vector<int> asked(keys.begin(), keys.end());
  asked.insert(asked.end(), maxima.begin(), maxima.end());
  asked.push_back(0);
  std::vector<int> selected = Selected(t, asked);
  const std::string& interval_start = table.select[0];
  std::vector<std::string> exprs, group_by;
  for (size_t i = 0; i < selected.size(); ++i) {
    const int c = selected[i];
    const std::string& expr = table.select[c];
    if (c == 0) {
      exprs.push_back("min(" + expr + ")");
    } else if (std::find(maxima.begin(), maxima.end(), c) != maxima.end()) {
      // Text in byte order, as the engine compares strings.
      exprs.push_back(specs[c].type == ColumnType::kString ? "max(" + expr + " COLLATE \"C\")"
                                                           : "max(" + expr + ")");
    } else {
      exprs.push_back(expr);
      group_by.push_back(std::to_string(i + 1));
    }
  }
  const std::string query = fmt::format(
      "SELECT {} FROM {} WHERE {} AND {} >= '{}' AND {} < '{}'{}{}", fmt::join(exprs, ", "),
      QualifiedName(t), Where(t, first, last), interval_start, FormatDate(first), interval_start,
      FormatDate(last + 1), group_by.empty() ? "" : " GROUP BY ", fmt::join(group_by, ", "));
  // The planner guesses the groups as if the keys were independent, far too many: with the
  // default work_mem it then sorts every row, in parallel workers, rather than hash them into
  // the few groups there are (a few MB).
  return CopyRows(t, query, RangeName(t, first, last), std::move(selected), /*with_id=*/false,
                  batch_rows, fn,
                  "SET LOCAL work_mem = '64MB'; SET LOCAL max_parallel_workers_per_gather = 0");
}

Status PgLineItems::CopyRows(InputTable t, const std::string& query, std::string unit,
                             std::vector<int> selected, bool with_id, int64_t batch_rows,
                             absl::FunctionRef<Status(const ParquetScan::Batch&)> fn,
                             std::string_view settings) const {
  CopyBatchBuilder builder(std::move(unit), ColumnsOf(t), std::move(selected), with_id, batch_rows);
  ARROW_ASSIGN_OR_RAISE(auto conn, Acquire());
  if (!settings.empty()) ARROW_RETURN_NOT_OK(conn->ExecScript(fmt::format("BEGIN; {}", settings)));
  ARROW_RETURN_NOT_OK(conn->CopyOut(fmt::format("COPY ({}) TO STDOUT (FORMAT binary)", query),
                                    [&](std::string_view data) { return builder.Add(data, fn); }));
  if (!settings.empty()) ARROW_RETURN_NOT_OK(conn->ExecScript("COMMIT"));
  // Only a connection whose COPY ran to its end goes back to the pool.
  Release(std::move(conn));
  return builder.Finish(fn);
}

Result<std::unique_ptr<pg::Connection>> PgLineItems::Acquire() const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto conn, pg::Connection::Open(location_.url, location_.connection));
  // A day's query is costly enough for PostgreSQL's JIT, whose compiling (about 10 ms a query)
  // buys nothing for a scan this simple.
  ARROW_RETURN_NOT_OK(conn->ExecScript("SET jit = off"));
  return conn;
}

void PgLineItems::Release(std::unique_ptr<pg::Connection> conn) const {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(conn));
}

}  // namespace ocpagg
