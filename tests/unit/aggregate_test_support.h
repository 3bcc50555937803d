#pragma once
// Small builders for the aggregator tests: input rows by hand, a day summarized, and lookups of
// the rows it made. Numbers in the tests are chosen so that the arithmetic is exact.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocpagg/aggregate/day_summary.h"
#include "ocpagg/aggregate/node_roles.h"

namespace ocpagg::testing {

inline const Date kDay = MakeDate(2025, 10, 1);  // a 31-day month
inline constexpr double kGib = 1073741824.0;

inline SummarySettings Settings(std::vector<std::string> enabled_keys,
                                Compat compat = Compat::kPostgres) {
  SummarySettings s;
  s.compat = compat;
  s.enabled_keys = std::move(enabled_keys);
  return s;
}

// A daily pod row with every metric zero and no effective-usage columns unless set.
inline PodUsageRow PodRow(NullableString namespace_, NullableString node, NullableString pod,
                          NullableString labels = "{}", NullableString resource_id = "i-1") {
  PodUsageRow r;
  r.usage_start = kDay;
  r.namespace_ = namespace_;
  r.node = node;
  r.pod = pod;
  r.resource_id = resource_id;
  r.pod_labels = labels;
  return r;
}

inline PodCapacityRow CapacityRow(int hour, NullableString node, std::optional<double> cpu_seconds,
                                  std::optional<double> memory_byte_seconds) {
  return PodCapacityRow{static_cast<int64_t>(kDay) * kMillisPerDay + hour * 3'600'000LL, node,
                        cpu_seconds, memory_byte_seconds};
}

inline StorageUsageRow StorageRow(NullableString namespace_, NullableString pod, NullableString pvc,
                                  NullableString pv, NullableString pv_labels = "{}",
                                  NullableString pvc_labels = "{}") {
  StorageUsageRow r;
  r.usage_start = kDay;
  r.namespace_ = namespace_;
  r.pod = pod;
  r.persistentvolumeclaim = pvc;
  r.persistentvolume = pv;
  r.storageclass = "gp3";
  r.csi_volume_handle = "vol-1";
  r.persistentvolume_labels = pv_labels;
  r.persistentvolumeclaim_labels = pvc_labels;
  return r;
}

inline NodeLabelRow NodeLabels(NullableString node, NullableString labels) {
  return NodeLabelRow{kDay, node, labels};
}
inline NamespaceLabelRow NamespaceLabels(NullableString namespace_, NullableString labels) {
  return NamespaceLabelRow{kDay, namespace_, labels};
}

inline std::vector<SummaryRow> FinishDay(DaySummary&& day, const NodeRoleTable& roles = {}) {
  auto rows = std::move(day).Finish(roles);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() ? std::move(*rows) : std::vector<SummaryRow>{};
}

inline bool IsUnallocated(const SummaryRow& r) {
  return r.data_source == DataSource::kPod && !r.pod_labels && !r.has_infrastructure_usage_cost;
}
inline bool IsPod(const SummaryRow& r) {
  return r.data_source == DataSource::kPod && !IsUnallocated(r);
}
inline bool IsStorage(const SummaryRow& r) { return r.data_source == DataSource::kStorage; }

inline std::vector<SummaryRow> Select(const std::vector<SummaryRow>& rows,
                                      const std::function<bool(const SummaryRow&)>& keep) {
  std::vector<SummaryRow> out;
  for (const auto& r : rows) {
    if (keep(r)) out.push_back(r);
  }
  return out;
}

inline double Value(const SummaryRow& r, Metric m) {
  EXPECT_TRUE(r.metric(m).has_value()) << MetricColumnName(m) << " is NULL";
  return r.metric(m).value_or(-1e300);
}

// What tells a row apart from the other rows of its day.
inline std::string Identity(const SummaryRow& r) {
  auto s = [](const std::optional<std::string>& v) { return v ? *v : std::string("<NULL>"); };
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}", DataSourceName(r.data_source), s(r.namespace_),
                     s(r.node), s(r.resource_id), s(r.pod_labels), s(r.volume_labels),
                     s(r.persistentvolumeclaim), s(r.persistentvolume),
                     r.cost_category_id ? std::to_string(*r.cost_category_id) : "<NULL>");
}

// The same rows in any order, each metric equal to within 1e-9 of its value (sums of floats in
// another order).
inline void ExpectSameRows(std::vector<SummaryRow> expected, std::vector<SummaryRow> actual) {
  ASSERT_EQ(actual.size(), expected.size());
  auto by_identity = [](const SummaryRow& a, const SummaryRow& b) {
    return Identity(a) < Identity(b);
  };
  std::sort(expected.begin(), expected.end(), by_identity);
  std::sort(actual.begin(), actual.end(), by_identity);
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(Identity(actual[i]), Identity(expected[i]));
    for (size_t m = 0; m < kMetricCount; ++m) {
      const auto& e = expected[i].metrics[m];
      const auto& a = actual[i].metrics[m];
      ASSERT_EQ(a.has_value(), e.has_value()) << Identity(expected[i]);
      if (e) {
        EXPECT_NEAR(*a, *e, 1e-9 * std::max(1.0, std::abs(*e)))
            << MetricColumnName(static_cast<Metric>(m)) << " of " << Identity(expected[i]);
      }
    }
  }
}

}  // namespace ocpagg::testing
