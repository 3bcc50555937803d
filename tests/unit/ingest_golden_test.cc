// Every golden scenario: its payload through `ingest`, and the Parquet rows compared with the
// scenario's expected_line_items (hourly pod usage and the four daily tables) as multisets:
// numbers within relative 1e-12, labels as JSON objects, a missing column read as NULL (Hive
// maps Parquet columns by name).

#include <arrow/array.h>
#include <arrow/type.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <variant>

#include "ingest_test_support.h"
#include "ocpagg/ingest/ingest.h"
#include "ocpagg/koku/date.h"
#include "ocpagg/koku/layout.h"
#include "ocpagg/koku/report_type.h"
#include "ocpagg/koku/tables.h"

namespace ocpagg {
namespace {

using namespace ingest_test;

// A cell: NULL, a number, or text (timestamps as "YYYY-MM-DD HH:MM:SS", labels canonical).
using Cell = std::variant<std::monostate, double, std::string>;
using Row = std::vector<Cell>;

struct ExpectedTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt = \N
};

// RFC 4180 CSV with a header; an unquoted \N is NULL.
ExpectedTable LoadExpectedCsv(const std::string& path) {
  std::string text = ReadText(path);
  std::vector<std::vector<std::optional<std::string>>> records;
  std::vector<std::optional<std::string>> record;
  std::string field;
  bool quoted = false, was_quoted = false;
  auto end_field = [&] {
    if (!was_quoted && field == "\\N") {
      record.emplace_back(std::nullopt);
    } else {
      record.emplace_back(field);
    }
    field.clear();
    was_quoted = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = was_quoted = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n') {
      if (!field.empty() && field.back() == '\r') field.pop_back();
      end_field();
      records.push_back(std::move(record));
      record.clear();
    } else {
      field.push_back(c);
    }
  }
  if (!field.empty() || !record.empty()) {
    end_field();
    records.push_back(std::move(record));
  }
  ExpectedTable table;
  for (auto& c : records.at(0)) table.columns.push_back(*c);
  table.rows.assign(records.begin() + 1, records.end());
  return table;
}

