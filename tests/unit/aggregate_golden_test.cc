// The aggregators against koku's own output: each golden scenario's line-item rows
// (expected_line_items/, the tables koku's SQL read) go straight into NodeInventory,
// ApplyNodeInventory and DaySummary, month by month as koku summarizes them, and the rows must
// equal expected_summary.csv (koku's self-hosted SQL on PostgreSQL) and the node table must
// equal params.json's reporting_ocp_nodes. No ingest, no Parquet, no engine: only this module.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "ocpagg/aggregate/day_summary.h"
#include "ocpagg/aggregate/node_inventory.h"
#include "ocpagg/aggregate/node_roles.h"

namespace ocpagg {
namespace {

namespace fs = std::filesystem;
using Field = std::optional<std::string>;

const fs::path kGoldenDir = fs::path(OCPAGG_SOURCE_DIR) / "tests" / "golden";

// An RFC 4180 CSV file with a header line; unquoted \N is NULL.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<Field>> rows;

  size_t Column(const std::string& name) const {
    auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << name;
    return static_cast<size_t>(it - header.begin());
  }
};

Csv ReadCsv(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  Csv csv;
  std::vector<Field> record;
  std::string cell;
  bool quoted = false;
  bool was_quoted = false;
  auto end_cell = [&] {
    if (!was_quoted && cell == "\\N") {
      record.emplace_back(std::nullopt);
    } else {
      record.emplace_back(cell);
    }
    cell.clear();
    was_quoted = false;
  };
  auto end_record = [&] {
    end_cell();
    if (csv.header.empty()) {
      for (auto& f : record) csv.header.push_back(f.value_or(""));
    } else {
      csv.rows.push_back(std::move(record));
    }
    record.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell.push_back(c);
      }
    } else if (c == '"') {
      quoted = was_quoted = true;
    } else if (c == ',') {
      end_cell();
    } else if (c == '\n') {
      end_record();
    } else if (c != '\r') {
      cell.push_back(c);
    }
  }
  if (!cell.empty() || !record.empty()) end_record();
  return csv;
}

std::optional<double> Number(const Field& f) {
  if (!f) return std::nullopt;
  return std::strtod(f->c_str(), nullptr);
}

NullableString View(const Field& f) {
  if (!f) return std::nullopt;
  return std::string_view(*f);
}

// "2025-10-30 01:00:00+00" as naive UTC milliseconds.
int64_t Millis(const std::string& ts) {
  const Date d = *ParseDate(std::string_view(ts).substr(0, 10));
  const int h = std::stoi(ts.substr(11, 2));
  const int m = std::stoi(ts.substr(14, 2));
  const int s = std::stoi(ts.substr(17, 2));
  return static_cast<int64_t>(d) * kMillisPerDay + ((h * 60 + m) * 60 + s) * 1000LL;
}

// A label or cost JSON object with keys sorted and values printed canonically.
std::string CanonicalJson(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  EXPECT_FALSE(parser.parse(text).get(object)) << text;
  std::map<std::string, std::string> sorted;
  for (auto field : object) {
    std::string value;
    if (field.value.is_string()) {
      value = "\"" + std::string(field.value.get_string().value_unsafe()) + "\"";
    } else if (field.value.is_null()) {
      value = "null";
    } else {
      value = std::to_string(field.value.get_double().value_unsafe());
    }
    sorted[std::string(field.key)] = value;
  }
  std::string out = "{";
  for (const auto& [k, v] : sorted) out += (out.size() > 1 ? "," : "") + ("\"" + k + "\":" + v);
  return out + "}";
}

struct SummaryRun {
  Date start;
  Date end;
  std::string year;
  std::string month;
};

struct Params {
  std::vector<std::string> enabled_keys;
  std::vector<CostCategoryPattern> cost_categories;
  std::vector<SummaryRun> runs;
  std::vector<StoredNode> final_nodes;
};

