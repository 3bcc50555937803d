#pragma once
// Turns a batch of operator CSV text (every column a string) into koku's typed values, row for
// row what koku's pandas pipeline computes (docs/semantics.md "Operator reports", "Cell
// conversions"): NA tokens emptied, sanitized strings, naive-UTC timestamps, safe_float numbers,
// label JSON, effective usage, the anomaly flag and the UTC day of interval_start.

#include <arrow/type_fwd.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/common/string_arena.h"
#include "ocpagg/ingest/label_json_cache.h"
#include "ocpagg/ingest/report_columns.h"
#include "ocpagg/koku/date.h"

namespace ocpagg {

// The values of one ReportColumns::values entry; only the vector of its kind is filled.
struct ConvertedColumn {
  std::vector<int64_t> millis;         // kTimestamp
  std::vector<double> numbers;         // kNumeric (NaN allowed: it becomes NULL in Parquet)
  std::vector<std::string_view> text;  // kLabels (JSON) and kString
  // kString: the CSV column itself when no cell changed (no NA token other than '', nothing
  // sanitized), so writers can take its slices instead of copying `text`; null otherwise.
  std::shared_ptr<arrow::Array> verbatim;
};

// Views in `text` point into `source`'s buffers or into the converter's arenas: the batch is
// valid until the next Convert() call on the converter that filled it.
struct ConvertedBatch {
  int64_t num_rows = 0;
  int64_t first_row_number = 0;  // 1-based number of row 0 among the rows the reader returned
  std::vector<ConvertedColumn> columns;
  std::vector<uint8_t> anomalous;  // 1: koku's _remove_anomalies drops the row
  std::vector<Date> day;           // UTC day of interval_start
  std::shared_ptr<arrow::RecordBatch> source;
};

// The file's line on which a field starts, for error messages: `row` is 0-based among the rows
// the reader returned, `column` the field's position in the header. nullopt when unknown.
using FieldLineFinder = std::function<std::optional<int64_t>(int64_t row, int column)>;

// Fills the values koku derives from a batch's converted columns: the effective usage columns,
// the anomaly flags and the UTC day of interval_start. `batch` must hold num_rows values in every
// column the CSV has (ValueColumn::csv_index >= 0). Convert() calls it; a producer of rows that
// are already typed (generate) fills the CSV columns itself and then calls it.
void DeriveKokuValues(const ReportColumns& columns, ConvertedBatch* batch);

class BatchConverter {
 public:
  // `file_name` names the CSV in error messages; `labels` must outlive the converter;
  // `line_of` finds lines for error messages.
  BatchConverter(const ReportColumns& columns, std::string file_name, LabelJsonCache* labels,
                 FieldLineFinder line_of = {});

  // Converts `csv_batch` (the CSV columns in header order, as utf8) into *out. Fails (bad
  // input) on a timestamp koku cannot parse, naming file, line and column.
  Status Convert(std::shared_ptr<arrow::RecordBatch> csv_batch, int64_t first_row_number,
                 ConvertedBatch* out);

 private:
  Status ConvertTimestamps(const arrow::Array& cells, int value_index, ConvertedBatch* out);
  void ConvertNumbers(const arrow::Array& cells, ConvertedColumn* out);
  void ConvertLabels(const arrow::Array& cells, ConvertedColumn* out);
  // True when every cell is kept as it is in the CSV.
  bool ConvertStrings(const arrow::Array& cells, bool sanitized, ConvertedColumn* out);

  const ReportColumns& columns_;
  std::string file_name_;
  LabelJsonCache* labels_;
  FieldLineFinder line_of_;
  StringArena cell_arena_;  // sanitized cells of the current batch
  std::string scratch_;
};

}  // namespace ocpagg
