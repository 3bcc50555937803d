#include "ocpagg/generate/dataset_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <numeric>
#include <span>
#include <string_view>
#include <vector>

#include "ocpagg/ingest/batch_converter.h"
#include "ocpagg/ingest/file_unit_writer.h"
#include "ocpagg/ingest/output_staging.h"
#include "ocpagg/ingest/report_columns.h"
#include "ocpagg/ingest/write_queue.h"

namespace ocpagg {
namespace {

namespace fs = std::filesystem;
constexpr double kGiB = 1073741824.0;
constexpr int64_t kMillisPerHour = 3'600'000;
// Rows handed to the file writer at a time.
constexpr size_t kBatchRows = 8192;

// splitmix64: a deterministic, well-mixed value per (seed, entity, salt).
uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
double Unit(uint64_t seed, uint64_t a, uint64_t b) {
  return static_cast<double>(Mix(seed ^ Mix(a * 0x100000001B3ull + b)) >> 11) * 0x1.0p-53;
}

struct Node {
  std::string name, resource_id, labels;
  double cpu_cores, memory_bytes;
};
struct Pod {
  int32_t node, ns, labels;
  std::string name;
  double cpu_request, cpu_limit, mem_request, mem_limit;  // cores, bytes
};
struct Claim {
  int32_t ns;
  std::vector<int32_t> pods;  // pods that mount it
  std::string pvc, pv, storageclass, csi_handle, pv_labels, pvc_labels;
  double capacity_bytes, request_bytes;
};

struct Model {
  uint64_t seed = 0;
  int64_t period_start_ms = 0, period_end_ms = 0;  // the report period: the month
  std::vector<Node> nodes;
  std::vector<std::string> namespaces, namespace_labels, pod_label_sets;
  std::vector<Pod> pods;
  std::vector<Claim> claims;
};

Model BuildModel(const GenerateOptions& o, int64_t pods) {
  Model m;
  const uint64_t s = o.seed;
  m.seed = s;
  const Date month_start = MakeDate(o.year, o.month, 1);
  m.period_start_ms = static_cast<int64_t>(month_start) * kMillisPerDay;
  m.period_end_ms = (static_cast<int64_t>(month_start) + DaysInMonth(month_start)) * kMillisPerDay;
  const int64_t n_nodes = std::max<int64_t>(2, (pods + o.pods_per_node - 1) / o.pods_per_node);
  const int64_t n_ns =
      std::max<int64_t>(2, (pods + o.pods_per_namespace - 1) / o.pods_per_namespace);
  static constexpr double kCores[] = {4, 8, 16, 32, 64};
  static constexpr const char* kZones[] = {"us-east-1a", "us-east-1b", "us-east-1c"};
  for (int64_t i = 0; i < n_nodes; ++i) {
    Node n;
    n.name = fmt::format("node-{:05d}", i);
    n.resource_id = fmt::format("i-{:017x}", Mix(s ^ i) & 0xFFFFFFFFFFFFFull);
    int size = static_cast<int>(Unit(s, i, 1) * 5);
    n.cpu_cores = kCores[size];
    n.memory_bytes = kCores[size] * 4 * kGiB;
    const char* role = i == 0 ? "master" : (i % 10 == 1 ? "infra" : "worker");
    n.labels = fmt::format(
        R"({{"node_role_kubernetes_io": "{}", "zone": "{}", "kubernetes_io_arch": "amd64"}})", role,
        kZones[i % 3]);
    m.nodes.push_back(std::move(n));
  }
  for (int64_t i = 0; i < n_ns; ++i) {
    // A few platform namespaces, so cost categories match something.
    m.namespaces.push_back(i % 20 == 0 ? fmt::format("openshift-ns-{:04d}", i)
                                       : fmt::format("project-{:05d}", i));
    m.namespace_labels.push_back(
        fmt::format(R"({{"team": "team-{}", "env": "{}"}})", i % 7, i % 3 == 0 ? "prod" : "dev"));
  }
  static constexpr const char* kTiers[] = {"web", "db", "cache", "batch"};
  for (int i = 0; i < o.label_sets; ++i) {
    m.pod_label_sets.push_back(
        i == 0 ? std::string("{}")
               : fmt::format(R"({{"app": "app-{}", "tier": "{}", "version": "v{}"}})", i / 4,
                             kTiers[i % 4], i % 3));
  }
  for (int64_t i = 0; i < pods; ++i) {
    Pod p;
    p.node = static_cast<int32_t>(i % n_nodes);
    p.ns = static_cast<int32_t>((i / 3) % n_ns);
    p.labels = static_cast<int32_t>(Mix(s ^ (i * 7 + 3)) % o.label_sets);
    p.name = fmt::format("pod-{:07d}", i);
    p.cpu_request = 0.05 + Unit(s, i, 2) * 1.5;
    p.cpu_limit = p.cpu_request * 2;
    p.mem_request = (0.1 + Unit(s, i, 3) * 4) * kGiB;
    p.mem_limit = p.mem_request * 2;
    m.pods.push_back(std::move(p));
  }
  for (int64_t i = 0; i * o.pods_per_claim < pods; ++i) {
    Claim c;
    int32_t pod = static_cast<int32_t>(i * o.pods_per_claim);
    c.ns = m.pods[pod].ns;
    c.pods.push_back(pod);
    // Every 10th claim is shared with a pod of the same namespace on another node.
    if (i % 10 == 0 && pod + 3 < pods && m.pods[pod + 3].ns == c.ns) c.pods.push_back(pod + 3);
    c.pvc = fmt::format("claim-{:06d}", i);
    c.pv = fmt::format("pvc-{:016x}", Mix(s ^ (i + 77)));
    c.storageclass = i % 2 ? "gp3" : "standard";
    c.csi_handle = fmt::format("vol-{:012x}", Mix(s ^ (i + 99)) & 0xFFFFFFFFFFFFull);
    c.pv_labels = R"({"storage": "ssd"})";
    c.pvc_labels = fmt::format(R"({{"app": "app-{}"}})", i % 9);
    c.capacity_bytes = static_cast<double>(1 + Mix(s ^ (i + 5)) % 100) * kGiB;
    c.request_bytes = c.capacity_bytes;
    m.claims.push_back(std::move(c));
  }
  return m;
}

// The rows of each report, as generate makes them.
struct PodHour {
  int32_t pod;
  int64_t start_ms;
  double cpu_factor, memory_factor;  // usage over request this hour
};
// One row of a storage, node-label or namespace-label report, covering a whole day.
struct DayRow {
  int32_t entity;  // the claim, node or namespace
  int32_t pod;     // storage: the pod that mounts the claim
  Date day;
};

// How generate makes the values of one report column: the function of koku's type of the
// column is set (text for strings and label JSON, numbers, timestamps in milliseconds).
template <typename Row>
struct ColumnValues {
  std::string_view column;
  std::string_view (*text)(const Model&, const Row&) = nullptr;
  double (*number)(const Model&, const Row&) = nullptr;
  int64_t (*millis)(const Model&, const Row&) = nullptr;
};

const Pod& PodOf(const Model& m, const PodHour& r) { return m.pods[r.pod]; }
const Node& NodeOf(const Model& m, const PodHour& r) { return m.nodes[m.pods[r.pod].node]; }

const ColumnValues<PodHour> kPodUsageValues[] = {
    {.column = "report_period_start",
     .millis = [](const Model& m, const PodHour&) { return m.period_start_ms; }},
    {.column = "report_period_end",
     .millis = [](const Model& m, const PodHour&) { return m.period_end_ms; }},
    {.column = "interval_start",
     .millis = [](const Model&, const PodHour& r) { return r.start_ms; }},
    {.column = "interval_end",
     .millis = [](const Model&, const PodHour& r) { return r.start_ms + kMillisPerHour - 1000; }},
    {.column = "pod",
     .text = [](const Model& m, const PodHour& r) -> std::string_view { return PodOf(m, r).name; }},
    {.column = "namespace",
     .text = [](const Model& m, const PodHour& r) -> std::string_view {
       return m.namespaces[PodOf(m, r).ns];
     }},
    {.column = "node",
     .text = [](const Model& m, const PodHour& r) -> std::string_view {
       return NodeOf(m, r).name;
     }},
    {.column = "resource_id",
     .text = [](const Model& m, const PodHour& r) -> std::string_view {
       return NodeOf(m, r).resource_id;
     }},
    {.column = "pod_labels",
     .text = [](const Model& m, const PodHour& r) -> std::string_view {
       return m.pod_label_sets[PodOf(m, r).labels];
     }},
    {.column = "pod_usage_cpu_core_seconds",
     .number = [](const Model& m,
                  const PodHour& r) { return PodOf(m, r).cpu_request * r.cpu_factor * 3600; }},
    {.column = "pod_request_cpu_core_seconds",
     .number = [](const Model& m, const PodHour& r) { return PodOf(m, r).cpu_request * 3600; }},
    {.column = "pod_limit_cpu_core_seconds",
     .number = [](const Model& m, const PodHour& r) { return PodOf(m, r).cpu_limit * 3600; }},
    {.column = "pod_usage_memory_byte_seconds",
     .number = [](const Model& m,
                  const PodHour& r) { return PodOf(m, r).mem_request * r.memory_factor * 3600; }},
    {.column = "pod_request_memory_byte_seconds",
     .number = [](const Model& m, const PodHour& r) { return PodOf(m, r).mem_request * 3600; }},
    {.column = "pod_limit_memory_byte_seconds",
     .number = [](const Model& m, const PodHour& r) { return PodOf(m, r).mem_limit * 3600; }},
    {.column = "node_capacity_cpu_cores",
     .number = [](const Model& m, const PodHour& r) { return NodeOf(m, r).cpu_cores; }},
    {.column = "node_capacity_cpu_core_seconds",
     .number = [](const Model& m, const PodHour& r) { return NodeOf(m, r).cpu_cores * 3600; }},
    {.column = "node_capacity_memory_bytes",
     .number = [](const Model& m, const PodHour& r) { return NodeOf(m, r).memory_bytes; }},
    {.column = "node_capacity_memory_byte_seconds",
     .number = [](const Model& m, const PodHour& r) { return NodeOf(m, r).memory_bytes * 3600; }},
};

int64_t DayStartMillis(Date day) { return static_cast<int64_t>(day) * kMillisPerDay; }

// The timestamps of every DayRow report.
const ColumnValues<DayRow> kWholeDayValues[] = {
    {.column = "report_period_start",
     .millis = [](const Model& m, const DayRow&) { return m.period_start_ms; }},
    {.column = "report_period_end",
     .millis = [](const Model& m, const DayRow&) { return m.period_end_ms; }},
    {.column = "interval_start",
     .millis = [](const Model&, const DayRow& r) { return DayStartMillis(r.day); }},
    {.column = "interval_end",
     .millis = [](const Model&, const DayRow& r) { return DayStartMillis(r.day + 1) - 1000; }},
};

const Claim& ClaimOf(const Model& m, const DayRow& r) { return m.claims[r.entity]; }

const ColumnValues<DayRow> kStorageUsageValues[] = {
    {.column = "namespace",
     .text = [](const Model& m, const DayRow& r) -> std::string_view {
       return m.namespaces[ClaimOf(m, r).ns];
     }},
    {.column = "node",
     .text = [](const Model& m, const DayRow& r) -> std::string_view {
       return m.nodes[m.pods[r.pod].node].name;
     }},
    {.column = "pod",
     .text = [](const Model& m, const DayRow& r) -> std::string_view {
       return m.pods[r.pod].name;
     }},
    {.column = "persistentvolumeclaim",
     .text = [](const Model& m, const DayRow& r) -> std::string_view { return ClaimOf(m, r).pvc; }},
    {.column = "persistentvolume",
     .text = [](const Model& m, const DayRow& r) -> std::string_view { return ClaimOf(m, r).pv; }},
    {.column = "storageclass",
     .text = [](const Model& m, const DayRow& r) -> std::string_view {
       return ClaimOf(m, r).storageclass;
     }},
    {.column = "csi_driver",
     .text = [](const Model&, const DayRow&) -> std::string_view { return "ebs.csi.aws.com"; }},
    {.column = "csi_volume_handle",
     .text = [](const Model& m, const DayRow& r) -> std::string_view {
       return ClaimOf(m, r).csi_handle;
     }},
    {.column = "persistentvolume_labels",
     .text = [](const Model& m, const DayRow& r) -> std::string_view {
       return ClaimOf(m, r).pv_labels;
     }},
    {.column = "persistentvolumeclaim_labels",
     .text = [](const Model& m, const DayRow& r) -> std::string_view {
       return ClaimOf(m, r).pvc_labels;
     }},
    {.column = "persistentvolumeclaim_capacity_bytes",
     .number = [](const Model& m, const DayRow& r) { return ClaimOf(m, r).capacity_bytes; }},
    {.column = "persistentvolumeclaim_capacity_byte_seconds",
     .number = [](const Model& m,
                  const DayRow& r) { return ClaimOf(m, r).capacity_bytes * 86400; }},
    {.column = "volume_request_storage_byte_seconds",
     .number = [](const Model& m, const DayRow& r) { return ClaimOf(m, r).request_bytes * 86400; }},
    {.column = "persistentvolumeclaim_usage_byte_seconds",
     .number =
         [](const Model& m, const DayRow& r) {
           const double used =
               ClaimOf(m, r).capacity_bytes * (0.1 + 0.8 * Unit(m.seed, r.entity, r.day));
           return used * 86400;
         }},
};

const ColumnValues<DayRow> kNodeLabelValues[] = {
    {.column = "node",
     .text = [](const Model& m, const DayRow& r) -> std::string_view {
       return m.nodes[r.entity].name;
     }},
    {.column = "node_labels",
     .text = [](const Model& m, const DayRow& r) -> std::string_view {
       return m.nodes[r.entity].labels;
     }},
};

const ColumnValues<DayRow> kNamespaceLabelValues[] = {
    {.column = "namespace",
     .text = [](const Model& m, const DayRow& r) -> std::string_view {
       return m.namespaces[r.entity];
     }},
    {.column = "namespace_labels",
     .text = [](const Model& m, const DayRow& r) -> std::string_view {
       return m.namespace_labels[r.entity];
     }},
};

// A DayRow report's values: the whole day's timestamps, then its own columns.
std::vector<ColumnValues<DayRow>> WholeDay(std::span<const ColumnValues<DayRow>> values) {
  std::vector<ColumnValues<DayRow>> all(std::begin(kWholeDayValues), std::end(kWholeDayValues));
  all.insert(all.end(), values.begin(), values.end());
  return all;
}

// A report generate writes: the values of its columns, and the plan ingest makes for a CSV of
// them (koku's required columns of the type, then the newer ones generate has values for).
template <typename Row>
struct GeneratedReport {
  std::vector<ColumnValues<Row>> values;
  ReportColumns columns;

