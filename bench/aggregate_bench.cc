// Throughput of the day summary's hot paths on synthetic rows with the repetition of a real
// cluster: every hourly row repeats its node (one row per pod per hour), label texts repeat per
// deployment, namespaces and nodes are few. Rows are prepared before timing; only the
// aggregator calls are measured. items_per_second is input rows (or output rows for Finish).
//
//   build/bench/aggregate_bench --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "ocpagg/aggregate/day_summary.h"
#include "ocpagg/aggregate/node_roles.h"

namespace ocpagg {
namespace {

const Date kDay = MakeDate(2025, 10, 1);

// A synthetic cluster: nodes, namespaces, deployments with a label text each, pods.
struct Cluster {
  std::vector<std::string> nodes;
  std::vector<std::string> resource_ids;
  std::vector<std::string> namespaces;
  std::vector<std::string> labels;  // one koku label text per deployment
  std::vector<std::string> pods;
  struct Pod {
    int node;
    int namespace_;
    int deployment;
  };
  std::vector<Pod> placement;

  Cluster(int node_count, int pods_per_node, int namespace_count, int deployment_count) {
    std::mt19937 rng(42);
    for (int n = 0; n < node_count; ++n) {
      nodes.push_back("ip-10-0-" + std::to_string(n / 250) + "-" + std::to_string(n % 250) +
                      ".ec2.internal");
      resource_ids.push_back("i-0" + std::to_string(1000000000 + n));
    }
    for (int s = 0; s < namespace_count; ++s) namespaces.push_back("team-" + std::to_string(s));
    for (int d = 0; d < deployment_count; ++d) {
      labels.push_back(R"({"app": "app-)" + std::to_string(d) + R"(", "pod-template-hash": ")" +
                       std::to_string(rng()) + R"(", "team": "team-)" + std::to_string(d % 40) +
                       R"(", "version": "v)" + std::to_string(d % 3) + R"("})");
    }
    for (int n = 0; n < node_count; ++n) {
      for (int p = 0; p < pods_per_node; ++p) {
        const int deployment = static_cast<int>(rng() % deployment_count);
        placement.push_back({n, deployment % namespace_count, deployment});
        pods.push_back("app-" + std::to_string(deployment) + "-" + std::to_string(rng() % 100000));
      }
    }
  }
};

const Cluster& BigCluster() {
  // ~3M hourly rows a day: 500 nodes x 250 pods x 24 hours.
  static const Cluster cluster(500, 250, 200, 4000);
  return cluster;
}

SummarySettings BenchSettings() {
  SummarySettings s;
  s.enabled_keys = {"app", "team"};
  return s;
}

std::vector<PodCapacityRow> HourlyRows(const Cluster& c, bool shuffled) {
  std::vector<PodCapacityRow> rows;
  rows.reserve(c.placement.size() * 24);
  for (int h = 0; h < 24; ++h) {
    for (const auto& p : c.placement) {
      rows.push_back({static_cast<int64_t>(kDay) * kMillisPerDay + h * 3'600'000LL,
                      std::string_view(c.nodes[p.node]), 16 * 3600.0, 64.0 * (1 << 30) * 3600});
    }
  }
  if (shuffled) std::shuffle(rows.begin(), rows.end(), std::mt19937(7));
  return rows;
}

std::vector<PodUsageRow> DailyRows(const Cluster& c) {
  std::vector<PodUsageRow> rows;
  rows.reserve(c.placement.size());
  for (size_t i = 0; i < c.placement.size(); ++i) {
    const auto& p = c.placement[i];
    PodUsageRow r;
    r.usage_start = kDay;
    r.namespace_ = c.namespaces[p.namespace_];
    r.node = c.nodes[p.node];
    r.pod = c.pods[i];
    r.resource_id = c.resource_ids[p.node];
    r.pod_labels = c.labels[p.deployment];
    r.pod_usage_cpu_core_seconds = 1800.0 + static_cast<double>(i % 97);
    r.pod_request_cpu_core_seconds = 3600;
    r.pod_limit_cpu_core_seconds = 7200;
    r.pod_effective_usage_cpu_core_seconds = 3600;
    r.pod_usage_memory_byte_seconds = 1e12;
    r.pod_request_memory_byte_seconds = 2e12;
    r.pod_limit_memory_byte_seconds = 4e12;
    r.pod_effective_usage_memory_byte_seconds = 2e12;
    r.node_capacity_cpu_cores = 16;
    r.node_capacity_memory_bytes = 64.0 * (1 << 30);
    rows.push_back(r);
  }
  return rows;
}