Params ReadParams(const fs::path& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.load(path.string());
  Params p;
  for (auto key : doc["enabled_keys"].get_array())
    p.enabled_keys.emplace_back(key.get_string().value());
  for (auto c : doc["cost_category_namespaces"].get_array()) {
    p.cost_categories.push_back({std::string(c["namespace_pattern"].get_string().value()),
                                 static_cast<int32_t>(c["cost_category_id"].get_int64())});
  }
  for (auto period : doc["report_periods"].get_array()) {
    for (auto s : period["summary"].get_array()) {
      p.runs.push_back({*ParseDate(s["start_date"].get_string().value()),
                        *ParseDate(s["end_date"].get_string().value()),
                        std::string(s["year"].get_string().value()),
                        std::string(s["month"].get_string().value())});
    }
  }
  auto text = [](simdjson::dom::element e) -> std::optional<std::string> {
    if (e.is_null()) return std::nullopt;
    return std::string(e.get_string().value());
  };
  for (auto n : doc["reporting_ocp_nodes"].get_array()) {
    StoredNode node;
    node.node = *text(n["node"]);
    node.resource_id = *text(n["resource_id"]);
    if (auto cores = text(n["node_capacity_cpu_cores"]))
      node.node_capacity_cpu_cores = std::stod(*cores);
    node.node_role = text(n["node_role"]);
    node.architecture = text(n["architecture"]);
    p.final_nodes.push_back(std::move(node));
  }
  return p;
}

// The line-item tables of a scenario, with the partition and day of every row.
struct LineItems {
  Csv node_labels, namespace_labels, pod_hourly, pod_daily, storage_daily;
};

bool InRun(const Csv& csv, const std::vector<Field>& row, const SummaryRun& run, Date* day) {
  *day = *ParseDate(*row[csv.Column("usage_start")]);
  return *row[csv.Column("year")] == run.year && *row[csv.Column("month")] == run.month &&
         *day >= run.start && *day <= run.end;
}

PodUsageRow PodRowOf(const Csv& csv, const std::vector<Field>& r, Date day) {
  auto col = [&](const char* name) -> const Field& { return r[csv.Column(name)]; };
  PodUsageRow p;
  p.usage_start = day;
  p.namespace_ = View(col("namespace"));
  p.node = View(col("node"));
  p.pod = View(col("pod"));
  p.resource_id = View(col("resource_id"));
  p.pod_labels = View(col("pod_labels"));
  p.node_role = View(col("node_role"));
  p.pod_usage_cpu_core_seconds = Number(col("pod_usage_cpu_core_seconds")).value_or(0);
  p.pod_request_cpu_core_seconds = Number(col("pod_request_cpu_core_seconds")).value_or(0);
  p.pod_limit_cpu_core_seconds = Number(col("pod_limit_cpu_core_seconds")).value_or(0);
  p.pod_usage_memory_byte_seconds = Number(col("pod_usage_memory_byte_seconds")).value_or(0);
  p.pod_request_memory_byte_seconds = Number(col("pod_request_memory_byte_seconds")).value_or(0);
  p.pod_limit_memory_byte_seconds = Number(col("pod_limit_memory_byte_seconds")).value_or(0);
  p.pod_effective_usage_cpu_core_seconds = Number(col("pod_effective_usage_cpu_core_seconds"));
  p.pod_effective_usage_memory_byte_seconds =
      Number(col("pod_effective_usage_memory_byte_seconds"));
  p.node_capacity_cpu_cores = Number(col("node_capacity_cpu_cores"));
  p.node_capacity_memory_bytes = Number(col("node_capacity_memory_bytes"));
  return p;
}

