#include "ocpagg/source/parquet_scan.h"

#include <arrow/io/api.h>
#include <arrow/memory_pool.h>
#include <arrow/type_traits.h>
#include <parquet/arrow/schema.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>
#include <parquet/statistics.h>

namespace ocpagg {
namespace {

bool TypeAccepts(ColumnType expected, const arrow::DataType& type) {
  const arrow::DataType* t = &type;
  if (t->id() == arrow::Type::DICTIONARY) {
    t = static_cast<const arrow::DictionaryType&>(type).value_type().get();
  }
  switch (expected) {
    case ColumnType::kString:
      return arrow::is_base_binary_like(t->id()) || t->id() == arrow::Type::STRING_VIEW;
    case ColumnType::kNumber:
      return arrow::is_floating(t->id()) || arrow::is_integer(t->id());
    case ColumnType::kTimestamp:
      return t->id() == arrow::Type::TIMESTAMP || t->id() == arrow::Type::DATE32;
  }
  return false;
}

std::string_view TypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kString:
      return "string";
    case ColumnType::kNumber:
      return "double";
    case ColumnType::kTimestamp:
      return "timestamp";
  }
  return "?";
}

// True when every data page of the column, in every row group, is dictionary-encoded, and
// every row group's dictionary is small.
bool SmallDictionaryPagesOnly(const parquet::FileMetaData& metadata, int leaf) {
  // Arrow rebuilds each row group's dictionary in a hash table of its own, about ten times the
  // size of the dictionary page: worth it for a few distinct values, not for a row group's
  // worth of pod names (a dictionary near the writer's 1 MiB page limit).
  constexpr int64_t kMaxDictionaryPageBytes = 128 * 1024;
  for (int rg = 0; rg < metadata.num_row_groups(); ++rg) {
    auto chunk = metadata.RowGroup(rg)->ColumnChunk(leaf);
    if (!chunk->has_dictionary_page()) return false;
    if (chunk->data_page_offset() - chunk->dictionary_page_offset() > kMaxDictionaryPageBytes) {
      return false;
    }
    for (const auto& stats : chunk->encoding_stats()) {
      const bool data_page = stats.page_type == parquet::PageType::DATA_PAGE ||
                             stats.page_type == parquet::PageType::DATA_PAGE_V2;
      if (data_page && stats.count > 0 && stats.encoding != parquet::Encoding::PLAIN_DICTIONARY &&
          stats.encoding != parquet::Encoding::RLE_DICTIONARY) {
        return false;
      }
    }
  }
  return true;
}

