#!/usr/bin/env python3
"""Writes a large operator payload (what `nise report ocp --insights-upload` writes) fast.

nise makes about 10k rows/s; this writes the same CSV format at about a million rows/s for the
ingest benchmark. The cluster has the shape of the benchmark manifests of the proof of concept
jordigilh/poc-parquet-aggregator: N nodes of 8 cores / 32 GiB, one namespace per node with P
pods each, every pod with its own label set, plus node and namespace label rows and one storage
claim per 10 pods. Values follow nise's formulas (nise/generators/ocp/ocp_generator.py) and are
deterministic for given arguments.

  tools/gen_operator_payload.py OUT_DIR --pod-rows 1000000 [--days 1] [--pods-per-node 104]

The node count is chosen so that nodes x pods-per-node x 24 x days is close to --pod-rows.

OUT_DIR receives <cluster>/<YYYYMMDD-YYYYMMDD>/manifest.json and the CSVs, the pod report cut
into files of --file-row-limit rows like nise does.
"""
import argparse
import datetime
import json
import os
import uuid

GIB = 1 << 30
HOUR = 3600


def operator_time(t):
    return t.strftime("%Y-%m-%d %H:%M:%S +0000 UTC")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--pod-rows", type=int, required=True, help="approximate hourly pod-usage rows")
    ap.add_argument("--pods-per-node", type=int, default=104)
    ap.add_argument("--day", default="2025-10-01", help="first day")
    ap.add_argument("--days", type=int, default=1, help="consecutive days (same month)")
    ap.add_argument("--file-row-limit", type=int, default=100_000)
    ap.add_argument("--cluster-id", default="bench-cluster")
    a = ap.parse_args()

    day = datetime.datetime.strptime(a.day, "%Y-%m-%d")
    period_start = day.replace(day=1)
    period_end = (period_start + datetime.timedelta(days=32)).replace(day=1)
    nodes = max(1, round(a.pod_rows / (24 * a.days * a.pods_per_node)))
    manifest_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL,
                                   f"ocpagg-bench/{a.cluster_id}/{a.pod_rows}/{a.days}/{a.pods_per_node}"))
    month = f"{period_start:%Y%m%d}-{period_end:%Y%m%d}"
    month_dir = os.path.join(a.out_dir, a.cluster_id, month)
    os.makedirs(month_dir, exist_ok=True)

    rp = f"{operator_time(period_start)},{operator_time(period_end)}"
    hours = [(operator_time(day + datetime.timedelta(hours=h)),
              operator_time(day + datetime.timedelta(hours=h, minutes=59, seconds=59)))
             for h in range(24 * a.days)]
    files = []

    def open_report(index, header):
        name = f"{manifest_uuid}_openshift_report.{index}.csv"
        files.append(name)
        f = open(os.path.join(month_dir, name), "w", newline="")
        f.write(header + "\r\n")
        return f

    pod_header = ("report_period_start,report_period_end,interval_start,interval_end,pod,namespace,node,"
                  "resource_id,pod_usage_cpu_core_seconds,pod_request_cpu_core_seconds,pod_limit_cpu_core_seconds,"
                  "pod_usage_memory_byte_seconds,pod_request_memory_byte_seconds,pod_limit_memory_byte_seconds,"
                  "node_capacity_cpu_cores,node_capacity_cpu_core_seconds,node_capacity_memory_bytes,"
                  "node_capacity_memory_byte_seconds,pod_labels")
    # Per pod, everything after interval_end is the same every hour (usage fixed per pod).
    pods = []
    for n in range(nodes):
        node = f"node-{n:04d}"
        for p in range(a.pods_per_node):
            cpu_usage = 0.05 + (n * 7 + p * 13) % 40 / 100
            mem_usage = 0.25 + (n * 3 + p * 5) % 16 / 16
            tail = (f"pod-{n:04d}-{p:03d},ns-{n:04d},{node},i-{n:017x},"
                    f"{HOUR * cpu_usage!r},{HOUR * 0.5!r},{HOUR * 1},"
                    f"{HOUR * mem_usage * GIB!r},{HOUR * 1 * GIB},{HOUR * 2 * GIB},"
                    f"8,{8 * HOUR},{32 * GIB},{32 * GIB * HOUR},"
                    f"label_app:bench|label_tier:web|label_node:{n}|label_pod:{p}")
            pods.append(tail)

    index = 0
    out = None
    rows_in_file = 0
    for start, end in hours:
        prefix = f"{rp},{start},{end},"
        for tail in pods:
            if out is None or rows_in_file == a.file_row_limit:
                if out:
                    out.close()
                out = open_report(index, pod_header)
                index += 1
                rows_in_file = 0
            out.write(prefix + tail + "\r\n")
            rows_in_file += 1
    out.close()

    with open_report(index, "report_period_start,report_period_end,interval_start,interval_end,namespace,pod,"
                            "persistentvolumeclaim,persistentvolume,storageclass,persistentvolumeclaim_capacity_bytes,"
                            "persistentvolumeclaim_capacity_byte_seconds,volume_request_storage_byte_seconds,"
                            "persistentvolumeclaim_usage_byte_seconds,persistentvolume_labels,"
                            "persistentvolumeclaim_labels") as f:
        for start, end in hours:
            for n in range(nodes):
                for p in range(0, a.pods_per_node, 10):
                    f.write(f"{rp},{start},{end},ns-{n:04d},pod-{n:04d}-{p:03d},claim-{n}-{p},pv-{n}-{p},gp3-csi,"
                            f"{10.0 * GIB},{10.0 * GIB * HOUR},{20 * GIB * HOUR},{2 * GIB * HOUR},"
                            f"label_storage:ssd,label_claim:{p}\r\n")
    index += 1
    with open_report(index, "report_period_start,report_period_end,interval_start,interval_end,node,node_labels") as f:
        for start, end in hours:
            for n in range(nodes):
                f.write(f"{rp},{start},{end},node-{n:04d},label_node_role_kubernetes_io:worker|label_zone:z{n % 3}\r\n")
    index += 1
    with open_report(index, "report_period_start,report_period_end,interval_start,interval_end,namespace,"
                            "namespace_labels") as f:
        for start, end in hours:
            for n in range(nodes):
                f.write(f"{rp},{start},{end},ns-{n:04d},label_team:t{n % 7}\r\n")

    manifest = {
        "cluster_id": a.cluster_id,
        "uuid": manifest_uuid,
        "date": f"{day:%Y-%m-%d}T00:00:00.000000+00:00",
        "files": files,
        "start": f"{day:%Y-%m-%d}T00:00:00.000000+00:00",
        "end": f"{day + datetime.timedelta(days=a.days):%Y-%m-%d}T00:00:00.000000+00:00",
        "version": "5.4.1",
        "certified": False,
    }
    with open(os.path.join(month_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"{nodes * a.pods_per_node * 24 * a.days} pod rows ({nodes} nodes x {a.pods_per_node} pods x "
          f"{24 * a.days} h) "
          f"in {len(files)} files under {month_dir}")


if __name__ == "__main__":
    main()
