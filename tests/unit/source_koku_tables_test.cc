// Reading koku's tables (src/ocpagg/source): the columns are found by name whatever their order
// in the file, optional columns a file lacks read as NULL, and a file without a required column
// or with a column of the wrong type fails before any row is read, naming file and column.

#include <arrow/api.h>
#include <arrow/filesystem/localfs.h>
#include <arrow/io/file.h>
#include <gtest/gtest.h>
#include <parquet/arrow/writer.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <numeric>
#include <string>
#include <vector>

#include "ocpagg/koku/table_schema.h"
#include "ocpagg/source/koku_tables.h"
#include "ocpagg/source/parquet_scan.h"
#include "support/process.h"

namespace ocpagg {
namespace {

const Date kDay = MakeDate(2025, 10, 3);

// The value of row `row` of koku's column `name` in the files these tests write: text
// "<name>-<row>", number 100 x (the column's position in koku's schema) + row, and the day's
// midnight for timestamps. The same whatever the column order of the file.
std::string TextAt(std::string_view name, int64_t row) {
  return std::string(name) + "-" + std::to_string(row);
}
double NumberAt(KokuTable table, std::string_view name, int64_t row) {
  auto columns = KokuColumns(table);
  auto it = std::find_if(columns.begin(), columns.end(),
                         [&](const KokuColumn& c) { return c.name == name; });
  return 100.0 * static_cast<double>(it - columns.begin()) + static_cast<double>(row);
}

std::shared_ptr<arrow::Array> ValuesOf(KokuTable table, const arrow::Field& field, int64_t rows) {
  std::unique_ptr<arrow::ArrayBuilder> builder;
  EXPECT_TRUE(arrow::MakeBuilder(arrow::default_memory_pool(), field.type(), &builder).ok());
  for (int64_t i = 0; i < rows; ++i) {
    arrow::Status st;
    switch (field.type()->id()) {
      case arrow::Type::STRING:
        st = static_cast<arrow::StringBuilder&>(*builder).Append(TextAt(field.name(), i));
        break;
      case arrow::Type::DOUBLE:
        st = static_cast<arrow::DoubleBuilder&>(*builder).Append(NumberAt(table, field.name(), i));
        break;
      case arrow::Type::TIMESTAMP:
        st = static_cast<arrow::TimestampBuilder&>(*builder).Append(static_cast<int64_t>(kDay) *
                                                                    kMillisPerDay);
        break;
      default:
        ADD_FAILURE() << "unexpected type " << field.type()->ToString();
    }
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  std::shared_ptr<arrow::Array> array;
  EXPECT_TRUE(builder->Finish(&array).ok());
  return array;
}

class KokuTableReadTest : public ::testing::Test {
 protected:
  // Writes a file of `table` with the columns of `schema` (koku's, or a variant of it).
  std::string Write(KokuTable table, const std::shared_ptr<arrow::Schema>& schema,
                    int64_t rows = 3) {
    std::vector<std::shared_ptr<arrow::Array>> arrays;
    for (const auto& field : schema->fields()) arrays.push_back(ValuesOf(table, *field, rows));
    auto data = arrow::Table::Make(schema, arrays, rows);
    const std::string path = dir_.path() + "/file" + std::to_string(files_++) + ".parquet";
    auto out = arrow::io::FileOutputStream::Open(path).ValueOrDie();
    EXPECT_TRUE(parquet::arrow::WriteTable(*data, arrow::default_memory_pool(), out, rows).ok());
    EXPECT_TRUE(out->Close().ok());
    return path;
  }

  Result<std::unique_ptr<ParquetScan>> Open(const std::string& path, InputTable table) {
    return ParquetScan::Open(fs_, path, ColumnsOf(table));
  }

  // Every row of the file read as the table's typed batch, through `row(batch, i)`; the rows'
  // strings stay valid for the test's life.
  template <typename BatchT, typename Row>
  void ReadAll(const std::string& path, InputTable table, Row&& row,
               std::span<const int> columns = {}) {
    auto scan = Open(path, table);
    ASSERT_TRUE(scan.ok()) << scan.status().ToString();
    for (int rg = 0; rg < (*scan)->num_row_groups(); ++rg) {
      auto st = (*scan)->ForEachBatch(
          rg,
          [&](const ParquetScan::Batch& raw) -> Status {
            kept_.push_back(raw);  // rows view its arrays
            ARROW_ASSIGN_OR_RAISE(auto batch, BatchT::Make(raw));
            for (int64_t i = 0; i < raw.num_rows; ++i) row(batch, raw.first_row + i);
            return Status::OK();
          },
          columns);
      ASSERT_TRUE(st.ok()) << st.ToString();
    }
  }

  std::vector<PodUsageRow> PodRows(const std::string& path) {
    std::vector<PodUsageRow> rows;
    ReadAll<PodUsageBatch>(
        path, InputTable::kPodUsageDaily,
        [&](const PodUsageBatch& b, int64_t i) { rows.push_back(b.Row(i, kDay)); });
    return rows;
  }

  static std::shared_ptr<arrow::Schema> Without(const std::shared_ptr<arrow::Schema>& schema,
                                                std::vector<std::string> names) {
    arrow::FieldVector fields;
    for (const auto& f : schema->fields()) {
      if (std::find(names.begin(), names.end(), f.get()->name()) == names.end()) {
        fields.push_back(f);
      }
    }
    return arrow::schema(fields);
  }

  const KokuTable kPodDaily = TableOf(InputTable::kPodUsageDaily);
  testing::TempDir dir_;
  int files_ = 0;
  std::vector<ParquetScan::Batch> kept_;
  std::shared_ptr<arrow::fs::FileSystem> fs_ = std::make_shared<arrow::fs::LocalFileSystem>();
};

TEST_F(KokuTableReadTest, DailyPodRowsAreReadByColumnName) {
  auto rows = PodRows(Write(kPodDaily, KokuSchema(kPodDaily)));
  ASSERT_EQ(rows.size(), 3u);
  const PodUsageRow& r = rows[1];
  EXPECT_EQ(r.usage_start, kDay);
  EXPECT_EQ(r.namespace_, "namespace-1");
  EXPECT_EQ(r.node, "node-1");
  EXPECT_EQ(r.pod, "pod-1");
  EXPECT_EQ(r.resource_id, "resource_id-1");
  EXPECT_EQ(r.pod_labels, "pod_labels-1");
  EXPECT_EQ(r.node_role, "node_role-1");
  EXPECT_EQ(r.pod_usage_cpu_core_seconds, NumberAt(kPodDaily, "pod_usage_cpu_core_seconds", 1));
  EXPECT_EQ(r.pod_request_memory_byte_seconds,
            NumberAt(kPodDaily, "pod_request_memory_byte_seconds", 1));
  EXPECT_EQ(r.pod_effective_usage_memory_byte_seconds,
            NumberAt(kPodDaily, "pod_effective_usage_memory_byte_seconds", 1));
  EXPECT_EQ(r.node_capacity_cpu_cores, NumberAt(kPodDaily, "node_capacity_cpu_cores", 1));
  EXPECT_EQ(r.node_capacity_memory_bytes, NumberAt(kPodDaily, "node_capacity_memory_bytes", 1));
}

TEST_F(KokuTableReadTest, ColumnsInAnotherOrderReadTheSameRows) {
  auto fields = KokuSchema(kPodDaily)->fields();
  std::reverse(fields.begin(), fields.end());
  std::rotate(fields.begin(), fields.begin() + 5, fields.end());
  auto shuffled = PodRows(Write(kPodDaily, arrow::schema(fields)));
  auto in_order = PodRows(Write(kPodDaily, KokuSchema(kPodDaily)));
  ASSERT_EQ(shuffled.size(), in_order.size());
  for (size_t i = 0; i < shuffled.size(); ++i) {
    EXPECT_EQ(shuffled[i].pod, in_order[i].pod);
    EXPECT_EQ(shuffled[i].node, in_order[i].node);
    EXPECT_EQ(shuffled[i].pod_labels, in_order[i].pod_labels);
    EXPECT_EQ(shuffled[i].pod_usage_cpu_core_seconds, in_order[i].pod_usage_cpu_core_seconds);
    EXPECT_EQ(shuffled[i].pod_limit_memory_byte_seconds, in_order[i].pod_limit_memory_byte_seconds);
    EXPECT_EQ(shuffled[i].node_capacity_memory_bytes, in_order[i].node_capacity_memory_bytes);
  }
}

TEST_F(KokuTableReadTest, OptionalColumnsAFileLacksReadAsNull) {
  auto rows = PodRows(Write(kPodDaily, Without(KokuSchema(kPodDaily),
                                               {"node_role", "pod_effective_usage_cpu_core_seconds",
                                                "pod_effective_usage_memory_byte_seconds"})));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].node_role, std::nullopt);
  EXPECT_EQ(rows[0].pod_effective_usage_cpu_core_seconds, std::nullopt);
  EXPECT_EQ(rows[0].pod_effective_usage_memory_byte_seconds, std::nullopt);
  EXPECT_EQ(rows[0].pod, "pod-0");
}

TEST_F(KokuTableReadTest, MissingRequiredColumnFailsNamingFileAndColumn) {
  const std::string path = Write(kPodDaily, Without(KokuSchema(kPodDaily), {"pod_labels"}));
  auto scan = Open(path, InputTable::kPodUsageDaily);
  ASSERT_FALSE(scan.ok());
  EXPECT_EQ(KindOf(scan.status()), ErrorKind::kBadInput);
  EXPECT_NE(scan.status().message().find(path), std::string::npos) << scan.status().ToString();
  EXPECT_NE(scan.status().message().find("required column 'pod_labels' is missing"),
            std::string::npos)
      << scan.status().ToString();
}

TEST_F(KokuTableReadTest, ColumnOfTheWrongTypeFailsNamingFileColumnAndTypes) {
  arrow::FieldVector fields = KokuSchema(kPodDaily)->fields();
  for (auto& f : fields) {
    if (f->name() == "pod_limit_cpu_core_seconds") f = arrow::field(f->name(), arrow::utf8());
  }
  const std::string path = Write(kPodDaily, arrow::schema(fields));
  auto scan = Open(path, InputTable::kPodUsageDaily);
  ASSERT_FALSE(scan.ok());
  EXPECT_EQ(KindOf(scan.status()), ErrorKind::kBadInput);
  EXPECT_NE(scan.status().message().find(path + ": column 'pod_limit_cpu_core_seconds' has type "
                                                "string, expected double"),
            std::string::npos)
      << scan.status().ToString();
}

TEST_F(KokuTableReadTest, NegativeRowCountInTheFooterFailsNamingFileAndRowGroup) {
  const std::string path = Write(kPodDaily, KokuSchema(kPodDaily), 100);
  // The footer (Thrift compact protocol) ends with the row group's fields: the last i64 field 3
  // (header 0x16) holding 100 (zigzag varint C8 01) is its num_rows. C7 01 is -100.
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string count("\x16\xC8\x01", 3);
  const size_t at = bytes.rfind(count);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 1] = '\xC7';
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;

