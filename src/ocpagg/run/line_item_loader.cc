#include "ocpagg/run/line_item_loader.h"

#include <arrow/filesystem/localfs.h>
#include <fmt/format.h>

#include <array>
#include <map>
#include <set>

#include "ocpagg/common/uuid.h"
#include "ocpagg/koku/date.h"
#include "ocpagg/koku/identifiers.h"
#include "ocpagg/pg/koku_schema.h"
#include "ocpagg/sinks/text_fields.h"
#include "ocpagg/source/column_view.h"
#include "ocpagg/source/parquet_scan.h"

namespace ocpagg {
namespace {

// The columns koku's processor adds to a file's columns (self_hosted_models.py), filled here.
constexpr std::string_view kAddedColumns[] = {"id",    "usage_start", "source",        "year",
                                              "month", "manifestid",  "reportnumhours"};

bool IsAdded(std::string_view name) {
  for (auto c : kAddedColumns) {
    if (c == name) return true;
  }
  return false;
}

ColumnType TypeOfPgColumn(std::string_view type) {
  if (type.starts_with("timestamp") || type == "date") return ColumnType::kTimestamp;
  if (type == "double precision" || type == "real" || type == "numeric" || type == "integer" ||
      type == "bigint" || type == "smallint") {
    return ColumnType::kNumber;
  }
  return ColumnType::kString;
}

void AppendTimestamp(std::string& out, int64_t millis, bool date_only) {
  const Date day = DateOfMillis(millis);
  out += FormatDate(day);
  if (date_only) return;
  const int64_t in_day = millis - static_cast<int64_t>(day) * kMillisPerDay;
  fmt::format_to(std::back_inserter(out), " {:02d}:{:02d}:{:02d}.{:03d}+00", in_day / 3'600'000,
                 in_day / 60'000 % 60, in_day / 1000 % 60, in_day % 1000);
}

// One table's columns: those read from the files (koku's columns the table has), then the
// added ones.
struct TableLayout {
  std::string qualified;
  std::vector<std::string> names;  // read from the files, in the table's order
  std::vector<std::string> pg_types;
  std::vector<ColumnType> types;  // how each is read from the files
  bool has_reportnumhours = false;

  // What to read of a file; views into `names`, valid while the layout lives unmoved.
  std::vector<ColumnSpec> Specs() const {
    std::vector<ColumnSpec> specs;
    for (size_t i = 0; i < names.size(); ++i) specs.push_back({names[i], types[i], false});
    return specs;
  }
};

Result<TableLayout> LayoutOf(pg::Connection& conn, const std::string& schema,
                             const std::string& table) {
  ARROW_ASSIGN_OR_RAISE(auto result, conn.Exec("SELECT column_name, data_type FROM "
                                               "information_schema.columns WHERE table_schema = "
                                               "$1 AND table_name = $2 ORDER BY ordinal_position",
                                               {schema, table}));
  if (result.rows() == 0) {
    return BadInput(
        "{}.{} does not exist: the schema must hold koku's on-prem line-item tables "
        "(koku's migrations create them; --create-schema creates them for a stand-alone "
        "install)",
        schema, table);
  }
  TableLayout layout;
  layout.qualified = conn.QuoteIdentifier(schema) + "." + conn.QuoteIdentifier(table);
  std::set<std::string> present;
  for (int r = 0; r < result.rows(); ++r) {
    std::string name(result.Get(r, 0));
    present.insert(name);
    if (IsAdded(name)) continue;
    layout.names.push_back(std::move(name));
    layout.pg_types.emplace_back(result.Get(r, 1));
  }
  for (std::string_view added : kAddedColumns) {
    if (added == "reportnumhours") {
      layout.has_reportnumhours = present.contains("reportnumhours");
    } else if (!present.contains(std::string(added))) {
      return BadInput("{}.{} has no column {}, which koku's processor fills", schema, table, added);
    }
  }
  for (const auto& type : layout.pg_types) layout.types.push_back(TypeOfPgColumn(type));
  return layout;
}

// Calls fn(const ParquetScan::Batch&) for each batch of the file's `columns`.
template <typename Fn>
Status ForEachFileBatch(const std::string& path, std::span<const ColumnSpec> columns, Fn&& fn) {
  auto fs = std::make_shared<arrow::fs::LocalFileSystem>();
  ARROW_ASSIGN_OR_RAISE(auto scan, ParquetScan::Open(fs, path, columns));
  for (int rg = 0; rg < scan->num_row_groups(); ++rg) {
    ARROW_RETURN_NOT_OK(scan->ForEachBatch(rg, fn));
  }
  return Status::OK();
}

constexpr ColumnSpec kIntervalStart{"interval_start", ColumnType::kTimestamp, true};

// The days the files' rows fall on (interval_start).
Result<std::set<Date>> DaysOf(const std::vector<const LineItemFile*>& files) {
  std::set<Date> days;
  for (const LineItemFile* f : files) {
    ARROW_RETURN_NOT_OK(ForEachFileBatch(f->path, std::span<const ColumnSpec>(&kIntervalStart, 1),
                                         [&](const ParquetScan::Batch& b) -> Status {
                                           ARROW_ASSIGN_OR_RAISE(
                                               auto ts, TimestampColumn::Make(b.columns[0]));
                                           for (int64_t i = 0; i < b.num_rows; ++i) {
                                             if (auto t = ts.GetMillis(i))
                                               days.insert(DateOfMillis(*t));
                                           }
                                           return Status::OK();
                                         }));
  }
  return days;
}

// COPY text of one batch's rows, with the added columns.
class RowEncoder {
 public:
  RowEncoder(const TableLayout& layout, const LineItemLoadOptions& options)
      : layout_(layout), options_(options), manifest_(std::to_string(options.manifest_id)) {}

  Status Encode(const std::string& path, const ParquetScan::Batch& b, std::string& out,
                int64_t* rows) {
    const size_t n = layout_.types.size();
    strings_.assign(n, {});
    doubles_.assign(n, {});
    times_.assign(n, {});
    int interval_start = -1;
    for (size_t c = 0; c < n; ++c) {
      if (!b.columns[c]) continue;
      Status st;
      switch (layout_.types[c]) {
        case ColumnType::kString: {
          auto v = StringColumn::Make(b.columns[c]);
          st = v.status();
          if (v.ok()) strings_[c] = std::move(*v);
          break;
        }
        case ColumnType::kNumber: {
          auto v = DoubleColumn::Make(b.columns[c]);
          st = v.status();
          if (v.ok()) doubles_[c] = std::move(*v);
          break;
        }
        case ColumnType::kTimestamp: {
          auto v = TimestampColumn::Make(b.columns[c]);
          st = v.status();
          if (v.ok()) times_[c] = std::move(*v);
          break;
        }
      }
      if (!st.ok()) return BadInput("{}, column {}: {}", path, layout_.names[c], st.message());
      if (layout_.names[c] == "interval_start") interval_start = static_cast<int>(c);
    }
    if (interval_start < 0) return BadInput("{} has no interval_start column", path);
    std::array<char, 36> uuid;
    for (int64_t i = 0; i < b.num_rows; ++i) {
      // A row without interval_start has no day: no partition takes it, no summary reads it.
      const auto start = times_[interval_start].GetMillis(i);
      if (!start) continue;
      for (size_t c = 0; c < n; ++c) {
        switch (layout_.types[c]) {
          case ColumnType::kString:
            if (auto v = strings_[c].Get(i)) {
              AppendCopyField(out, *v);
            } else {
              out += "\\N";
            }
            break;
          case ColumnType::kNumber:
            if (auto v = doubles_[c].Get(i)) {
              AppendShortestDouble(out, *v);
            } else {
              out += "\\N";
            }
            break;
          case ColumnType::kTimestamp:
            if (auto v = times_[c].GetMillis(i)) {
              AppendTimestamp(out, *v, layout_.pg_types[c] == "date");
            } else {
              out += "\\N";
            }
            break;
        }
        out += '\t';
      }
      const Date day = DateOfMillis(*start);
      const auto ymd = ToYmd(day);
      uuids_.Next(uuid);
      out.append(uuid.data(), uuid.size());
      fmt::format_to(std::back_inserter(out), "\t{}\t{}\t{:04d}\t{:02d}\t{}", FormatDate(day),
                     options_.source_uuid, static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), manifest_);
      if (layout_.has_reportnumhours) out += "\t\\N";
      out += '\n';
      ++*rows;
    }
    return Status::OK();
  }

 private:
  const TableLayout& layout_;
  const LineItemLoadOptions& options_;
  std::string manifest_;
  UuidGenerator uuids_;
  std::vector<StringColumn> strings_;
  std::vector<DoubleColumn> doubles_;
  std::vector<TimestampColumn> times_;
};

// Loads `table`'s rows; `month_days` gets a day of each month they fall in.
Status LoadTable(pg::Connection& conn, const std::string& table,
                 const std::vector<const LineItemFile*>& files, const LineItemLoadOptions& options,
                 LineItemLoadReport& report, std::vector<Date>& month_days) {
  ARROW_ASSIGN_OR_RAISE(const TableLayout layout, LayoutOf(conn, options.schema, table));
  ARROW_ASSIGN_OR_RAISE(const std::set<Date> days, DaysOf(files));
  if (days.empty()) return Status::OK();
  std::string day_list = "{";
  std::set<std::pair<int, unsigned>> months;
  for (Date d : days) {
    if (day_list.size() > 1) day_list += ',';
    day_list += FormatDate(d);
    const auto ymd = ToYmd(d);
    if (months.emplace(static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month())).second) {
      // koku's partitions by month on usage_start, when the table has them.
      ARROW_RETURN_NOT_OK(pg::EnsureMonthPartition(conn, options.schema, table, d));
      month_days.push_back(d);
    }
  }
  day_list += '}';
  // A rerun replaces: the source's rows on these days go first (usage_start, which prunes
  // koku's partitions).
  ARROW_ASSIGN_OR_RAISE(
      auto deleted,
      conn.Exec(fmt::format("WITH d AS (DELETE FROM {} WHERE source = $1 AND usage_start = "
                            "ANY($2::date[]) RETURNING 1) SELECT count(*) FROM d",
                            layout.qualified),
                {options.source_uuid, day_list}));
  report.rows_deleted += std::stoll(std::string(deleted.Get(0, 0)));