  static Result<GeneratedReport> Make(ReportType type, std::vector<ColumnValues<Row>> values) {
    auto has_values = [&](std::string_view column) {
      return std::any_of(values.begin(), values.end(),
                         [&](const ColumnValues<Row>& v) { return v.column == column; });
    };
    std::vector<std::string> header;
    for (std::string_view column : RequiredColumns(type)) {
      if (!has_values(column)) {
        return InternalError("generate makes no values for column {} of {}", column,
                             ReportTypeName(type));
      }
      header.emplace_back(column);
    }
    for (std::string_view column : NewerColumns(type)) {
      if (has_values(column)) header.emplace_back(column);
    }
    if (header.size() != values.size()) {
      return InternalError("generate makes values for a column {} does not have",
                           ReportTypeName(type));
    }
    ARROW_ASSIGN_OR_RAISE(auto columns, ReportColumns::Make(type, header));
    return GeneratedReport{std::move(values), std::move(columns)};
  }
};

// Where units write: ingest's staging directory, the list of files written, the write thread.
struct UnitOutput {
  OutputStaging* staging;
  std::vector<WrittenFile>* written;
  WriteQueue* writes;
};

// One file unit of generated rows, written by ingest's FileUnitWriter: hourly files and their
// daily partial aggregates, exactly as ingest writes a CSV of the same rows.
template <typename Row>
class GeneratedUnit {
 public:
  // koku's name for the unit of a per-day split payload (manifest 1, first file) dated `date`.
  // `model`, `report` and what `output` points to must outlive the unit.
  GeneratedUnit(const Model& model, const GeneratedReport<Row>& report, Date date,
                const FileUnitOptions& options, const UnitOutput& output)
      : model_(model),
        report_(report.columns),
        writer_(report.columns,
                FileUnitName{
                    fmt::format("{}.{}.1.0", ReportTypeName(report.columns.type), FormatDate(date)),
                    date},
                options, output.staging, output.written, output.writes) {
    for (const ValueColumn& column : report_.values) {
      auto it = std::find_if(report.values.begin(), report.values.end(),
                             [&](const ColumnValues<Row>& v) { return v.column == column.name; });
      sources_.push_back(it == report.values.end() ? nullptr : &*it);
    }
    rows_.reserve(kBatchRows);
  }