void AddCapacityRows(benchmark::State& state, bool shuffled) {
  const SummarySettings settings = BenchSettings();
  const auto rows = HourlyRows(BigCluster(), shuffled);
  for (auto _ : state) {
    DaySummary day(settings, kDay);
    for (const auto& r : rows) day.AddCapacity(r);
    benchmark::DoNotOptimize(day.ApproximateMemoryBytes());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(rows.size()));
}

void BM_AddCapacity(benchmark::State& state) { AddCapacityRows(state, false); }
void BM_AddCapacityShuffled(benchmark::State& state) { AddCapacityRows(state, true); }

void BM_AddPodUsage(benchmark::State& state) {
  const SummarySettings settings = BenchSettings();
  const auto rows = DailyRows(BigCluster());
  size_t memory = 0;
  for (auto _ : state) {
    DaySummary day(settings, kDay);
    for (const auto& r : rows) {
      if (!day.AddPodUsage(r).ok()) state.SkipWithError("AddPodUsage failed");
    }
    memory = day.ApproximateMemoryBytes();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(rows.size()));
  state.counters["state_MiB"] = static_cast<double>(memory) / (1 << 20);
}

// A day's full state: labels, capacity, pod rows and one storage row per tenth pod.
DaySummary FullDay(const SummarySettings& settings, const Cluster& c,
                   const std::vector<PodCapacityRow>& hourly,
                   const std::vector<PodUsageRow>& daily) {
  DaySummary day(settings, kDay);
  for (size_t n = 0; n < c.nodes.size(); ++n) {
    (void)day.AddNodeLabels(
        {kDay, c.nodes[n], R"({"team": "infra", "kubernetes_io_arch": "amd64"})"});
  }
  for (const auto& ns : c.namespaces) (void)day.AddNamespaceLabels({kDay, ns, R"({"team": "x"})"});
  for (const auto& r : hourly) day.AddCapacity(r);
  for (const auto& r : daily) (void)day.AddPodUsage(r);
  for (size_t i = 0; i < daily.size(); i += 10) {
    StorageUsageRow s;
    s.usage_start = kDay;
    s.namespace_ = daily[i].namespace_;
    s.pod = daily[i].pod;
    s.persistentvolumeclaim = daily[i].pod;
    s.persistentvolume = daily[i].pod;
    s.storageclass = "gp3-csi";
    s.csi_volume_handle = "vol-1";
    s.persistentvolume_labels = "{}";
    s.persistentvolumeclaim_labels = R"({"app": "db"})";
    s.persistentvolumeclaim_capacity_bytes = 1e10;
    s.persistentvolumeclaim_capacity_byte_seconds = 1e10 * 86400;
    s.volume_request_storage_byte_seconds = 1e10 * 86400;
    s.persistentvolumeclaim_usage_byte_seconds = 1e9 * 86400;
    (void)day.AddStorageUsage(s);
  }
  return day;
}

void BM_Finish(benchmark::State& state) {
  const SummarySettings settings = BenchSettings();
  const Cluster& c = BigCluster();
  const auto hourly = HourlyRows(c, false);
  const auto daily = DailyRows(c);
  NodeRoleTable roles;
  for (size_t n = 0; n < c.nodes.size(); ++n) roles.Add({c.nodes[n], c.resource_ids[n], "worker"});
  int64_t rows_out = 0;
  for (auto _ : state) {
    state.PauseTiming();
    DaySummary day = FullDay(settings, c, hourly, daily);
    state.ResumeTiming();
    auto rows = std::move(day).Finish(roles);
    if (!rows.ok()) state.SkipWithError("Finish failed");
    rows_out += static_cast<int64_t>(rows->size());
    state.PauseTiming();
    { std::vector<SummaryRow> freed = std::move(*rows); }  // freed outside the timing
    state.ResumeTiming();
  }
  state.SetItemsProcessed(rows_out);
  state.counters["rows_per_day"] = static_cast<double>(rows_out) / state.iterations();
}

void BM_Merge(benchmark::State& state) {
  // Four workers' partial states of one day folded into one.
  const SummarySettings settings = BenchSettings();
  const Cluster& c = BigCluster();
  const auto daily = DailyRows(c);
  int64_t rows_in = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<DaySummary> parts;
    for (int w = 0; w < 4; ++w) parts.emplace_back(settings, kDay);
    for (size_t i = 0; i < daily.size(); ++i) (void)parts[i % 4].AddPodUsage(daily[i]);
    state.ResumeTiming();
    for (int w = 1; w < 4; ++w) parts[0].Merge(std::move(parts[w]));
    benchmark::DoNotOptimize(parts[0].ApproximateMemoryBytes());
    rows_in += static_cast<int64_t>(daily.size());
  }
  state.SetItemsProcessed(rows_in);
}

BENCHMARK(BM_AddCapacity)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AddCapacityShuffled)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AddPodUsage)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Finish)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Merge)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ocpagg

BENCHMARK_MAIN();
