#include "ocpagg/generate/dataset_generator.h"

#include <absl/container/flat_hash_map.h>
#include <arrow/api.h>
#include <arrow/io/file.h>
#include <fmt/format.h>
#include <parquet/arrow/writer.h>

#include <filesystem>
#include <numeric>
#include <vector>

namespace ocpagg {
namespace {

namespace fs = std::filesystem;
constexpr double kGiB = 1073741824.0;
constexpr int64_t kMillisPerHour = 3'600'000;

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
  std::vector<Node> nodes;
  std::vector<std::string> namespaces, namespace_labels, pod_label_sets;
  std::vector<Pod> pods;
  std::vector<Claim> claims;
};

Model BuildModel(const GenerateOptions& o, int64_t pods) {
  Model m;
  const uint64_t s = o.seed;
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

// Column builders for one koku table, written as one Parquet file with one row group.
class TableBuilder {
 public:
  void AddString(std::string name) {
    strings_.emplace_back(std::move(name), std::make_unique<arrow::StringBuilder>());
  }
  void AddDouble(std::string name) {
    doubles_.emplace_back(std::move(name), std::make_unique<arrow::DoubleBuilder>());
  }
  void AddTimestamp(std::string name) {
    times_.emplace_back(std::move(name), std::make_unique<arrow::TimestampBuilder>(
                                             arrow::timestamp(arrow::TimeUnit::MILLI),
                                             arrow::default_memory_pool()));
  }

  arrow::StringBuilder& s(size_t i) { return *strings_[i].second; }
  arrow::DoubleBuilder& d(size_t i) { return *doubles_[i].second; }
  arrow::TimestampBuilder& t(size_t i) { return *times_[i].second; }

  // `order` lists column names in file order.
  Result<int64_t> Write(const std::string& path, const std::vector<std::string>& order) {
    std::vector<std::shared_ptr<arrow::Field>> fields;
    std::vector<std::shared_ptr<arrow::Array>> arrays;
    int64_t rows = -1;
    for (const auto& name : order) {
      std::shared_ptr<arrow::Array> a;
      std::shared_ptr<arrow::DataType> type;
      if (auto* b = Find(strings_, name)) {
        ARROW_RETURN_NOT_OK(b->Finish(&a));
        type = arrow::utf8();
      } else if (auto* b = Find(doubles_, name)) {
        ARROW_RETURN_NOT_OK(b->Finish(&a));
        type = arrow::float64();
      } else if (auto* b = Find(times_, name)) {
        ARROW_RETURN_NOT_OK(b->Finish(&a));
        type = arrow::timestamp(arrow::TimeUnit::MILLI);
      } else {
        type = arrow::utf8();  // an all-null string column (koku's added-if-missing columns)
      }
      if (a) rows = a->length();
      fields.push_back(arrow::field(name, type));
      arrays.push_back(a);
    }
    for (size_t i = 0; i < arrays.size(); ++i) {
      if (!arrays[i]) {
        ARROW_ASSIGN_OR_RAISE(arrays[i], arrow::MakeArrayOfNull(arrow::utf8(), rows));
      }
    }
    if (rows <= 0) return 0;
    auto table = arrow::Table::Make(arrow::schema(fields), arrays, rows);
    ARROW_ASSIGN_OR_RAISE(auto out, arrow::io::FileOutputStream::Open(path));
    auto props =
        parquet::WriterProperties::Builder().compression(arrow::Compression::SNAPPY)->build();
    ARROW_RETURN_NOT_OK(
        parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out, rows, props));
    ARROW_RETURN_NOT_OK(out->Close());
    return static_cast<int64_t>(fs::file_size(path));
  }

 private:
  template <typename B>
  static B* Find(std::vector<std::pair<std::string, std::unique_ptr<B>>>& v,
                 const std::string& name) {
    for (auto& [n, b] : v) {
      if (n == name) return b.get();
    }
    return nullptr;
  }
  std::vector<std::pair<std::string, std::unique_ptr<arrow::StringBuilder>>> strings_;
  std::vector<std::pair<std::string, std::unique_ptr<arrow::DoubleBuilder>>> doubles_;
  std::vector<std::pair<std::string, std::unique_ptr<arrow::TimestampBuilder>>> times_;
};

class Generator {
 public:
  Generator(const GenerateOptions& o, Model m, Date first_day, int days)
      : o_(o), m_(std::move(m)), first_day_(first_day), days_(days) {
    period_start_ms_ = static_cast<int64_t>(MakeDate(o.year, o.month, 1)) * kMillisPerDay;
    for (const auto& p : m_.pods)
      max_string_bytes_ = std::max<int64_t>(max_string_bytes_, p.name.size());
    for (const auto& n : m_.nodes) {
      max_string_bytes_ = std::max<int64_t>(max_string_bytes_, n.name.size());
      max_string_bytes_ = std::max<int64_t>(max_string_bytes_, n.resource_id.size());
    }
    for (const auto& x : m_.namespaces)
      max_string_bytes_ = std::max<int64_t>(max_string_bytes_, x.size());
    for (const auto& x : m_.pod_label_sets)
      max_string_bytes_ = std::max<int64_t>(max_string_bytes_, x.size());
    period_end_ms_ = (static_cast<int64_t>(MakeDate(o.year, o.month, 1)) + DaysInMonth(first_day)) *
                     kMillisPerDay;
  }

