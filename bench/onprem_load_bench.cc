// Loads a dataset in koku's Parquet layout (`ocpagg generate`, `ocpagg ingest --output`) into
// koku's on-prem line-item tables, as `ocpagg ingest --postgres` loads a payload: the input of
// bench/onprem_bench.sh, which has generated data rather than an operator payload.
//
//   onprem_load_bench DATA_DIR URL SCHEMA SOURCE_UUID YEAR MONTH
//   onprem_load_bench --index-ddl SCHEMA
//
// The second form prints ocpagg's index on the hourly pod table (pg::HourlyCapacityIndexDdl),
// which `ingest --postgres --create-schema` creates, for tables created otherwise.

#include <fmt/format.h>

#include <cstdlib>
#include <string_view>

#include "ocpagg/pg/koku_schema.h"
#include "ocpagg/run/line_item_loader.h"
#include "ocpagg/source/koku_dataset.h"

int main(int argc, char** argv) {
  using namespace ocpagg;
  if (argc == 3 && std::string_view(argv[1]) == "--index-ddl") {
    fmt::print("{}", pg::HourlyCapacityIndexDdl(argv[2]));
    return 0;
  }
  if (argc != 7) {
    fmt::print(stderr,
               "usage: {0} DATA_DIR URL SCHEMA SOURCE_UUID YEAR MONTH\n"
               "       {0} --index-ddl SCHEMA\n",
               argv[0]);
    return 2;
  }
  DatasetLocation where{argv[1], "", argv[4], std::atoi(argv[5]),
                        static_cast<unsigned>(std::atoi(argv[6]))};
  auto dataset = DiscoverDataset(where);
  if (!dataset.ok()) {
    fmt::print(stderr, "{}\n", dataset.status().message());
    return 3;
  }
  std::vector<LineItemFile> files;
  for (int t = 0; t < kInputTableCount; ++t) {
    for (const auto& path : dataset->files[t]) {
      files.push_back({TableOf(static_cast<InputTable>(t)), path});
    }
  }
  LineItemLoadOptions load;
  load.url = argv[2];
  load.schema = argv[3];
  load.source_uuid = argv[4];
  auto report = LoadLineItems(files, load);
  if (!report.ok()) {
    fmt::print(stderr, "{}\n", report.status().message());
    return 4;
  }
  fmt::print("loaded {} rows from {} files\n", report->rows, files.size());
  return 0;
}
