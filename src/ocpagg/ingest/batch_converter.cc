#include "ocpagg/ingest/batch_converter.h"

#include <arrow/array.h>
#include <arrow/record_batch.h>

#include <cmath>

#include "ocpagg/ingest/cell_converters.h"

namespace ocpagg {
namespace {

// koku's THRESHOLD_MAP: rows with any checked value above 1e18 are dropped.
constexpr double kAnomalyThreshold = 1e18;

// pandas DataFrame.max(axis=1) over two columns: NaN is skipped unless both are NaN.
double MaxSkippingNaN(double a, double b) {
  if (std::isnan(a)) return b;
  if (std::isnan(b)) return a;
  return a < b ? b : a;
}

}  // namespace

void DeriveKokuValues(const ReportColumns& columns, ConvertedBatch* out) {
  const int64_t n = out->num_rows;
  for (const EffectiveUsageColumn& e : columns.effective_usage) {
    const auto& usage = out->columns[e.usage].numbers;
    const auto& request = out->columns[e.request].numbers;
    auto& effective = out->columns[e.effective].numbers;
    effective.resize(n);
    for (int64_t i = 0; i < n; ++i) effective[i] = MaxSkippingNaN(usage[i], request[i]);
  }

  out->anomalous.assign(n, 0);
  for (size_t v = 0; v < columns.values.size(); ++v) {
    const ValueColumn& column = columns.values[v];
    if (!column.anomaly_checked || column.kind != CellKind::kNumeric) continue;
    const auto& numbers = out->columns[v].numbers;
    // NaN compares false, +inf is dropped: pandas' gt() does the same.
    for (int64_t i = 0; i < n; ++i) out->anomalous[i] |= numbers[i] > kAnomalyThreshold;
  }

  const auto& starts = out->columns[columns.interval_start].millis;
  out->day.resize(n);
  for (int64_t i = 0; i < n; ++i) out->day[i] = DateOfMillis(starts[i]);
}

BatchConverter::BatchConverter(const ReportColumns& columns, std::string file_name,
                               LabelJsonCache* labels, FieldLineFinder line_of)
    : columns_(columns),
      file_name_(std::move(file_name)),
      labels_(labels),
      line_of_(std::move(line_of)) {}

Status BatchConverter::Convert(std::shared_ptr<arrow::RecordBatch> csv_batch,
                               int64_t first_row_number, ConvertedBatch* out) {
  const int64_t n = csv_batch->num_rows();
  out->num_rows = n;
  out->first_row_number = first_row_number;
  out->columns.resize(columns_.values.size());
  cell_arena_.Clear();
  labels_->Trim();
  for (size_t v = 0; v < columns_.values.size(); ++v) {
    const ValueColumn& column = columns_.values[v];
    ConvertedColumn& values = out->columns[v];
    values.millis.clear();
    values.numbers.clear();
    values.text.clear();
    values.verbatim.reset();
    if (column.csv_index < 0) continue;  // computed below
    const arrow::Array& cells = *csv_batch->column(column.csv_index);
    switch (column.kind) {
      case CellKind::kTimestamp:
        ARROW_RETURN_NOT_OK(ConvertTimestamps(cells, static_cast<int>(v), out));
        break;
      case CellKind::kNumeric:
        ConvertNumbers(cells, &values);
        break;
      case CellKind::kLabels:
        ConvertLabels(cells, &values);
        break;
      case CellKind::kString:
        if (ConvertStrings(cells, column.sanitized, &values)) {
          values.verbatim = csv_batch->column(column.csv_index);
        }
        break;
    }
  }

  DeriveKokuValues(columns_, out);
  out->source = std::move(csv_batch);
  return Status::OK();
}

Status BatchConverter::ConvertTimestamps(const arrow::Array& cells, int value_index,
                                         ConvertedBatch* out) {
  const auto& strings = static_cast<const arrow::StringArray&>(cells);
  auto& millis = out->columns[value_index].millis;
  const int64_t n = strings.length();
  millis.resize(n);
  std::string_view last_text;
  int64_t last_value = 0;
  bool have_last = false;
  for (int64_t i = 0; i < n; ++i) {
    std::string_view text = strings.GetView(i);
    if (have_last && text == last_text) {
      millis[i] = last_value;
      continue;
    }
    // The CSV rewrite empties NA tokens, and ciso8601 rejects the empty string.
    std::optional<int64_t> parsed;
    if (!IsPandasNaToken(text)) parsed = ParseOperatorTimestampMillis(text);
    if (!parsed) {
      const ValueColumn& column = columns_.values[value_index];
      const int64_t row = out->first_row_number - 1 + i;
      std::optional<int64_t> line = line_of_ ? line_of_(row, column.csv_index) : std::nullopt;
      return BadInput(
          "{}: {}, column {}: cannot parse timestamp '{}' (expected "
          "'YYYY-MM-DD HH:MM:SS +0000 UTC'); koku fails the whole file on such a value",
          file_name_, line ? fmt::format("line {}", *line) : fmt::format("data row {}", row + 1),
          column.name, text);
    }
    millis[i] = *parsed;
    last_text = text;
    last_value = *parsed;
    have_last = true;
  }
  return Status::OK();
}

void BatchConverter::ConvertNumbers(const arrow::Array& cells, ConvertedColumn* out) {
  const auto& strings = static_cast<const arrow::StringArray&>(cells);
  const int64_t n = strings.length();
  out->numbers.resize(n);
  // Requests, limits and node capacities repeat from one row to the next (a node's pods are
  // consecutive): a cell equal to the one before it is not parsed again.
  std::string_view last_text;
  double last_value = 0;
  for (int64_t i = 0; i < n; ++i) {
    std::string_view text = strings.GetView(i);
    if (i == 0 || text != last_text) {
      last_value = KokuNumericCell(text);
      last_text = text;
    }
    out->numbers[i] = last_value;
  }
}

void BatchConverter::ConvertLabels(const arrow::Array& cells, ConvertedColumn* out) {
  const auto& strings = static_cast<const arrow::StringArray&>(cells);
  const int64_t n = strings.length();
  out->text.resize(n);
  std::string_view last_raw;
  std::string_view last_json;
  bool have_last = false;
  for (int64_t i = 0; i < n; ++i) {
    std::string_view raw = strings.GetView(i);
    if (!have_last || raw != last_raw) {
      last_json = labels_->Get(raw);
      last_raw = raw;
      have_last = true;
    }
    out->text[i] = last_json;
  }
}

bool BatchConverter::ConvertStrings(const arrow::Array& cells, bool sanitized,
                                    ConvertedColumn* out) {
  const auto& strings = static_cast<const arrow::StringArray&>(cells);
  const int64_t n = strings.length();
  out->text.resize(n);
  bool verbatim = true;
  for (int64_t i = 0; i < n; ++i) {
    std::string_view cell = strings.GetView(i);
    if (i > 0 && cell == strings.GetView(i - 1)) {
      // Runs of one namespace, node or resource id: the cell above was checked already.
      out->text[i] = out->text[i - 1];
    } else if (cell.size() <= 8 && IsPandasNaToken(cell)) {
      out->text[i] = std::string_view("", 0);
      verbatim &= cell.empty();
    } else if (sanitized && NeedsKokuSanitizing(cell)) {
      scratch_.clear();
      AppendKokuSanitized(cell, &scratch_);
      out->text[i] = cell_arena_.Copy(scratch_);
      verbatim = false;
    } else {
      // An Arrow array whose values are all empty may have no data buffer at all.
      out->text[i] = cell.data() ? cell : std::string_view("", 0);
    }
  }
  return verbatim && strings.null_count() == 0;
}

}  // namespace ocpagg