  Result<GenerateReport> Run() {
    GenerateReport r;
    r.pods = static_cast<int64_t>(m_.pods.size());
    r.nodes = static_cast<int64_t>(m_.nodes.size());
    r.namespaces = static_cast<int64_t>(m_.namespaces.size());
    r.claims = static_cast<int64_t>(m_.claims.size());
    ARROW_RETURN_NOT_OK(PodUsage(&r));
    for (int d = 0; d < days_; ++d) {
      ARROW_RETURN_NOT_OK(DailyDimensions(first_day_ + d, &r));
    }
    return r;
  }

 private:
  std::string Dir(bool daily, std::string_view type) const {
    return fmt::format("{}/data/parquet{}/{}/OCP/{}/source={}/year={:04d}/month={:02d}",
                       o_.output_dir, daily ? "/daily" : "", o_.account, type, o_.source_uuid,
                       o_.year, o_.month);
  }

  // Hourly pod rows, hour by hour, cut into chunks; each chunk also gives a daily file.
  Status PodUsage(GenerateReport* r) {
    const std::string hourly_dir = Dir(false, "pod_usage");
    const std::string daily_dir = Dir(true, "pod_usage");
    fs::create_directories(hourly_dir);
    fs::create_directories(daily_dir);
    const int64_t pods = static_cast<int64_t>(m_.pods.size());
    const int64_t total = pods * 24 * days_;
    total_rows_ = total;
    if (o_.scramble_rows) {
      uint64_t m = 0x9E3779B97F4A7C15ull % static_cast<uint64_t>(total);
      while (std::gcd(m, static_cast<uint64_t>(total)) != 1) ++m;
      scramble_multiplier_ = m;
      scramble_offset_ = Mix(o_.seed) % static_cast<uint64_t>(total);
    }
    int64_t chunk = 0;
    for (int64_t begin = 0; begin < total; begin += o_.chunk_rows, ++chunk) {
      const int64_t end = std::min(total, begin + o_.chunk_rows);
      ARROW_RETURN_NOT_OK(PodChunk(begin, end, chunk, hourly_dir, daily_dir, r));
    }
    return Status::OK();
  }

  // The (hour, pod) row written at `position`: in order, or scrambled by a fixed bijection of
  // [0, total) (a multiplier coprime with the total, plus an offset).
  int64_t RowAt(int64_t position) const {
    if (!o_.scramble_rows) return position;
    return static_cast<int64_t>(
        (static_cast<unsigned __int128>(position) * scramble_multiplier_ + scramble_offset_) %
        static_cast<uint64_t>(total_rows_));
  }

  struct PodDay {
    double sums[8] = {};  // usage/request/effective/limit cpu, then memory
    bool touched = false;
  };

