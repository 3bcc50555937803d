#pragma once
// The rows the aggregators consume: one struct per koku input table, holding only the columns
// the summary SQL reads (docs/semantics.md "Parquet layout"). Sources fill them from Parquet
// batches; tests build them by hand. Every string_view is valid only for the duration of the
// call it is passed to: aggregators copy (intern) what they keep.
//
// NULL handling: a string column that is NULL in the Parquet file arrives as std::nullopt,
// distinct from the empty string (docs/semantics.md "Cell conversions": koku writes '' for empty
// cells, but old files and the added-if-missing columns hold NULLs). Summed metrics that are NULL
// arrive as 0.0 (koku's ingest never writes NULL metrics; safe_float turns empty cells into 0.0).

#include <cstdint>
#include <optional>
#include <string_view>

#include "ocpagg/koku/date.h"

namespace ocpagg {

using NullableString = std::optional<std::string_view>;

// openshift_node_labels_line_items_daily.
struct NodeLabelRow {
  Date usage_start = 0;
  NullableString node;
  NullableString node_labels;  // JSON object text, as koku's ingest wrote it
};

// openshift_namespace_labels_line_items_daily.
struct NamespaceLabelRow {
  Date usage_start = 0;
  NullableString namespace_;
  NullableString namespace_labels;
};

// openshift_pod_usage_line_items (hourly): only what node capacity needs (docs/semantics.md
// "Capacity").
struct PodCapacityRow {
  int64_t interval_start_millis = 0;  // naive UTC timestamp, milliseconds
  NullableString node;
  std::optional<double> node_capacity_cpu_core_seconds;
  std::optional<double> node_capacity_memory_byte_seconds;
};

// openshift_pod_usage_line_items_daily (a partial aggregate: several rows may share a key).
struct PodUsageRow {
  Date usage_start = 0;
  NullableString namespace_;
  NullableString node;
  NullableString pod;
  NullableString resource_id;
  NullableString pod_labels;
  NullableString node_role;  // used by the nodes query only (docs/semantics.md "Node roles")
  double pod_usage_cpu_core_seconds = 0;
  double pod_request_cpu_core_seconds = 0;
  double pod_limit_cpu_core_seconds = 0;
  double pod_usage_memory_byte_seconds = 0;
  double pod_request_memory_byte_seconds = 0;
  double pod_limit_memory_byte_seconds = 0;
  // nullopt when the file predates the effective-usage columns (docs/semantics.md "Pod rows",
  // effective usage).
  std::optional<double> pod_effective_usage_cpu_core_seconds;
  std::optional<double> pod_effective_usage_memory_byte_seconds;
  std::optional<double> node_capacity_cpu_cores;
  std::optional<double> node_capacity_memory_bytes;
};

// openshift_storage_usage_line_items_daily.
struct StorageUsageRow {
  Date usage_start = 0;
  NullableString namespace_;
  NullableString pod;
  NullableString persistentvolumeclaim;
  NullableString persistentvolume;
  NullableString storageclass;
  NullableString csi_volume_handle;  // NULL when the operator omits the column
  NullableString persistentvolume_labels;
  NullableString persistentvolumeclaim_labels;
  std::optional<double> persistentvolumeclaim_capacity_bytes;
  double persistentvolumeclaim_capacity_byte_seconds = 0;
  double volume_request_storage_byte_seconds = 0;
  double persistentvolumeclaim_usage_byte_seconds = 0;
};

}  // namespace ocpagg
