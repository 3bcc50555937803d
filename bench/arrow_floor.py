#!/usr/bin/env python3
"""The read floor: Arrow alone (pyarrow, N threads, in process) reads the columns the summary
needs from the same files, with no aggregation. A summary cannot take less time than this.

  arrow_floor.py INPUT --source UUID --year Y --month M [--account A] [--threads 2]
"""
import argparse
import os
import sys

import pyarrow as pa
import pyarrow.dataset as ds

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from koku_duckdb import table_glob  # noqa: E402

# What koku's statement reads of each table (reporting_ocpusagelineitem_daily_summary.sql).
COLUMNS = {
    ("pod_usage", False): ["interval_start", "node", "node_capacity_cpu_core_seconds",
                           "node_capacity_memory_byte_seconds"],
    ("pod_usage", True): ["interval_start", "namespace", "node", "pod", "resource_id", "pod_labels",
                          "node_role", "pod_usage_cpu_core_seconds", "pod_request_cpu_core_seconds",
                          "pod_effective_usage_cpu_core_seconds", "pod_limit_cpu_core_seconds",
                          "pod_usage_memory_byte_seconds", "pod_request_memory_byte_seconds",
                          "pod_effective_usage_memory_byte_seconds", "pod_limit_memory_byte_seconds",
                          "node_capacity_cpu_cores", "node_capacity_memory_bytes"],
    ("storage_usage", True): ["interval_start", "namespace", "pod", "persistentvolumeclaim",
                              "persistentvolume", "storageclass", "csi_volume_handle",
                              "persistentvolume_labels", "persistentvolumeclaim_labels",
                              "persistentvolumeclaim_capacity_bytes",
                              "persistentvolumeclaim_capacity_byte_seconds",
                              "volume_request_storage_byte_seconds",
                              "persistentvolumeclaim_usage_byte_seconds"],
    ("node_labels", True): ["interval_start", "node", "node_labels"],
    ("namespace_labels", True): ["interval_start", "namespace", "namespace_labels"],
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("--source", required=True)
    ap.add_argument("--year", type=int, required=True)
    ap.add_argument("--month", type=int, required=True)
    ap.add_argument("--account", default="org1234567")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    pa.set_cpu_count(a.threads)
    pa.set_io_thread_count(a.threads)
    rows = nbytes = 0
    for (rtype, daily), columns in COLUMNS.items():
        folder = os.path.dirname(table_glob(a.input, a.account, rtype, a.source, a.year, a.month,
                                            daily))
        if not os.path.isdir(folder):
            continue
        dataset = ds.dataset(folder, format="parquet")
        have = set(dataset.schema.names)
        # Batch by batch, as a streaming reader would: nothing is kept.
        for batch in dataset.to_batches(columns=[c for c in columns if c in have],
                                        use_threads=True):
            rows += batch.num_rows
            nbytes += batch.nbytes
    print(f"arrow floor: {rows} rows, {nbytes / 2**20:.0f} MiB decoded", file=sys.stderr)


if __name__ == "__main__":
    main()
