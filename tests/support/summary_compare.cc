#include "support/summary_compare.h"

#include "ocpagg/koku/summary_row.h"
#include "ocpagg/sinks/text_fields.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ocpagg::testing {
namespace {

// Columns holding JSON objects and numbers; every other column compares as text.
bool IsJsonColumn(const std::string& c) {
  return c == "pod_labels" || c == "volume_labels" || c == "all_labels" ||
         c == "infrastructure_usage_cost";
}
bool IsNumericColumn(const std::string& c) {
  for (size_t m = 0; m < kMetricCount; ++m) {
    if (MetricColumnName(static_cast<Metric>(m)) == c) return true;
  }
  return false;
}

// JSON object -> canonical text (keys sorted, numbers as doubles).
std::string CanonicalJson(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(text).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    return "<not a JSON object: " + text + ">";
  }
  std::map<std::string, std::string> entries;
  for (auto [key, value] : doc.get_object()) {
    std::string v;
    if (value.is_string()) {
      v = "s:" + std::string(value.get_string().value());
    } else if (value.is_number()) {
      v = fmt::format("n:{}", double(value.get_double().value()));
    } else {
      v = "o:" + simdjson::minify(value);
    }
    entries.emplace(std::string(key), std::move(v));
  }
  std::string out = "{";
  for (const auto& [k, v] : entries) out += k + "=" + v + ";";
  return out + "}";
}

bool NumbersClose(double a, double b) {
  double diff = std::fabs(a - b);
  return diff <= 1e-12 || diff <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

struct KeyedRow {
  std::string key;                             // canonical non-numeric columns
  std::vector<std::optional<double>> numbers;  // numeric columns
  std::string text;                            // for messages
};

}  // namespace

int SummaryTable::ColumnIndex(const std::string& name) const {
  auto it = std::find(columns.begin(), columns.end(), name);
  return it == columns.end() ? -1 : static_cast<int>(it - columns.begin());
}

SummaryTable LoadCsv(const std::string& path, NullStyle nulls) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  std::vector<std::vector<CsvField>> records;
  if (!SplitCsvRecords(data, records))
    throw std::runtime_error(path + " ends inside a quoted field");
  SummaryTable table;
  for (auto& record : records) {
    std::vector<Field> fields;
    for (CsvField& f : record) {
      const bool null =
          !f.quoted && (nulls == NullStyle::kBackslashN ? f.text == "\\N" : f.text.empty());
      fields.push_back(null ? Field() : Field(std::move(f.text)));
    }
    if (table.columns.empty()) {
      for (auto& f : fields) table.columns.push_back(f.value_or(""));
    } else {
      table.rows.push_back(std::move(fields));
    }
  }
  return table;
}

std::vector<std::string> CompareSummaries(const SummaryTable& expected, const SummaryTable& actual,
                                          const std::vector<std::string>& ignore) {
  std::vector<std::string> diffs;
  std::vector<std::string> columns;
  for (const auto& c : expected.columns) {
    if (std::find(ignore.begin(), ignore.end(), c) == ignore.end()) columns.push_back(c);
  }
  auto keyed = [&](const SummaryTable& t, const char* side) {
    std::vector<int> idx;
    for (const auto& c : columns) {
      int i = t.ColumnIndex(c);
      if (i < 0) diffs.push_back(fmt::format("{} has no column {}", side, c));
      idx.push_back(i);
    }
    std::vector<KeyedRow> out;
    for (const auto& row : t.rows) {
      KeyedRow k;
      for (size_t j = 0; j < columns.size(); ++j) {
        Field f = idx[j] < 0 ? Field() : row[idx[j]];
        k.text += columns[j] + "=" + (f ? *f : "NULL") + " ";
        if (IsNumericColumn(columns[j])) {
          k.numbers.push_back(f ? std::optional<double>(std::stod(*f)) : std::nullopt);
        } else if (IsJsonColumn(columns[j])) {
          k.key += (f ? CanonicalJson(*f) : "NULL") + "|";
        } else {
          k.key += (f ? "'" + *f + "'" : "NULL") + "|";
        }
      }
      out.push_back(std::move(k));
    }
    std::sort(out.begin(), out.end(), [](const KeyedRow& a, const KeyedRow& b) {
      if (a.key != b.key) return a.key < b.key;
      return a.numbers < b.numbers;
    });
    return out;
  };
  auto e = keyed(expected, "actual");
  auto a = keyed(actual, "actual");
  if (!diffs.empty()) return diffs;
  if (e.size() != a.size()) {
    diffs.push_back(fmt::format("row count: expected {}, actual {}", e.size(), a.size()));
  }
  // Match rows key by key; within a key, in numeric order.
  size_t i = 0, j = 0;
  while (i < e.size() || j < a.size()) {
    if (j >= a.size() || (i < e.size() && e[i].key < a[j].key)) {
      diffs.push_back("missing row: " + e[i++].text);
      continue;
    }
    if (i >= e.size() || a[j].key < e[i].key) {
      diffs.push_back("unexpected row: " + a[j++].text);
      continue;
    }
    const auto& er = e[i++];
    const auto& ar = a[j++];
    size_t n = 0;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (!IsNumericColumn(columns[c])) continue;
      const auto& x = er.numbers[n];
      const auto& y = ar.numbers[n];
      ++n;
      if (x.has_value() != y.has_value() || (x && !NumbersClose(*x, *y))) {
        diffs.push_back(fmt::format("{}: expected {}, actual {} in row {}", columns[c],
                                    x ? fmt::format("{}", *x) : "NULL",
                                    y ? fmt::format("{}", *y) : "NULL", er.text));
      }
    }
  }
  return diffs;
}

std::map<std::string, int> CountByDataSource(const SummaryTable& table) {
  std::map<std::string, int> out;
  int i = table.ColumnIndex("data_source");
  for (const auto& row : table.rows) out[i >= 0 && row[i] ? *row[i] : "NULL"]++;
  return out;
}

}  // namespace ocpagg::testing