  auto scan = Open(path, InputTable::kPodUsageDaily);
  ASSERT_FALSE(scan.ok());
  EXPECT_EQ(KindOf(scan.status()), ErrorKind::kBadInput);
  EXPECT_NE(scan.status().message().find(path + ": not a readable Parquet file (row group 0 "
                                                "counts -100 rows)"),
            std::string::npos)
      << scan.status().ToString();
}

TEST_F(KokuTableReadTest, AColumnPassReadsOnlyItsColumns) {
  const std::string path = Write(kPodDaily, KokuSchema(kPodDaily));
  const auto cpu =
      ColumnPassesOf(InputTable::kPodUsageDaily)[static_cast<size_t>(PodDailyPass::kCpu)];
  std::vector<PodUsageRow> rows;
  ReadAll<PodUsageBatch>(
      path, InputTable::kPodUsageDaily,
      [&](const PodUsageBatch& b, int64_t i) { rows.push_back(b.Numbers(i)); }, cpu);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2].pod_limit_cpu_core_seconds,
            NumberAt(kPodDaily, "pod_limit_cpu_core_seconds", 2));
  EXPECT_EQ(rows[2].pod_usage_memory_byte_seconds, 0);  // another pass: not read
  EXPECT_EQ(rows[2].node_capacity_cpu_cores, std::nullopt);
}

