#include "ocpagg/engine/unit_scan.h"

#include <tbb/parallel_for.h>

#include "ocpagg/common/uuid.h"
#include "ocpagg/engine/first_error.h"

namespace ocpagg {

Status RowError(const std::string& path, const ParquetScan::Batch& raw, int64_t row,
                const Status& st) {
  if (raw.row_ids) {
    const auto& ids = static_cast<const arrow::BinaryArray&>(*raw.row_ids);
    return MakeError(KindOf(st), fmt::format("{} (row id {}): {}", path,
                                             FormatUuidBytes(ids.GetView(row)), st.message()));
  }
  return MakeError(KindOf(st),
                   fmt::format("{} (row {}): {}", path, raw.first_row + row + 1, st.message()));
}

uint64_t UnitSource::KeyOf(const WorkUnit& u) {
  return (static_cast<uint64_t>(u.table) << 56) | (static_cast<uint64_t>(u.file) << 24) |
         static_cast<uint64_t>(u.row_group);
}

UnitSource UnitSource::Files(const DatasetFiles& files, ScanOptions options,
                             const StopToken* stop) {
  return UnitSource(&files, nullptr, options, stop);
}

UnitSource UnitSource::Postgres(const PgLineItems& tables, ScanOptions options,
                                const StopToken* stop) {
  return UnitSource(nullptr, &tables, options, stop);
}

Result<UnitSource> UnitSource::Preloaded(const UnitSource& from, const RunPlan& plan) {
  const UnitSource& from_files = from;
  // A row group spanning several days is listed under each of them: read once.
  std::vector<WorkUnit> units;
  absl::flat_hash_map<uint64_t, size_t> index;
  for (const auto& day : plan.days) {
    for (const WorkUnit& unit : day.units) {
      if (index.try_emplace(KeyOf(unit), units.size()).second) units.push_back(unit);
    }
  }
  std::vector<std::vector<ParquetScan::Batch>> loaded(units.size());
  FirstError error;
  tbb::parallel_for(size_t{0}, units.size(), [&](size_t i) {
    if (error.failed()) return;
    auto reader = from_files.Open(units[i]);
    if (!reader.ok()) return error.Record(reader.status());
    error.Record(reader->ForEachBatch([&](const ParquetScan::Batch& b) {
      loaded[i].push_back(b);
      return Status::OK();
    }));
  });
  ARROW_RETURN_NOT_OK(error.status());
  auto preloaded = std::make_shared<Preloads>();
  for (const auto& [key, i] : index) preloaded->emplace(key, std::move(loaded[i]));
  UnitSource source = from;
  source.preloaded_ = std::move(preloaded);
  return source;
}

Result<UnitReader> UnitSource::Open(const WorkUnit& unit) const {
  UnitReader reader;
  reader.row_group_ = unit.row_group;
  reader.stop_ = stop_;
  if (preloaded_) {
    if (auto it = preloaded_->find(KeyOf(unit)); it != preloaded_->end()) {
      reader.batches_ = &it->second;
      for (const auto& batch : it->second) reader.rows_ += batch.num_rows;
      return reader;
    }
  }
  if (pg_) {
    reader.pg_ = pg_;
    reader.table_ = unit.table;
    reader.batch_rows_ = options_.batch_rows;
    reader.rows_ = unit.rows;
    return reader;
  }
  ARROW_ASSIGN_OR_RAISE(
      reader.scan_, ParquetScan::Open(files_->fs, PathOf(unit), ColumnsOf(unit.table), options_));
  reader.rows_ = reader.scan_->row_group_num_rows(unit.row_group);
  return reader;
}

}  // namespace ocpagg