// Summarizes one run (one month) like koku: nodes query and upsert, then every day.
std::vector<SummaryRow> SummarizeRun(const LineItems& in, const SummaryRun& run,
                                     const SummarySettings& settings,
                                     std::vector<StoredNode>& nodes) {
  Date day = 0;
  NodeInventory inventory;
  for (const auto& r : in.pod_daily.rows) {
    if (InRun(in.pod_daily, r, run, &day)) inventory.AddPodUsage(PodRowOf(in.pod_daily, r, day));
  }
  for (const auto& r : in.node_labels.rows) {
    if (!InRun(in.node_labels, r, run, &day)) continue;
    EXPECT_TRUE(inventory
                    .AddNodeLabels({day, View(r[in.node_labels.Column("node")]),
                                    View(r[in.node_labels.Column("node_labels")])})
                    .ok());
  }
  const std::vector<NodeInventoryRow> inventory_rows = inventory.Finish();
  ApplyNodeInventory(nodes, inventory_rows);
  NodeRoleTable roles;
  for (auto& n : nodes) {
    n.is_new = n.changed = false;
    roles.Add({n.node, n.resource_id, n.node_role});
  }

  std::vector<SummaryRow> out;
  for (Date d = run.start; d <= run.end; ++d) {
    DaySummary summary(settings, d);
    for (const auto& r : in.node_labels.rows) {
      if (InRun(in.node_labels, r, run, &day) && day == d) {
        EXPECT_TRUE(summary
                        .AddNodeLabels({day, View(r[in.node_labels.Column("node")]),
                                        View(r[in.node_labels.Column("node_labels")])})
                        .ok());
      }
    }
    const Csv& ns = in.namespace_labels;
    for (const auto& r : ns.rows) {
      if (InRun(ns, r, run, &day) && day == d) {
        EXPECT_TRUE(summary
                        .AddNamespaceLabels({day, View(r[ns.Column("namespace")]),
                                             View(r[ns.Column("namespace_labels")])})
                        .ok());
      }
    }
    const Csv& hourly = in.pod_hourly;
    for (const auto& r : hourly.rows) {
      if (InRun(hourly, r, run, &day) && day == d) {
        summary.AddCapacity({Millis(*r[hourly.Column("interval_start")]),
                             View(r[hourly.Column("node")]),
                             Number(r[hourly.Column("node_capacity_cpu_core_seconds")]),
                             Number(r[hourly.Column("node_capacity_memory_byte_seconds")])});
      }
    }
    for (const auto& r : in.pod_daily.rows) {
      if (InRun(in.pod_daily, r, run, &day) && day == d) {
        EXPECT_TRUE(summary.AddPodUsage(PodRowOf(in.pod_daily, r, day)).ok());
      }
    }
    const Csv& st = in.storage_daily;
    for (const auto& r : st.rows) {
      if (!InRun(st, r, run, &day) || day != d) continue;
      auto col = [&](const char* name) -> const Field& { return r[st.Column(name)]; };
      StorageUsageRow s;
      s.usage_start = day;
      s.namespace_ = View(col("namespace"));
      s.pod = View(col("pod"));
      s.persistentvolumeclaim = View(col("persistentvolumeclaim"));
      s.persistentvolume = View(col("persistentvolume"));
      s.storageclass = View(col("storageclass"));
      s.csi_volume_handle = View(col("csi_volume_handle"));
      s.persistentvolume_labels = View(col("persistentvolume_labels"));
      s.persistentvolumeclaim_labels = View(col("persistentvolumeclaim_labels"));
      s.persistentvolumeclaim_capacity_bytes = Number(col("persistentvolumeclaim_capacity_bytes"));
      s.persistentvolumeclaim_capacity_byte_seconds =
          Number(col("persistentvolumeclaim_capacity_byte_seconds")).value_or(0);
      s.volume_request_storage_byte_seconds =
          Number(col("volume_request_storage_byte_seconds")).value_or(0);
      s.persistentvolumeclaim_usage_byte_seconds =
          Number(col("persistentvolumeclaim_usage_byte_seconds")).value_or(0);
      EXPECT_TRUE(summary.AddStorageUsage(s).ok());
    }
    auto rows = std::move(summary).Finish(roles);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (rows.ok()) {
      for (auto& row : *rows) out.push_back(std::move(row));
    }
  }
  return out;
}

// A summary row as comparable text: identity columns (labels canonical) and the metrics.
struct Comparable {
  std::string identity;
  std::vector<std::optional<double>> metrics;
};

const std::vector<std::string> kIdentityColumns = {"data_source",
                                                   "usage_start",
                                                   "usage_end",
                                                   "namespace",
                                                   "node",
                                                   "persistentvolumeclaim",
                                                   "persistentvolume",
                                                   "pod_labels",
                                                   "volume_labels",
                                                   "all_labels",
                                                   "resource_id",
                                                   "storageclass",
                                                   "cost_category_id",
                                                   "infrastructure_usage_cost"};
const std::set<std::string> kJsonColumns = {"pod_labels", "volume_labels", "all_labels",
                                            "infrastructure_usage_cost"};

std::string IdentityOf(const std::vector<Field>& fields) {
  std::string key;
  for (size_t i = 0; i < fields.size(); ++i) {
    const Field& f = fields[i];
    key += !f                                           ? std::string("\\N")
           : kJsonColumns.contains(kIdentityColumns[i]) ? CanonicalJson(*f)
                                                        : *f;
    key += " | ";
  }
  return key;
}

Comparable FromExpected(const Csv& csv, const std::vector<Field>& row) {
  std::vector<Field> fields;
  for (const auto& c : kIdentityColumns) fields.push_back(row[csv.Column(c)]);
  Comparable out{IdentityOf(fields), {}};
  for (size_t m = 0; m < kMetricCount; ++m) {
    out.metrics.push_back(Number(row[csv.Column(std::string(MetricColumnName(Metric(m))))]));
  }
  return out;
}