// The parquet library parses a column chunk's metadata (statistics, size histograms) each time
// it is asked for it, and throws on a corrupt one. Asking once for every chunk the scan will
// use, where Open catches exceptions, means that the later questions (SmallDictionaryPagesOnly,
// PageBytes, TimestampRange, row_group_num_rows) get the same metadata without a throw. The
// library passes the footer's counts on as they are; the plan adds them up and multiplies them,
// so they must be what a file can hold: rows from 0 to 2^40 in all, a column chunk's stored
// size from 0 to the file's.
Status CheckColumnMetadata(const parquet::FileMetaData& metadata,
                           std::span<const ColumnSpec> columns, int64_t file_bytes) {
  constexpr int64_t kMaxRows = int64_t{1} << 40;
  auto bad_rows = [&](int64_t rows) { return rows < 0 || rows > kMaxRows; };
  if (bad_rows(metadata.num_rows())) {
    return Status::Invalid("the footer counts ", metadata.num_rows(), " rows");
  }
  int64_t rows = 0;
  for (int rg = 0; rg < metadata.num_row_groups(); ++rg) {
    auto group = metadata.RowGroup(rg);
    if (bad_rows(group->num_rows()) || bad_rows(rows + group->num_rows())) {
      return Status::Invalid("row group ", rg, " counts ", group->num_rows(), " rows");
    }
    rows += group->num_rows();
    for (const auto& spec : columns) {
      const int leaf = metadata.schema()->ColumnIndex(std::string(spec.name));
      if (leaf < 0) continue;
      auto chunk = group->ColumnChunk(leaf);
      chunk->statistics();
      if (chunk->total_compressed_size() < 0 || chunk->total_compressed_size() > file_bytes ||
          chunk->total_uncompressed_size() < 0) {
        return Status::Invalid("row group ", rg, ", column '", spec.name, "': the footer gives ",
                               chunk->total_compressed_size(), " bytes stored, ",
                               chunk->total_uncompressed_size(), " bytes in all, in a file of ",
                               file_bytes);
      }
    }
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<ParquetScan>> ParquetScan::Open(std::shared_ptr<arrow::fs::FileSystem> fs,
                                                       const std::string& path,
                                                       std::span<const ColumnSpec> columns,
                                                       const ScanOptions& options) {
  std::unique_ptr<ParquetScan> scan(new ParquetScan());
  scan->path_ = path;
  scan->columns_.assign(columns.begin(), columns.end());

  auto input = fs->OpenInputFile(path);
  if (!input.ok()) {
    if (KindOf(input.status()) == ErrorKind::kSink) return input.status();
    return BadInput("{}: cannot open: {}", path, input.status().message());
  }
  // Over the network a request costs a round trip: an object store's row groups are fetched
  // whole, their column chunks' ranges coalesced and requested in parallel.
  scan->pre_buffer_ = fs->type_name() != "local";

  arrow::MemoryPool* pool = arrow::system_memory_pool();
  parquet::ReaderProperties props(pool);
  props.enable_buffered_stream();
  props.set_buffer_size(options.read_buffer_bytes);
  parquet::arrow::FileReaderBuilder builder;
  Status st;
  try {
    st = builder.Open(*input, props);
    if (st.ok()) {
      auto file_bytes = (*input)->GetSize();
      st = file_bytes.ok()
               ? CheckColumnMetadata(*builder.raw_reader()->metadata(), columns, *file_bytes)
               : file_bytes.status();
    }
  } catch (const parquet::ParquetStatusException& e) {
    st = e.status();
  } catch (const std::exception& e) {
    st = Status::IOError(e.what());
  }
  if (KindOf(st) == ErrorKind::kSink) return st;
  if (!st.ok()) {
    return BadInput("{}: not a readable Parquet file ({}); re-run ingest for this payload", path,
                    st.message());
  }
  const parquet::FileMetaData& metadata = *builder.raw_reader()->metadata();
  parquet::ArrowReaderProperties arrow_props;
  arrow_props.set_batch_size(options.batch_rows);
  // Pre-buffering holds the selected column chunks of a row group in memory (PageBytes counts
  // them); on local disk the buffered streams above read them a buffer at a time instead.
  arrow_props.set_pre_buffer(scan->pre_buffer_);
  arrow_props.set_cache_options(arrow::io::CacheOptions::Defaults());
  // Strings stay dictionary-encoded where the file's pages are and the dictionaries are small:
  // few distinct values (namespace, node, labels), read as small codes. Where the writer's
  // dictionary overflowed and its pages fell back to plain, or where it is large (many distinct
  // values: pod names of a large cluster), Arrow would have to rebuild a dictionary of nearly
  // every value of the row group; plain strings are cheaper then.
  for (const auto& spec : scan->columns_) {
    if (spec.type != ColumnType::kString) continue;
    const int leaf = metadata.schema()->ColumnIndex(std::string(spec.name));
    if (leaf >= 0 && SmallDictionaryPagesOnly(metadata, leaf)) {
      arrow_props.set_read_dictionary(leaf, true);
    }
  }
  builder.properties(arrow_props);
  builder.memory_pool(pool);
  auto built = builder.Build();
  if (!built.ok())
    return BadInput("{}: cannot read Parquet schema ({})", path, built.status().message());
  scan->reader_ = std::move(*built);

  std::shared_ptr<arrow::Schema> schema;
  st = scan->reader_->GetSchema(&schema);
  if (!st.ok()) return BadInput("{}: cannot read Parquet schema ({})", path, st.message());
  for (const auto& spec : scan->columns_) {
    int idx = schema->GetFieldIndex(std::string(spec.name));
    if (idx < 0) {
      if (spec.required) {
        return BadInput(
            "{}: required column '{}' is missing; the file is not in koku's layout for this "
            "table (re-run ingest, or check --input)",
            path, spec.name);
      }
    } else if (!TypeAccepts(spec.type, *schema->field(idx)->type())) {
      return BadInput("{}: column '{}' has type {}, expected {}", path, spec.name,
                      schema->field(idx)->type()->ToString(), TypeName(spec.type));
    }
    scan->field_index_.push_back(idx);
  }
  return scan;
}

int ParquetScan::num_row_groups() const { return reader_->num_row_groups(); }

std::vector<int> ParquetScan::PassColumns(std::span<const int> columns) const {
  std::vector<int> pass;
  if (columns.empty()) {
    for (int i = 0; i < static_cast<int>(columns_.size()); ++i) pass.push_back(i);
  } else {
    pass.assign(columns.begin(), columns.end());
  }
  return pass;
}

int64_t ParquetScan::PageBytes(int row_group, std::span<const int> columns) const {
  constexpr int64_t kPageBytes = 1 << 20;
  auto rg = reader_->parquet_reader()->metadata()->RowGroup(row_group);
  int64_t bytes = 0;
  for (int i : PassColumns(columns)) {
    const int leaf = rg->schema()->ColumnIndex(std::string(columns_[i].name));
    if (leaf < 0) continue;
    auto chunk = rg->ColumnChunk(leaf);
    // The page compressed and decompressed, its dictionary, and the decoder's own copies
    // (measured: about four pages per column).
    bytes += 4 * std::min(kPageBytes, chunk->total_uncompressed_size());
    if (pre_buffer_) bytes += chunk->total_compressed_size();
  }
  return bytes;
}

int ParquetScan::columns_read(std::span<const int> columns) const {
  int n = 0;
  for (int i : PassColumns(columns)) n += field_index_[i] >= 0;
  return n;
}

int64_t ParquetScan::num_rows() const { return reader_->parquet_reader()->metadata()->num_rows(); }

int64_t ParquetScan::row_group_num_rows(int row_group) const {
  return reader_->parquet_reader()->metadata()->RowGroup(row_group)->num_rows();
}

std::optional<std::pair<int64_t, int64_t>> ParquetScan::TimestampRange(
    int row_group, std::string_view column) const {
  auto metadata = reader_->parquet_reader()->metadata();
  int leaf = metadata->schema()->ColumnIndex(std::string(column));
  if (leaf < 0) return std::nullopt;
  auto chunk = metadata->RowGroup(row_group)->ColumnChunk(leaf);
  auto stats = chunk->statistics();
  if (!stats || !stats->HasMinMax() || stats->physical_type() != parquet::Type::INT64) {
    return std::nullopt;
  }
  auto typed = std::static_pointer_cast<parquet::Int64Statistics>(stats);
  const auto* logical = metadata->schema()->Column(leaf)->logical_type().get();
  int64_t scale_div = 1, scale_mul = 1;
  if (logical && logical->is_timestamp()) {
    const auto& ts = static_cast<const parquet::TimestampLogicalType&>(*logical);
    switch (ts.time_unit()) {
      case parquet::LogicalType::TimeUnit::MILLIS:
        break;
      case parquet::LogicalType::TimeUnit::MICROS:
        scale_div = 1000;
        break;
      case parquet::LogicalType::TimeUnit::NANOS:
        scale_div = 1000000;
        break;
      default:
        return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  auto floor_div = [](int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
  };
  return std::make_pair(floor_div(typed->min(), scale_div) * scale_mul,
                        floor_div(typed->max(), scale_div) * scale_mul);
}

Result<std::unique_ptr<arrow::RecordBatchReader>> ParquetScan::OpenRowGroup(
    int row_group, const std::vector<int>& pass) const {
  std::vector<int> wanted;
  for (int i : pass) {
    if (field_index_[i] >= 0) wanted.push_back(field_index_[i]);
  }
  auto reader = reader_->GetRecordBatchReader({row_group}, wanted);
  if (!reader.ok() && KindOf(reader.status()) == ErrorKind::kSink) return reader.status();
  if (!reader.ok()) {
    return BadInput("{}: row group {} cannot be read ({})", path_, row_group,
                    reader.status().message());
  }
  return std::move(*reader);
}

int64_t ParquetScan::FirstRowOf(int row_group) const {
  int64_t first = 0;
  for (int rg = 0; rg < row_group; ++rg) first += row_group_num_rows(rg);
  return first;
}

Status ParquetScan::ToBatch(const arrow::RecordBatch& rb, int64_t first_row,
                            const std::vector<int>& pass, Batch* out) const {
  out->columns.assign(columns_.size(), nullptr);
  out->num_rows = rb.num_rows();
  out->first_row = first_row;
  int next = 0;
  for (int i : pass) {
    if (field_index_[i] >= 0) out->columns[i] = rb.column(next++);
  }
  return Status::OK();
}

Status ParquetScan::CheckStrings(int row_group, const Batch& batch,
                                 std::vector<StringColumnCheck>& checks) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].type != ColumnType::kString || !batch.columns[i]) continue;
    if (auto bad = checks[i].Check(*batch.columns[i])) {
      return BadInput(
          "{}: row group {}, column {}, row {}: {}; PostgreSQL text cannot hold it: correct the "
          "file (or the payload, and ingest it again)",
          path_, row_group, columns_[i].name, batch.first_row + bad->row + 1,
          DescribeBadString(*bad));
    }
  }
  return Status::OK();
}

}  // namespace ocpagg