  Status Add(const Row& row) {
    rows_.push_back(row);
    return rows_.size() == kBatchRows ? Flush() : Status::OK();
  }

  Status Finish() {
    ARROW_RETURN_NOT_OK(Flush());
    return writer_.Finish();
  }

 private:
  // The rows so far as a converted batch (what ingest's converter makes of CSV rows), written.
  Status Flush() {
    const size_t n = rows_.size();
    if (n == 0) return Status::OK();
    batch_.num_rows = static_cast<int64_t>(n);
    batch_.first_row_number = writer_.csv_rows() + 1;
    batch_.columns.resize(report_.values.size());
    for (size_t v = 0; v < report_.values.size(); ++v) {
      const ValueColumn& column = report_.values[v];
      if (column.csv_index < 0) continue;  // computed by DeriveKokuValues
      ARROW_RETURN_NOT_OK(Fill(column, sources_[v], &batch_.columns[v]));
    }
    DeriveKokuValues(report_, &batch_);
    all_rows_.resize(n);
    std::iota(all_rows_.begin(), all_rows_.end(), 0);
    rows_.clear();
    return writer_.Append(batch_, all_rows_);
  }

  Status Fill(const ValueColumn& column, const ColumnValues<Row>* source,
              ConvertedColumn* out) const {
    const size_t n = rows_.size();
    switch (column.kind) {
      case CellKind::kTimestamp:
        if (!source || !source->millis) break;
        out->millis.resize(n);
        for (size_t i = 0; i < n; ++i) out->millis[i] = source->millis(model_, rows_[i]);
        return Status::OK();
      case CellKind::kNumeric:
        if (!source || !source->number) break;
        out->numbers.resize(n);
        for (size_t i = 0; i < n; ++i) out->numbers[i] = source->number(model_, rows_[i]);
        return Status::OK();
      case CellKind::kLabels:
      case CellKind::kString:
        if (!source || !source->text) break;
        out->text.resize(n);
        for (size_t i = 0; i < n; ++i) out->text[i] = source->text(model_, rows_[i]);
        return Status::OK();
    }
    return InternalError("generate makes no values of koku's type for column {}", column.name);
  }