TEST_F(KokuTableReadTest, EveryInputTableReadsKokusFiles) {
  const std::string storage = Write(TableOf(InputTable::kStorageUsageDaily),
                                    KokuSchema(TableOf(InputTable::kStorageUsageDaily)));
  int64_t storage_rows = 0;
  ReadAll<StorageUsageBatch>(
      storage, InputTable::kStorageUsageDaily, [&](const StorageUsageBatch& b, int64_t i) {
        const StorageUsageRow r = b.Row(i, kDay);
        EXPECT_EQ(r.csi_volume_handle, TextAt("csi_volume_handle", i));
        EXPECT_EQ(r.persistentvolumeclaim_labels, TextAt("persistentvolumeclaim_labels", i));
        ++storage_rows;
      });
  EXPECT_EQ(storage_rows, 3);

  const KokuTable hourly = TableOf(InputTable::kPodUsageHourly);
  int64_t capacity_rows = 0;
  ReadAll<PodCapacityBatch>(Write(hourly, KokuSchema(hourly)), InputTable::kPodUsageHourly,
                            [&](const PodCapacityBatch& b, int64_t i) {
                              const PodCapacityRow r = b.Row(i, 0);
                              EXPECT_EQ(r.node, TextAt("node", i));
                              EXPECT_EQ(r.node_capacity_memory_byte_seconds,
                                        NumberAt(hourly, "node_capacity_memory_byte_seconds", i));
                              ++capacity_rows;
                            });
  EXPECT_EQ(capacity_rows, 3);

  const KokuTable nodes = TableOf(InputTable::kNodeLabelsDaily);
  ReadAll<NodeLabelBatch>(Write(nodes, KokuSchema(nodes)), InputTable::kNodeLabelsDaily,
                          [&](const NodeLabelBatch& b, int64_t i) {
                            EXPECT_EQ(b.Row(i, kDay).node_labels, TextAt("node_labels", i));
                          });
  const KokuTable namespaces = TableOf(InputTable::kNamespaceLabelsDaily);
  ReadAll<NamespaceLabelBatch>(
      Write(namespaces, KokuSchema(namespaces)), InputTable::kNamespaceLabelsDaily,
      [&](const NamespaceLabelBatch& b, int64_t i) {
        EXPECT_EQ(b.Row(i, kDay).namespace_labels, TextAt("namespace_labels", i));
      });
}