  Status PodChunk(int64_t begin, int64_t end, int64_t chunk, const std::string& hourly_dir,
                  const std::string& daily_dir, GenerateReport* r) {
    const int64_t pods = static_cast<int64_t>(m_.pods.size());
    const int64_t n = end - begin;
    TableBuilder h;
    for (auto c : {"pod", "namespace", "node", "resource_id", "pod_labels"}) h.AddString(c);
    for (auto c :
         {"pod_usage_cpu_core_seconds", "pod_request_cpu_core_seconds",
          "pod_limit_cpu_core_seconds", "pod_usage_memory_byte_seconds",
          "pod_request_memory_byte_seconds", "pod_limit_memory_byte_seconds",
          "node_capacity_cpu_cores", "node_capacity_cpu_core_seconds", "node_capacity_memory_bytes",
          "node_capacity_memory_byte_seconds", "pod_effective_usage_cpu_core_seconds",
          "pod_effective_usage_memory_byte_seconds"}) {
      h.AddDouble(c);
    }
    for (auto c : {"report_period_start", "report_period_end", "interval_start", "interval_end"}) {
      h.AddTimestamp(c);
    }
    for (size_t i = 0; i < 5; ++i) {
      ARROW_RETURN_NOT_OK(h.s(i).Reserve(n));
      ARROW_RETURN_NOT_OK(h.s(i).ReserveData(n * max_string_bytes_));
    }
    for (size_t i = 0; i < 12; ++i) ARROW_RETURN_NOT_OK(h.d(i).Reserve(n));
    for (size_t i = 0; i < 4; ++i) ARROW_RETURN_NOT_OK(h.t(i).Reserve(n));

    // Daily partial aggregate of this chunk: (day, pod) -> sums, in first-seen order.
    std::vector<std::pair<Date, int32_t>> daily_keys;
    absl_map_.clear();
    std::vector<PodDay> daily;
    for (int64_t position = begin; position < end; ++position) {
      const int64_t row = RowAt(position);
      const int64_t hour_index = row / pods;  // hours since first_day 00:00
      const int32_t p = static_cast<int32_t>(row % pods);
      const Pod& pod = m_.pods[p];
      const Node& node = m_.nodes[pod.node];
      const int64_t start_ms =
          static_cast<int64_t>(first_day_) * kMillisPerDay + hour_index * kMillisPerHour;
      const double f_cpu = 0.2 + 1.1 * Unit(o_.seed, static_cast<uint64_t>(p), hour_index * 2 + 11);
      const double f_mem = 0.3 + 0.9 * Unit(o_.seed, static_cast<uint64_t>(p), hour_index * 2 + 12);
      const double v[8] = {pod.cpu_request * f_cpu * 3600,
                           pod.cpu_request * 3600,
                           std::max(pod.cpu_request * f_cpu, pod.cpu_request) * 3600,
                           pod.cpu_limit * 3600,
                           pod.mem_request * f_mem * 3600,
                           pod.mem_request * 3600,
                           std::max(pod.mem_request * f_mem, pod.mem_request) * 3600,
                           pod.mem_limit * 3600};
      h.s(0).UnsafeAppend(pod.name);
      h.s(1).UnsafeAppend(m_.namespaces[pod.ns]);
      h.s(2).UnsafeAppend(node.name);
      h.s(3).UnsafeAppend(node.resource_id);
      h.s(4).UnsafeAppend(m_.pod_label_sets[pod.labels]);
      h.d(0).UnsafeAppend(v[0]);
      h.d(1).UnsafeAppend(v[1]);
      h.d(2).UnsafeAppend(v[3]);
      h.d(3).UnsafeAppend(v[4]);
      h.d(4).UnsafeAppend(v[5]);
      h.d(5).UnsafeAppend(v[7]);
      h.d(6).UnsafeAppend(node.cpu_cores);
      h.d(7).UnsafeAppend(node.cpu_cores * 3600);
      h.d(8).UnsafeAppend(node.memory_bytes);
      h.d(9).UnsafeAppend(node.memory_bytes * 3600);
      h.d(10).UnsafeAppend(v[2]);
      h.d(11).UnsafeAppend(v[6]);
      h.t(0).UnsafeAppend(period_start_ms_);
      h.t(1).UnsafeAppend(period_end_ms_);
      h.t(2).UnsafeAppend(start_ms);
      h.t(3).UnsafeAppend(start_ms + kMillisPerHour - 1000);

      const Date day = DateOfMillis(start_ms);
      uint64_t key =
          (static_cast<uint64_t>(static_cast<uint32_t>(day)) << 32) | static_cast<uint32_t>(p);
      auto [it, inserted] = absl_map_.try_emplace(key, static_cast<int32_t>(daily.size()));
      if (inserted) {
        daily.emplace_back();
        daily_keys.emplace_back(day, p);
      }
      for (int k = 0; k < 8; ++k) daily[it->second].sums[k] += v[k];
    }
    const std::string base = fmt::format("pod_usage.{}.1.0", FormatDate(first_day_));
    ARROW_ASSIGN_OR_RAISE(int64_t bytes,
                          h.Write(fmt::format("{}/{}_{}.parquet", hourly_dir, base, chunk),
                                  {"report_period_start",
                                   "report_period_end",
                                   "interval_start",
                                   "interval_end",
                                   "pod",
                                   "namespace",
                                   "node",
                                   "resource_id",
                                   "pod_usage_cpu_core_seconds",
                                   "pod_request_cpu_core_seconds",
                                   "pod_limit_cpu_core_seconds",
                                   "pod_usage_memory_byte_seconds",
                                   "pod_request_memory_byte_seconds",
                                   "pod_limit_memory_byte_seconds",
                                   "node_capacity_cpu_cores",
                                   "node_capacity_cpu_core_seconds",
                                   "node_capacity_memory_bytes",
                                   "node_capacity_memory_byte_seconds",
                                   "pod_labels",
                                   "pod_effective_usage_cpu_core_seconds",
                                   "pod_effective_usage_memory_byte_seconds"}));
    r->bytes += bytes;
    r->pod_hour_rows += n;
    ++r->files;

    TableBuilder d;
    for (auto c : {"namespace", "node", "pod", "pod_labels", "resource_id"}) d.AddString(c);
    for (auto c : {"pod_usage_cpu_core_seconds", "pod_request_cpu_core_seconds",
                   "pod_effective_usage_cpu_core_seconds", "pod_limit_cpu_core_seconds",
                   "pod_usage_memory_byte_seconds", "pod_request_memory_byte_seconds",
                   "pod_effective_usage_memory_byte_seconds", "pod_limit_memory_byte_seconds",
                   "node_capacity_cpu_cores", "node_capacity_cpu_core_seconds",
                   "node_capacity_memory_bytes", "node_capacity_memory_byte_seconds"}) {
      d.AddDouble(c);
    }
    for (auto c : {"interval_start", "report_period_start", "report_period_end"}) d.AddTimestamp(c);
    for (size_t k = 0; k < daily.size(); ++k) {
      auto [day, p] = daily_keys[k];
      const Pod& pod = m_.pods[p];
      const Node& node = m_.nodes[pod.node];
      ARROW_RETURN_NOT_OK(d.s(0).Append(m_.namespaces[pod.ns]));
      ARROW_RETURN_NOT_OK(d.s(1).Append(node.name));
      ARROW_RETURN_NOT_OK(d.s(2).Append(pod.name));
      ARROW_RETURN_NOT_OK(d.s(3).Append(m_.pod_label_sets[pod.labels]));
      ARROW_RETURN_NOT_OK(d.s(4).Append(node.resource_id));
      for (int j = 0; j < 8; ++j) ARROW_RETURN_NOT_OK(d.d(j).Append(daily[k].sums[j]));
      // The daily capacity seconds are koku's meaningless pod x hour sums (docs/semantics.md "Daily
      // partial aggregates"); only the per-node maxima matter.
      ARROW_RETURN_NOT_OK(d.d(8).Append(node.cpu_cores));
      ARROW_RETURN_NOT_OK(d.d(9).Append(node.cpu_cores * 3600));
      ARROW_RETURN_NOT_OK(d.d(10).Append(node.memory_bytes));
      ARROW_RETURN_NOT_OK(d.d(11).Append(node.memory_bytes * 3600));
      ARROW_RETURN_NOT_OK(d.t(0).Append(static_cast<int64_t>(day) * kMillisPerDay));
      ARROW_RETURN_NOT_OK(d.t(1).Append(period_start_ms_));
      ARROW_RETURN_NOT_OK(d.t(2).Append(period_end_ms_));
    }
    ARROW_ASSIGN_OR_RAISE(bytes,
                          d.Write(fmt::format("{}/{}_daily_{}.parquet", daily_dir, base, chunk),
                                  {"namespace",
                                   "node",
                                   "pod",
                                   "pod_labels",
                                   "interval_start",
                                   "report_period_start",
                                   "report_period_end",
                                   "resource_id",
                                   "pod_usage_cpu_core_seconds",
                                   "pod_request_cpu_core_seconds",
                                   "pod_effective_usage_cpu_core_seconds",
                                   "pod_limit_cpu_core_seconds",
                                   "pod_usage_memory_byte_seconds",
                                   "pod_request_memory_byte_seconds",
                                   "pod_effective_usage_memory_byte_seconds",
                                   "pod_limit_memory_byte_seconds",
                                   "node_capacity_cpu_cores",
                                   "node_capacity_cpu_core_seconds",
                                   "node_capacity_memory_bytes",
                                   "node_capacity_memory_byte_seconds",
                                   "node_role"}));
    r->bytes += bytes;
    r->pod_daily_rows += static_cast<int64_t>(daily.size());
    ++r->files;
    return Status::OK();
  }

