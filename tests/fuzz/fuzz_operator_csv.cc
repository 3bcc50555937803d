// One operator CSV through ingest's reading steps (PayloadIngester::ProcessFile in
// src/ocpagg/ingest/ingest.cc) up to the Parquet writers: PeekCsvHeader on a buffered stream,
// DetectReportType and ReportColumns, OperatorCsvReader to the last batch, and each batch of a
// summary report type through BatchConverter (NA tokens, timestamps, safe_float, sanitizing,
// label JSON, effective usage, anomalies, days).
//
// Checked beyond not crashing: the reader hands out utf8 columns only, in header order (the
// converter casts them unchecked), its row count adds up, and every converted column has one
// value per row, each of them readable (views into the batch, the arenas and the label cache).

#include <arrow/array.h>
#include <arrow/io/buffered.h>
#include <arrow/io/memory.h>
#include <arrow/record_batch.h>

#include "fuzz_common.h"
#include "ocpagg/ingest/batch_converter.h"
#include "ocpagg/ingest/label_json_cache.h"
#include "ocpagg/ingest/operator_csv.h"
#include "ocpagg/ingest/report_columns.h"
#include "ocpagg/koku/report_type.h"

using namespace ocpagg;

namespace {

void CheckConverted(const ReportColumns& columns, const ConvertedBatch& batch) {
  const auto n = static_cast<size_t>(batch.num_rows);
  FUZZ_CHECK(batch.columns.size() == columns.values.size());
  FUZZ_CHECK(batch.anomalous.size() == n && batch.day.size() == n);
  for (size_t v = 0; v < columns.values.size(); ++v) {
    const ConvertedColumn& column = batch.columns[v];
    switch (columns.values[v].kind) {
      case CellKind::kTimestamp:
        FUZZ_CHECK(column.millis.size() == n);
        break;
      case CellKind::kNumeric:
        FUZZ_CHECK(column.numbers.size() == n);
        for (double x : column.numbers) fuzz::Touch(x);
        break;
      case CellKind::kLabels:
      case CellKind::kString:
        FUZZ_CHECK(column.text.size() == n);
        for (std::string_view text : column.text) {
          FUZZ_CHECK(text.data() != nullptr);  // Arrow's builders memcpy from it
          fuzz::Touch(text);
        }
        break;
    }
  }
}

Status ReadCsv(const uint8_t* data, size_t size) {
  const std::string name = "report.csv";
  auto input = std::make_shared<arrow::io::BufferReader>(fuzz::AsBuffer(data, size));
  // Small buffers and blocks, so that even short inputs cross buffer and block boundaries.
  ARROW_ASSIGN_OR_RAISE(auto buffered, arrow::io::BufferedInputStream::Create(
                                           256, arrow::default_memory_pool(), input));
  ARROW_ASSIGN_OR_RAISE(auto header, PeekCsvHeader(buffered.get(), name));
  if (!header) return Status::OK();

  // Ingest reads only the summary's report types; the reader itself is read for any header.
  const auto type = DetectReportType(*header);
  std::optional<ReportColumns> columns;
  if (type && *type != ReportType::kVmUsage && *type != ReportType::kGpuUsage) {
    ARROW_ASSIGN_OR_RAISE(columns, ReportColumns::Make(*type, *header));
  }
  OperatorCsvOptions options;
  options.block_bytes = 1024;  // the least IngestOptions::csv_block_bytes ingest accepts
  ARROW_ASSIGN_OR_RAISE(auto reader, OperatorCsvReader::Open(buffered, *header, name, options));

  LabelJsonCache labels(/*max_bytes=*/4096);  // small, so that Trim() empties it now and then
  std::optional<BatchConverter> converter;
  if (columns) converter.emplace(*columns, name, &labels);
  ConvertedBatch converted;
  int64_t rows = 0;
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto batch, reader->Next());
    if (!batch) break;
    FUZZ_CHECK(batch->num_columns() == static_cast<int>(header->size()));
    for (int i = 0; i < batch->num_columns(); ++i) {
      FUZZ_CHECK(batch->column(i)->type_id() == arrow::Type::STRING);
      FUZZ_CHECK(batch->column(i)->null_count() == 0);
    }
    const int64_t first_row = rows + 1 + reader->bad_lines_skipped();
    rows += batch->num_rows();
    if (!converter) continue;
    ARROW_RETURN_NOT_OK(converter->Convert(std::move(batch), first_row, &converted));
    CheckConverted(*columns, converted);
  }
  FUZZ_CHECK(reader->rows_read() == rows);
  // The end stays the end.
  ARROW_ASSIGN_OR_RAISE(auto after_end, reader->Next());
  FUZZ_CHECK(after_end == nullptr);
  return Status::OK();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)ReadCsv(data, size);
  return 0;
}