TEST(KokuTableColumnsTest, ReaderColumnsAreKokuColumns) {
  for (int t = 0; t < kInputTableCount; ++t) {
    const auto table = static_cast<InputTable>(t);
    SCOPED_TRACE(InputTableName(table));
    for (const ColumnSpec& spec : ColumnsOf(table)) {
      const KokuColumn* column = FindKokuColumn(TableOf(table), spec.name);
      ASSERT_NE(column, nullptr) << spec.name;
      EXPECT_EQ(spec.type, column->type) << spec.name;
      EXPECT_EQ(spec.required, !column->optional) << spec.name;
    }
    EXPECT_EQ(ColumnsOf(table)[0].name, "interval_start");
  }
}

TEST(KokuTableColumnsTest, PassesReadEveryColumnOnceKeysFirst) {
  for (int t = 0; t < kInputTableCount; ++t) {
    const auto table = static_cast<InputTable>(t);
    const auto passes = ColumnPassesOf(table);
    std::vector<int> seen;
    for (std::span<const int> pass : passes) seen.insert(seen.end(), pass.begin(), pass.end());
    std::sort(seen.begin(), seen.end());
    std::vector<int> all(ColumnsOf(table).size());
    std::iota(all.begin(), all.end(), 0);
    EXPECT_EQ(seen, all) << InputTableName(table);
    EXPECT_EQ(ColumnsOf(table)[static_cast<size_t>(passes[0][0])].name, "interval_start");
  }
  EXPECT_EQ(ColumnPassesOf(InputTable::kPodUsageDaily).size(), 4u);
}

TEST(KokuTableColumnsTest, InventoryColumnsAreTheNodesQuerysColumns) {
  std::vector<std::string_view> names;
  for (int i : PodDailyInventoryColumns()) {
    names.push_back(ColumnsOf(InputTable::kPodUsageDaily)[static_cast<size_t>(i)].name);
  }
  EXPECT_EQ(names,
            (std::vector<std::string_view>{"interval_start", "namespace", "node", "resource_id",
                                           "node_role", "node_capacity_cpu_cores"}));
}

}  // namespace
}  // namespace ocpagg