  // Storage, node-label and namespace-label daily files of one day (small: one file each).
  Status DailyDimensions(Date day, GenerateReport* r) {
    const int64_t day_ms = static_cast<int64_t>(day) * kMillisPerDay;
    const std::string tag = FormatDate(day);
    {
      TableBuilder t;
      for (auto c : {"namespace", "node", "pod", "persistentvolumeclaim", "persistentvolume",
                     "storageclass", "csi_driver", "csi_volume_handle", "persistentvolume_labels",
                     "persistentvolumeclaim_labels"}) {
        t.AddString(c);
      }
      for (auto c :
           {"persistentvolumeclaim_capacity_bytes", "persistentvolumeclaim_capacity_byte_seconds",
            "volume_request_storage_byte_seconds", "persistentvolumeclaim_usage_byte_seconds"}) {
        t.AddDouble(c);
      }
      for (auto c : {"interval_start", "report_period_start", "report_period_end"})
        t.AddTimestamp(c);
      int64_t rows = 0;
      for (size_t i = 0; i < m_.claims.size(); ++i) {
        const Claim& c = m_.claims[i];
        for (int32_t p : c.pods) {
          const Pod& pod = m_.pods[p];
          ARROW_RETURN_NOT_OK(t.s(0).Append(m_.namespaces[c.ns]));
          ARROW_RETURN_NOT_OK(t.s(1).Append(m_.nodes[pod.node].name));
          ARROW_RETURN_NOT_OK(t.s(2).Append(pod.name));
          ARROW_RETURN_NOT_OK(t.s(3).Append(c.pvc));
          ARROW_RETURN_NOT_OK(t.s(4).Append(c.pv));
          ARROW_RETURN_NOT_OK(t.s(5).Append(c.storageclass));
          ARROW_RETURN_NOT_OK(t.s(6).Append("ebs.csi.aws.com"));
          ARROW_RETURN_NOT_OK(t.s(7).Append(c.csi_handle));
          ARROW_RETURN_NOT_OK(t.s(8).Append(c.pv_labels));
          ARROW_RETURN_NOT_OK(t.s(9).Append(c.pvc_labels));
          const double used = c.capacity_bytes * (0.1 + 0.8 * Unit(o_.seed, i, day));
          ARROW_RETURN_NOT_OK(t.d(0).Append(c.capacity_bytes));
          ARROW_RETURN_NOT_OK(t.d(1).Append(c.capacity_bytes * 86400));
          ARROW_RETURN_NOT_OK(t.d(2).Append(c.request_bytes * 86400));
          ARROW_RETURN_NOT_OK(t.d(3).Append(used * 86400));
          ARROW_RETURN_NOT_OK(t.t(0).Append(day_ms));
          ARROW_RETURN_NOT_OK(t.t(1).Append(period_start_ms_));
          ARROW_RETURN_NOT_OK(t.t(2).Append(period_end_ms_));
          ++rows;
        }
      }
      const std::string dir = Dir(true, "storage_usage");
      fs::create_directories(dir);
      ARROW_ASSIGN_OR_RAISE(
          int64_t bytes,
          t.Write(
              fmt::format("{}/storage_usage.{}.1.0_daily_0.parquet", dir, tag),
              {"namespace", "node", "pod", "persistentvolumeclaim", "persistentvolume",
               "storageclass", "csi_driver", "csi_volume_handle", "persistentvolume_labels",
               "persistentvolumeclaim_labels", "interval_start", "report_period_start",
               "report_period_end", "persistentvolumeclaim_capacity_bytes",
               "persistentvolumeclaim_capacity_byte_seconds", "volume_request_storage_byte_seconds",
               "persistentvolumeclaim_usage_byte_seconds"}));
      r->bytes += bytes;
      r->storage_daily_rows += rows;
      ++r->files;
    }
    {
      TableBuilder t;
      t.AddString("node");
      t.AddString("node_labels");
      for (auto c : {"interval_start", "report_period_start", "report_period_end"})
        t.AddTimestamp(c);
      for (const auto& n : m_.nodes) {
        ARROW_RETURN_NOT_OK(t.s(0).Append(n.name));
        ARROW_RETURN_NOT_OK(t.s(1).Append(n.labels));
        ARROW_RETURN_NOT_OK(t.t(0).Append(day_ms));
        ARROW_RETURN_NOT_OK(t.t(1).Append(period_start_ms_));
        ARROW_RETURN_NOT_OK(t.t(2).Append(period_end_ms_));
      }
      const std::string dir = Dir(true, "node_labels");
      fs::create_directories(dir);
      ARROW_ASSIGN_OR_RAISE(int64_t bytes,
                            t.Write(fmt::format("{}/node_labels.{}.1.0_daily_0.parquet", dir, tag),
                                    {"node", "node_labels", "interval_start", "report_period_start",
                                     "report_period_end"}));
      r->bytes += bytes;
      ++r->files;
    }
    {
      TableBuilder t;
      t.AddString("namespace");
      t.AddString("namespace_labels");
      for (auto c : {"interval_start", "report_period_start", "report_period_end"})
        t.AddTimestamp(c);
      for (size_t i = 0; i < m_.namespaces.size(); ++i) {
        ARROW_RETURN_NOT_OK(t.s(0).Append(m_.namespaces[i]));
        ARROW_RETURN_NOT_OK(t.s(1).Append(m_.namespace_labels[i]));
        ARROW_RETURN_NOT_OK(t.t(0).Append(day_ms));
        ARROW_RETURN_NOT_OK(t.t(1).Append(period_start_ms_));
        ARROW_RETURN_NOT_OK(t.t(2).Append(period_end_ms_));
      }
      const std::string dir = Dir(true, "namespace_labels");
      fs::create_directories(dir);
      ARROW_ASSIGN_OR_RAISE(
          int64_t bytes,
          t.Write(fmt::format("{}/namespace_labels.{}.1.0_daily_0.parquet", dir, tag),
                  {"namespace", "namespace_labels", "interval_start", "report_period_start",
                   "report_period_end"}));
      r->bytes += bytes;
      ++r->files;
    }
    return Status::OK();
  }

  const GenerateOptions& o_;
  Model m_;
  Date first_day_;
  int days_;
  int64_t period_start_ms_ = 0, period_end_ms_ = 0;
  int64_t max_string_bytes_ = 0;  // longest string of any hourly string column
  int64_t total_rows_ = 0;
  uint64_t scramble_multiplier_ = 1, scramble_offset_ = 0;
  absl::flat_hash_map<uint64_t, int32_t> absl_map_;
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