Comparable FromActual(const SummaryRow& r) {
  auto opt = [](const std::optional<std::string>& s) -> Field { return s; };
  std::vector<Field> fields = {
      std::string(DataSourceName(r.data_source)),
      FormatDate(r.usage_start),
      FormatDate(r.usage_start),
      opt(r.namespace_),
      opt(r.node),
      opt(r.persistentvolumeclaim),
      opt(r.persistentvolume),
      opt(r.pod_labels),
      opt(r.volume_labels),
      r.all_labels,
      opt(r.resource_id),
      opt(r.storageclass),
      r.cost_category_id ? Field(std::to_string(*r.cost_category_id)) : std::nullopt,
      r.has_infrastructure_usage_cost ? Field(std::string(kZeroInfrastructureUsageCost))
                                      : std::nullopt};
  Comparable out{IdentityOf(fields), {}};
  for (size_t m = 0; m < kMetricCount; ++m) out.metrics.push_back(r.metrics[m]);
  return out;
}

bool Close(std::optional<double> a, std::optional<double> b) {
  if (!a || !b) return !a && !b;
  return std::fabs(*a - *b) <= std::max(1e-12, 1e-9 * std::max(std::fabs(*a), std::fabs(*b)));
}

class AggregateGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(AggregateGoldenTest, RowsAndNodeTableEqualKokusOutput) {
  const fs::path dir = kGoldenDir / GetParam();
  const Params params = ReadParams(dir / "params.json");
  SummarySettings settings;
  settings.compat = Compat::kPostgres;
  settings.enabled_keys = params.enabled_keys;
  settings.cost_categories = params.cost_categories;
  const fs::path items = dir / "expected_line_items";
  LineItems in{ReadCsv(items / "openshift_node_labels_line_items_daily.csv"),
               ReadCsv(items / "openshift_namespace_labels_line_items_daily.csv"),
               ReadCsv(items / "openshift_pod_usage_line_items.csv"),
               ReadCsv(items / "openshift_pod_usage_line_items_daily.csv"),
               ReadCsv(items / "openshift_storage_usage_line_items_daily.csv")};

  std::vector<StoredNode> nodes;
  std::vector<Comparable> actual;
  for (const SummaryRun& run : params.runs) {
    for (const auto& row : SummarizeRun(in, run, settings, nodes)) {
      actual.push_back(FromActual(row));
    }
  }
  const Csv expected_csv = ReadCsv(dir / "expected_summary.csv");
  std::vector<Comparable> expected;
  for (const auto& row : expected_csv.rows) expected.push_back(FromExpected(expected_csv, row));

  auto order = [](const Comparable& a, const Comparable& b) {
    if (a.identity != b.identity) return a.identity < b.identity;
    return a.metrics < b.metrics;
  };
  std::sort(actual.begin(), actual.end(), order);
  std::sort(expected.begin(), expected.end(), order);
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(actual[i].identity, expected[i].identity) << "row " << i;
    for (size_t m = 0; m < kMetricCount; ++m) {
      EXPECT_TRUE(Close(actual[i].metrics[m], expected[i].metrics[m]))
          << expected[i].identity << " " << MetricColumnName(Metric(m)) << ": actual "
          << actual[i].metrics[m].value_or(NAN) << ", expected "
          << expected[i].metrics[m].value_or(NAN);
    }
  }

  ASSERT_EQ(nodes.size(), params.final_nodes.size());
  auto by_key = [](const StoredNode& a, const StoredNode& b) {
    return std::tie(a.node, a.resource_id, a.node_capacity_cpu_cores) <
           std::tie(b.node, b.resource_id, b.node_capacity_cpu_cores);
  };
  std::vector<StoredNode> want = params.final_nodes;
  std::sort(nodes.begin(), nodes.end(), by_key);
  std::sort(want.begin(), want.end(), by_key);
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(nodes[i].node, want[i].node);
    EXPECT_EQ(nodes[i].resource_id, want[i].resource_id);
    EXPECT_EQ(nodes[i].node_capacity_cpu_cores, want[i].node_capacity_cpu_cores);
    EXPECT_EQ(nodes[i].node_role, want[i].node_role) << want[i].node;
    EXPECT_EQ(nodes[i].architecture, want[i].architecture) << want[i].node;
  }
}

std::vector<std::string> Scenarios() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kGoldenDir)) {
    if (fs::exists(entry.path() / "expected_line_items")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Golden, AggregateGoldenTest, ::testing::ValuesIn(Scenarios()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ocpagg