  const Model& model_;
  const ReportColumns& report_;
  FileUnitWriter writer_;
  std::vector<const ColumnValues<Row>*> sources_;  // per report value column
  std::vector<Row> rows_;
  ConvertedBatch batch_;
  std::vector<int32_t> all_rows_;
};

class Generator {
 public:
  Generator(const GenerateOptions& o, Model m, Date first_day, int days)
      : o_(o), m_(std::move(m)), first_day_(first_day), days_(days) {
    unit_options_.account = o.account;
    unit_options_.source_uuid = o.source_uuid;
    unit_options_.rows_per_chunk = o.chunk_rows;
  }

  Result<GenerateReport> Run() {
    using PodReport = GeneratedReport<PodHour>;
    using DayReport = GeneratedReport<DayRow>;
    ARROW_ASSIGN_OR_RAISE(
        pods_, PodReport::Make(ReportType::kPodUsage,
                               {std::begin(kPodUsageValues), std::end(kPodUsageValues)}));
    ARROW_ASSIGN_OR_RAISE(
        storage_, DayReport::Make(ReportType::kStorageUsage, WholeDay(kStorageUsageValues)));
    ARROW_ASSIGN_OR_RAISE(node_labels_,
                          DayReport::Make(ReportType::kNodeLabels, WholeDay(kNodeLabelValues)));
    ARROW_ASSIGN_OR_RAISE(namespace_labels_, DayReport::Make(ReportType::kNamespaceLabels,
                                                             WholeDay(kNamespaceLabelValues)));
    ARROW_ASSIGN_OR_RAISE(auto staging, OutputStaging::Create(o_.output_dir));
    std::vector<WrittenFile> written;
    {
      // Destroyed (its tasks waited for) before the staging directory they write into.
      WriteQueue writes;
      const UnitOutput output{staging.get(), &written, &writes};
      ARROW_RETURN_NOT_OK(PodUsage(output));
      for (int d = 0; d < days_; ++d) ARROW_RETURN_NOT_OK(DailyDimensions(first_day_ + d, output));
      ARROW_RETURN_NOT_OK(writes.Drain());
    }
    ARROW_RETURN_NOT_OK(staging->Commit());

    GenerateReport r;
    r.pods = static_cast<int64_t>(m_.pods.size());
    r.nodes = static_cast<int64_t>(m_.nodes.size());
    r.namespaces = static_cast<int64_t>(m_.namespaces.size());
    r.claims = static_cast<int64_t>(m_.claims.size());
    for (const WrittenFile& f : written) {
      if (f.type == ReportType::kPodUsage) (f.daily ? r.pod_daily_rows : r.pod_hour_rows) += f.rows;
      if (f.type == ReportType::kStorageUsage && f.daily) r.storage_daily_rows += f.rows;
      std::error_code ec;
      const auto bytes = fs::file_size(fs::path(o_.output_dir) / f.relative_path, ec);
      if (!ec) r.bytes += static_cast<int64_t>(bytes);
      ++r.files;
    }
    return r;
  }