  std::vector<std::string> columns;
  for (const auto& name : layout.names) columns.push_back(conn.QuoteIdentifier(name));
  columns.insert(columns.end(), {"id", "usage_start", "source", "year", "month", "manifestid"});
  if (layout.has_reportnumhours) columns.push_back("reportnumhours");
  ARROW_RETURN_NOT_OK(conn.BeginCopy(
      fmt::format("COPY {} ({}) FROM STDIN", layout.qualified, fmt::join(columns, ", "))));
  RowEncoder encoder(layout, options);
  const std::vector<ColumnSpec> specs = layout.Specs();
  std::string buffer;
  constexpr size_t kFlushBytes = 1 << 20;
  for (const LineItemFile* f : files) {
    ARROW_RETURN_NOT_OK(
        ForEachFileBatch(f->path, specs, [&](const ParquetScan::Batch& b) -> Status {
          ARROW_RETURN_NOT_OK(encoder.Encode(f->path, b, buffer, &report.rows));
          if (buffer.size() >= kFlushBytes) {
            ARROW_RETURN_NOT_OK(conn.PutCopyData(buffer));
            buffer.clear();
          }
          return Status::OK();
        }));
  }
  if (!buffer.empty()) ARROW_RETURN_NOT_OK(conn.PutCopyData(buffer));
  return conn.EndCopy();
}

// The hourly pod rows just copied in lie on pages not yet marked all-visible, and the planner has
// no statistics of them: the hourly reads would not use ocpagg's index (pg::HourlyCapacityIndexDdl)
// or, with it, would fetch every row from the table as well (docs/semantics.md "On-prem
// line-item tables"). When the table has that index, VACUUM (ANALYZE) marks and counts them,
// after the load's commit (VACUUM cannot run in a transaction): the month partitions written
// when the table has them, else the table; pages marked before are skipped. A VACUUM that fails
// fails the run, its rows loaded and committed.
Status VacuumIndexedHourly(pg::Connection& conn, const std::string& schema,
                           const std::vector<Date>& month_days) {
  const std::string table = TableName(KokuTable{ReportType::kPodUsage, false});
  ARROW_ASSIGN_OR_RAISE(const bool indexed,
                        pg::RelationExists(conn, schema, pg::kHourlyCapacityIndexName));
  if (!indexed) return Status::OK();
  std::vector<std::string> targets;
  for (Date d : month_days) {
    const std::string partition = pg::MonthPartitionName(table, d);
    ARROW_ASSIGN_OR_RAISE(const bool partitioned, pg::RelationExists(conn, schema, partition));
    if (!partitioned) {
      targets = {table};
      break;
    }
    targets.push_back(partition);
  }
  for (const std::string& t : targets) {
    const std::string qualified = conn.QuoteIdentifier(schema) + "." + t;
    ARROW_RETURN_NOT_OK(
        WithContext(conn.ExecScript("VACUUM (ANALYZE) " + qualified),
                    fmt::format("the rows are loaded; VACUUM (ANALYZE) {}: ", qualified)));
  }
  return Status::OK();
}

}  // namespace