std::string CanonicalLabels(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::object object;
  if (parser.parse(padded).get_object().get(object) != simdjson::SUCCESS) {
    return "<not a JSON object: " + std::string(json) + ">";
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (auto field : object) {
    std::string_view value;
    if (field.value.get_string().get(value) != simdjson::SUCCESS) value = "<non-string>";
    pairs.emplace_back(std::string(field.key), std::string(value));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out = "{";
  for (const auto& [k, v] : pairs) out += k + "=" + v + ";";
  return out + "}";
}

bool IsLabelsColumn(const std::string& name) { return name.ends_with("_labels"); }
bool IsTimeColumn(const std::string& name) { return IsTimestampColumn(name); }
bool IsNumber(const std::string& name) { return IsNumericColumn(name); }
bool IsIgnored(const std::string& name) {
  // S3 object metadata in koku, not Parquet content.
  return name == "manifestid" || name == "reportnumhours";
}

std::string FormatMillis(int64_t millis) {
  Date day = DateOfMillis(millis);
  int64_t s = (millis - static_cast<int64_t>(day) * kMillisPerDay) / 1000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d:%02d", FormatDate(day).c_str(),
                static_cast<int>(s / 3600), static_cast<int>(s / 60 % 60),
                static_cast<int>(s % 60));
  return buf;
}

Row ExpectedRow(const ExpectedTable& t, const std::vector<std::optional<std::string>>& r) {
  Row row;
  for (size_t c = 0; c < t.columns.size(); ++c) {
    const std::string& name = t.columns[c];
    if (IsIgnored(name)) continue;
    if (!r.at(c)) {
      row.emplace_back(std::monostate{});
    } else if (IsNumber(name)) {
      row.emplace_back(std::strtod(r[c]->c_str(), nullptr));
    } else if (IsTimeColumn(name)) {
      std::string v = *r[c];
      if (v.ends_with("+00")) v.resize(v.size() - 3);
      row.emplace_back(v);
    } else if (IsLabelsColumn(name)) {
      row.emplace_back(CanonicalLabels(*r[c]));
    } else {
      row.emplace_back(*r[c]);
    }
  }
  return row;
}

// "…/source=<uuid>/year=2025/month=10/<file>" -> {"source": uuid, "year": "2025", ...}
std::map<std::string, std::string> PartitionOf(const std::string& path) {
  std::map<std::string, std::string> out;
  for (const char* key : {"source", "year", "month"}) {
    std::string needle = std::string("/") + key + "=";
    size_t at = path.find(needle);
    if (at == std::string::npos) continue;
    size_t begin = at + needle.size();
    out[key] = path.substr(begin, path.find('/', begin) - begin);
  }
  return out;
}

std::vector<Row> ActualRows(const ExpectedTable& t, const std::string& path) {
  auto table = ReadParquet(path);
  std::vector<Row> rows;
  if (!table) return rows;
  auto partition = PartitionOf(path);
  auto start = std::static_pointer_cast<arrow::TimestampArray>(
      table->GetColumnByName("interval_start")->chunk(0));
  for (int64_t i = 0; i < table->num_rows(); ++i) {
    Row row;
    for (const std::string& name : t.columns) {
      if (IsIgnored(name)) continue;
      if (partition.contains(name)) {
        row.emplace_back(partition[name]);
        continue;
      }
      if (name == "usage_start") {
        row.emplace_back(FormatDate(DateOfMillis(start->Value(i))));
        continue;
      }
      auto column = table->GetColumnByName(name);
      if (!column || column->chunk(0)->IsNull(i)) {
        row.emplace_back(std::monostate{});
        continue;
      }
      auto array = column->chunk(0);
      switch (array->type_id()) {
        case arrow::Type::DOUBLE:
          row.emplace_back(std::static_pointer_cast<arrow::DoubleArray>(array)->Value(i));
          break;
        case arrow::Type::TIMESTAMP:
          row.emplace_back(
              FormatMillis(std::static_pointer_cast<arrow::TimestampArray>(array)->Value(i)));
          break;
        default: {
          std::string v(std::static_pointer_cast<arrow::StringArray>(array)->GetView(i));
          row.emplace_back(IsLabelsColumn(name) ? CanonicalLabels(v) : v);
        }
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

bool CellLess(const Cell& a, const Cell& b) {
  if (a.index() != b.index()) return a.index() < b.index();
  if (a.index() == 1) return std::get<double>(a) < std::get<double>(b);
  if (a.index() == 2) return std::get<std::string>(a) < std::get<std::string>(b);
  return false;
}

bool CellsMatch(const Cell& a, const Cell& b) {
  if (a.index() != b.index()) return false;
  if (a.index() != 1) return a == b;
  double x = std::get<double>(a), y = std::get<double>(b);
  if (x == y) return true;
  return std::fabs(x - y) <= 1e-12 * std::max(std::fabs(x), std::fabs(y));
}

std::string Show(const Cell& c) {
  if (c.index() == 0) return "NULL";
  if (c.index() == 1) return fmt::format("{}", std::get<double>(c));
  return "'" + std::get<std::string>(c) + "'";
}

std::vector<std::string> GoldenScenarios() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(SourceDir() + "/tests/golden")) {
    if (e.is_directory() && fs::exists(e.path() / "payload")) {
      names.push_back(e.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string SourceUuidOf(const std::string& scenario_dir) {
  simdjson::dom::parser parser;
  simdjson::padded_string json;
  if (simdjson::padded_string::load(scenario_dir + "/params.json").get(json)) return "";
  std::string_view uuid;
  if (parser.parse(json)["source_uuid"].get_string().get(uuid) != simdjson::SUCCESS) return "";
  return std::string(uuid);
}

class IngestGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(IngestGoldenTest, ParquetRowsMatchExpectedLineItems) {
  const std::string dir = SourceDir() + "/tests/golden/" + GetParam();
  ScratchDir out;
  IngestOptions o;
  o.payload_path = dir + "/payload";
  o.output_dir = out.path();
  o.source_uuid = SourceUuidOf(dir);
  auto report = IngestPayload(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();

  // The tables the summary reads, compared with koku's rows of the same name.
  for (int t = 0; t < kInputTableCount; ++t) {
    const KokuTable table = TableOf(static_cast<InputTable>(t));
    const std::string table_name = TableName(table);
    SCOPED_TRACE(table_name);
    ExpectedTable expected = LoadExpectedCsv(dir + "/expected_line_items/" + table_name + ".csv");
    std::vector<Row> want, got;
    for (const auto& r : expected.rows) want.push_back(ExpectedRow(expected, r));
    const std::string prefix = TableDir("", "org1234567", table) + "/";
    for (const std::string& f : ListFiles(out.path())) {
      if (!f.starts_with(prefix)) continue;
      for (auto& row : ActualRows(expected, out / f)) got.push_back(std::move(row));
    }
    auto by_value = [](const Row& a, const Row& b) {
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), CellLess);
    };
    std::sort(want.begin(), want.end(), by_value);
    std::sort(got.begin(), got.end(), by_value);
    ASSERT_EQ(got.size(), want.size());
    std::vector<std::string> kept;
    for (const auto& c : expected.columns) {
      if (!IsIgnored(c)) kept.push_back(c);
    }
    int differences = 0;
    for (size_t i = 0; i < want.size() && differences < 5; ++i) {
      for (size_t c = 0; c < kept.size(); ++c) {
        if (!CellsMatch(want[i][c], got[i][c])) {
          ADD_FAILURE() << "row " << i << " column " << kept[c] << ": expected " << Show(want[i][c])
                        << ", got " << Show(got[i][c]);
          ++differences;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, IngestGoldenTest, ::testing::ValuesIn(GoldenScenarios()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ocpagg