 private:
  // Hourly pod rows, hour by hour (or scrambled), as one unit dated by the first day: ingest
  // cuts it into chunks of chunk_rows, each an hourly file and its daily partial aggregate.
  Status PodUsage(const UnitOutput& output) {
    const int64_t pods = static_cast<int64_t>(m_.pods.size());
    const int64_t total = pods * 24 * days_;
    total_rows_ = total;
    if (o_.scramble_rows) {
      uint64_t m = 0x9E3779B97F4A7C15ull % static_cast<uint64_t>(total);
      while (std::gcd(m, static_cast<uint64_t>(total)) != 1) ++m;
      scramble_multiplier_ = m;
      scramble_offset_ = Mix(o_.seed) % static_cast<uint64_t>(total);
    }
    GeneratedUnit<PodHour> unit(m_, pods_, first_day_, unit_options_, output);
    for (int64_t position = 0; position < total; ++position) {
      const int64_t row = RowAt(position);
      const int64_t hour_index = row / pods;  // hours since first_day 00:00
      const int32_t p = static_cast<int32_t>(row % pods);
      ARROW_RETURN_NOT_OK(unit.Add(
          PodHour{p, DayStartMillis(first_day_) + hour_index * kMillisPerHour,
                  0.2 + 1.1 * Unit(o_.seed, static_cast<uint64_t>(p), hour_index * 2 + 11),
                  0.3 + 0.9 * Unit(o_.seed, static_cast<uint64_t>(p), hour_index * 2 + 12)}));
    }
    return unit.Finish();
  }