Result<LineItemLoadReport> LoadLineItems(const std::vector<LineItemFile>& files,
                                         const LineItemLoadOptions& options) {
  if (options.schema.empty()) return UsageError("--postgres needs --schema (the koku schema)");
  if (!IsUuid(options.source_uuid)) {
    return UsageError("--source '{}' is not a UUID", options.source_uuid);
  }
  // Tables in a fixed order, each with its files in the order given.
  std::map<std::string, std::vector<const LineItemFile*>> by_table;
  for (const LineItemFile& f : files) by_table[TableName(f.table)].push_back(&f);
  ARROW_ASSIGN_OR_RAISE(auto conn, pg::Connection::Open(options.url, options.connection));
  ARROW_RETURN_NOT_OK(conn->ExecScript("BEGIN"));
  if (options.create_schema) ARROW_RETURN_NOT_OK(pg::CreateLineItemTables(*conn, options.schema));
  LineItemLoadReport report;
  const std::string hourly = TableName(KokuTable{ReportType::kPodUsage, false});
  std::vector<Date> hourly_months;
  for (const auto& [table, table_files] : by_table) {
    std::vector<Date> months;
    ARROW_RETURN_NOT_OK(LoadTable(*conn, table, table_files, options, report, months));
    if (table == hourly) hourly_months = std::move(months);
  }
  ARROW_RETURN_NOT_OK(CheckStop(options.connection.stop));
  ARROW_RETURN_NOT_OK(conn->ExecScript("COMMIT"));
  ARROW_RETURN_NOT_OK(VacuumIndexedHourly(*conn, options.schema, hourly_months));
  return report;
}

}  // namespace ocpagg