  // The (hour, pod) row written at `position`: in order, or scrambled by a fixed bijection of
  // [0, total) (a multiplier coprime with the total, plus an offset).
  int64_t RowAt(int64_t position) const {
    if (!o_.scramble_rows) return position;
    return static_cast<int64_t>(
        (static_cast<unsigned __int128>(position) * scramble_multiplier_ + scramble_offset_) %
        static_cast<uint64_t>(total_rows_));
  }

  // Storage, node-label and namespace-label reports of one day: one unit each, one row per
  // claim and pod, node or namespace for the whole day.
  Status DailyDimensions(Date day, const UnitOutput& output) const {
    GeneratedUnit<DayRow> storage(m_, storage_, day, unit_options_, output);
    for (size_t c = 0; c < m_.claims.size(); ++c) {
      for (int32_t p : m_.claims[c].pods) {
        ARROW_RETURN_NOT_OK(storage.Add({static_cast<int32_t>(c), p, day}));
      }
    }
    ARROW_RETURN_NOT_OK(storage.Finish());
    GeneratedUnit<DayRow> nodes(m_, node_labels_, day, unit_options_, output);
    for (size_t n = 0; n < m_.nodes.size(); ++n) {
      ARROW_RETURN_NOT_OK(nodes.Add({static_cast<int32_t>(n), -1, day}));
    }
    ARROW_RETURN_NOT_OK(nodes.Finish());
    GeneratedUnit<DayRow> namespaces(m_, namespace_labels_, day, unit_options_, output);
    for (size_t n = 0; n < m_.namespaces.size(); ++n) {
      ARROW_RETURN_NOT_OK(namespaces.Add({static_cast<int32_t>(n), -1, day}));
    }
    return namespaces.Finish();
  }

  const GenerateOptions& o_;
  Model m_;
  Date first_day_;
  int days_;
  FileUnitOptions unit_options_;
  GeneratedReport<PodHour> pods_;
  GeneratedReport<DayRow> storage_, node_labels_, namespace_labels_;
  int64_t total_rows_ = 0;
  uint64_t scramble_multiplier_ = 1, scramble_offset_ = 0;
};

}  // namespace

Result<GenerateReport> GenerateDataset(const GenerateOptions& options) {
  if (options.month < 1 || options.month > 12) return UsageError("--month must be 1..12");
  if (options.pod_hour_rows <= 0) return UsageError("--pod-hour-rows must be positive");
  if (options.chunk_rows <= 0) return UsageError("chunk rows must be positive");
  const Date first_day = MakeDate(options.year, options.month, 1);
  const int days =
      options.days > 0 ? std::min(options.days, DaysInMonth(first_day)) : DaysInMonth(first_day);
  const int64_t pods = std::max<int64_t>(1, options.pod_hour_rows / (24LL * days));
  Generator g(options, BuildModel(options, pods), first_day, days);
  return g.Run();
}

}  // namespace ocpagg
