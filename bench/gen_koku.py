#!/usr/bin/env python3
"""Writes koku-layout OCP Parquet for the benchmark, independently of ocpagg's own code.

The files are what koku's processor (masu/processor/parquet/parquet_report_processor.py and
masu/util/ocp/ocp_post_processor.py) writes for an operator payload split per day:

  data/parquet/{account}/OCP/{type}/source={uuid}/year=YYYY/month=MM/{base}_{i}.parquet
  data/parquet/daily/{account}/OCP/{type}/source={uuid}/year=YYYY/month=MM/{base}_daily_{i}.parquet

one hourly file per 200,000-row CSV chunk and beside it the daily partial aggregate of the same
chunk (grouped by koku's keys and the day, *_seconds summed, the rest maximized). Numbers are
float64, timestamps timestamp[ms] (naive UTC), the rest UTF-8; labels are the JSON text koku's
converter writes ({"key": "value", ...}). Only pyarrow and numpy are used, so the benchmark's
headline data does not come from the program it measures.

The cluster: every pod runs every hour of the month; pods are spread over nodes and namespaces
round robin; one pod label set per 10 pods, node
roles as the operator reports them (node_role column), one claim per 5 pods, every 10th claim
mounted by two pods on two nodes. Usage varies per pod and hour (seeded numpy generator).

  gen_koku.py OUT --pods P --namespaces NS --nodes N [--days D] [--seed S]
  gen_koku.py OUT --rows R          (pods = R / (24 * days), 40 pods per node, 25 per namespace)
"""
import argparse
import calendar
import datetime as dt
import fcntl
import json
import os
import shutil
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

GIB = float(2**30)
CHUNK_ROWS = 200_000  # koku's CSV chunk (masu/processor/parquet/parquet_report_processor.py)
TS = pa.timestamp("ms")

POD_HOURLY = [
    ("report_period_start", TS), ("report_period_end", TS), ("pod", pa.string()),
    ("namespace", pa.string()), ("node", pa.string()), ("resource_id", pa.string()),
    ("interval_start", TS), ("interval_end", TS),
    ("pod_usage_cpu_core_seconds", pa.float64()), ("pod_request_cpu_core_seconds", pa.float64()),
    ("pod_limit_cpu_core_seconds", pa.float64()), ("pod_usage_memory_byte_seconds", pa.float64()),
    ("pod_request_memory_byte_seconds", pa.float64()),
    ("pod_limit_memory_byte_seconds", pa.float64()), ("node_capacity_cpu_cores", pa.float64()),
    ("node_capacity_cpu_core_seconds", pa.float64()),
    ("node_capacity_memory_bytes", pa.float64()),
    ("node_capacity_memory_byte_seconds", pa.float64()), ("pod_labels", pa.string()),
    ("node_role", pa.string()), ("pod_effective_usage_cpu_core_seconds", pa.float64()),
    ("pod_effective_usage_memory_byte_seconds", pa.float64()),
]
POD_SUMS = ["pod_usage_cpu_core_seconds", "pod_request_cpu_core_seconds",
            "pod_effective_usage_cpu_core_seconds", "pod_limit_cpu_core_seconds",
            "pod_usage_memory_byte_seconds", "pod_request_memory_byte_seconds",
            "pod_effective_usage_memory_byte_seconds", "pod_limit_memory_byte_seconds"]
POD_DAILY = ([("namespace", pa.string()), ("node", pa.string()), ("pod", pa.string()),
              ("pod_labels", pa.string()), ("interval_start", TS),
              ("report_period_start", TS), ("report_period_end", TS),
              ("resource_id", pa.string())]
             + [(c, pa.float64()) for c in POD_SUMS]
             + [("node_capacity_cpu_cores", pa.float64()),
                ("node_capacity_cpu_core_seconds", pa.float64()),
                ("node_capacity_memory_bytes", pa.float64()),
                ("node_capacity_memory_byte_seconds", pa.float64()),
                ("node_role", pa.string())])
STORAGE_DAILY = [
    ("namespace", pa.string()), ("node", pa.string()), ("pod", pa.string()),
    ("persistentvolumeclaim", pa.string()), ("persistentvolume", pa.string()),
    ("storageclass", pa.string()), ("csi_driver", pa.string()), ("csi_volume_handle", pa.string()),
    ("persistentvolume_labels", pa.string()), ("persistentvolumeclaim_labels", pa.string()),
    ("interval_start", TS), ("report_period_start", TS), ("report_period_end", TS),
    ("persistentvolumeclaim_capacity_bytes", pa.float64()),
    ("persistentvolumeclaim_capacity_byte_seconds", pa.float64()),
    ("volume_request_storage_byte_seconds", pa.float64()),
    ("persistentvolumeclaim_usage_byte_seconds", pa.float64()),
]
STORAGE_HOURLY = [
    ("report_period_start", TS), ("report_period_end", TS), ("interval_start", TS),
    ("interval_end", TS), ("namespace", pa.string()), ("pod", pa.string()),
    ("persistentvolumeclaim", pa.string()), ("persistentvolume", pa.string()),
    ("storageclass", pa.string()), ("persistentvolumeclaim_capacity_bytes", pa.float64()),
    ("persistentvolumeclaim_capacity_byte_seconds", pa.float64()),
    ("volume_request_storage_byte_seconds", pa.float64()),
    ("persistentvolumeclaim_usage_byte_seconds", pa.float64()),
    ("persistentvolume_labels", pa.string()), ("persistentvolumeclaim_labels", pa.string()),
    ("node", pa.string()), ("csi_driver", pa.string()), ("csi_volume_handle", pa.string()),
]
NODE_DAILY = [("node", pa.string()), ("node_labels", pa.string()), ("interval_start", TS),
              ("report_period_start", TS), ("report_period_end", TS)]
NODE_HOURLY = [("report_period_start", TS), ("report_period_end", TS), ("node", pa.string()),
               ("interval_start", TS), ("interval_end", TS), ("node_labels", pa.string())]
NS_DAILY = [("namespace", pa.string()), ("namespace_labels", pa.string()), ("interval_start", TS),
            ("report_period_start", TS), ("report_period_end", TS)]
NS_HOURLY = [("report_period_start", TS), ("report_period_end", TS), ("interval_start", TS),
             ("interval_end", TS), ("namespace", pa.string()), ("namespace_labels", pa.string())]


def labels_json(d):
    return json.dumps(d)  # koku's converter: json.dumps of the label dict


class Cluster:
    def __init__(self, pods, namespaces, nodes, seed):
        rng = np.random.default_rng(seed)
        self.pods, self.n_ns, self.n_nodes = pods, namespaces, nodes
        cores = np.array([4.0, 8.0, 16.0, 32.0, 64.0])[rng.integers(0, 5, nodes)]
        self.node_cores = cores
        self.node_mem = cores * 4 * GIB
        self.node_names = pa.array([f"ip-10-0-{i // 250}-{i % 250}.ec2.internal"
                                    for i in range(nodes)])
        self.node_rid = pa.array([f"i-{rng.integers(0, 2**60):017x}" for _ in range(nodes)])
        roles = ["master" if i < min(3, max(1, nodes // 10)) else
                 ("infra" if i % 10 == 3 else "worker") for i in range(nodes)]
        self.node_roles = pa.array(roles)
        zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
        self.node_labels = pa.array([labels_json({
            "beta_kubernetes_io_arch": "amd64", "node_role_kubernetes_io": roles[i],
            "topology_kubernetes_io_zone": zones[i % 3],
            "kubernetes_io_hostname": f"ip-10-0-{i // 250}-{i % 250}"}) for i in range(nodes)])
        ns_names = [("openshift-" if i % 10 == 0 else "kube-" if i % 10 == 5 else "project-")
                    + f"{i:05d}" for i in range(namespaces)]
        self.ns_names = pa.array(ns_names)
        self.ns_labels = pa.array([labels_json({
            "kubernetes_io_metadata_name": ns_names[i], "team": f"team-{i % 7}",
            "environment": "prod" if i % 3 == 0 else "dev"}) for i in range(namespaces)])
        n_sets = max(1, pods // 10)
        tiers = ["web", "db", "cache", "batch"]
        self.label_sets = pa.array([labels_json({
            "app": f"app-{i // 4}", "tier": tiers[i % 4], "version": f"v{i % 3}",
            "pod_template_hash": f"{(i * 2654435761) % 2**32:08x}"}) for i in range(n_sets)])
        idx = np.arange(pods)
        self.pod_node = idx % nodes
        self.pod_ns = (idx // max(1, pods // namespaces)) % namespaces if pods >= namespaces \
            else idx % namespaces
        self.pod_labels = rng.integers(0, n_sets, pods)
        self.pod_names = pa.array([f"pod-{i:07d}-{(i * 40503) % 65536:04x}" for i in range(pods)])
        self.cpu_req = 0.05 + rng.random(pods) * 1.5
        self.cpu_lim = self.cpu_req * 2
        self.mem_req = (0.1 + rng.random(pods) * 4) * GIB
        self.mem_lim = self.mem_req * 2
        # Claims: one per 5 pods, in the pod's namespace; every 10th also mounted by pod + 1
        # (another node, same namespace when pods of a namespace are consecutive).
        claim_pod = idx[::5]
        self.claims = len(claim_pod)
        c = np.arange(self.claims)
        shared = (c % 10 == 0) & (claim_pod + 1 < pods)
        shared &= self.pod_ns[np.minimum(claim_pod + 1, pods - 1)] == self.pod_ns[claim_pod]
        self.mounts_claim = np.concatenate([c, c[shared]])
        self.mounts_pod = np.concatenate([claim_pod, claim_pod[shared] + 1])
        self.claim_cap = (1 + rng.integers(0, 100, self.claims)).astype(float) * GIB
        self.pvc = pa.array([f"data-{i:06d}" for i in range(self.claims)])
        self.pv = pa.array([f"pvc-{rng.integers(0, 2**63):016x}" for _ in range(self.claims)])
        self.sc = pa.array(["gp3-csi" if i % 2 else "standard-csi" for i in range(self.claims)])
        self.csi = pa.array([f"vol-{rng.integers(0, 2**48):012x}" for _ in range(self.claims)])
        self.pv_labels = pa.array([labels_json({"storage": "ssd"})] * self.claims)
        self.pvc_labels = pa.array([labels_json({"app": f"app-{i % 9}"})
                                    for i in range(self.claims)])
        self.rng = rng


def take(arr, idx):
    return arr.take(pa.array(idx))


def write(path, fields, columns):
    table = pa.table([columns[name] for name, _ in fields], schema=pa.schema(fields))
    pq.write_table(table, path, compression="snappy")
    return table.num_rows


def ts(ms, n):
    return pa.array(np.full(n, ms, dtype="int64"), type=pa.int64()).cast(TS)


def partition(root, account, rtype, source, year, month, daily):
    parts = [root, "data", "parquet"] + (["daily"] if daily else []) + [
        account, "OCP", rtype, f"source={source}", f"year={year:04d}", f"month={month:02d}"]
    path = os.path.join(*parts)
    os.makedirs(path, exist_ok=True)
    return path


def pod_day(cl, day_ms, period, dirs, base):
    """The hourly rows of one day (hour-major), cut into 200,000-row chunks."""
    pods = cl.pods
    total = 24 * pods
    rows = 0
    for i, start in enumerate(range(0, total, CHUNK_ROWS)):
        pos = np.arange(start, min(total, start + CHUNK_ROWS))
        hour, pod = pos // pods, pos % pods
        n = len(pos)
        node = cl.pod_node[pod]
        cpu_f = 0.2 + 1.1 * cl.rng.random(n)
        mem_f = 0.3 + 0.9 * cl.rng.random(n)
        cols = {
            "report_period_start": ts(period[0], n), "report_period_end": ts(period[1], n),
            "pod": take(cl.pod_names, pod), "namespace": take(cl.ns_names, cl.pod_ns[pod]),
            "node": take(cl.node_names, node), "resource_id": take(cl.node_rid, node),
            "interval_start": pa.array(day_ms + hour * 3_600_000).cast(TS),
            "interval_end": pa.array(day_ms + hour * 3_600_000 + 3_599_000).cast(TS),
            "pod_usage_cpu_core_seconds": cl.cpu_req[pod] * cpu_f * 3600,
            "pod_request_cpu_core_seconds": cl.cpu_req[pod] * 3600,
            "pod_limit_cpu_core_seconds": cl.cpu_lim[pod] * 3600,
            "pod_usage_memory_byte_seconds": cl.mem_req[pod] * mem_f * 3600,
            "pod_request_memory_byte_seconds": cl.mem_req[pod] * 3600,
            "pod_limit_memory_byte_seconds": cl.mem_lim[pod] * 3600,
            "node_capacity_cpu_cores": cl.node_cores[node],
            "node_capacity_cpu_core_seconds": cl.node_cores[node] * 3600,
            "node_capacity_memory_bytes": cl.node_mem[node],
            "node_capacity_memory_byte_seconds": cl.node_mem[node] * 3600,
            "pod_labels": take(cl.label_sets, cl.pod_labels[pod]),
            "node_role": take(cl.node_roles, node),
        }
        cols["pod_effective_usage_cpu_core_seconds"] = np.maximum(
            cols["pod_usage_cpu_core_seconds"], cols["pod_request_cpu_core_seconds"])
        cols["pod_effective_usage_memory_byte_seconds"] = np.maximum(
            cols["pod_usage_memory_byte_seconds"], cols["pod_request_memory_byte_seconds"])
        rows += write(os.path.join(dirs[0], f"{base}_{i}.parquet"), POD_HOURLY, cols)
        # The chunk's daily partial aggregate: a pod fixes namespace, node and labels, so the
        # group of (namespace, node, pod, pod_labels, day) is the pod.
        upods, inverse = np.unique(pod, return_inverse=True)
        m = len(upods)
        unode = cl.pod_node[upods]
        daily = {
            "namespace": take(cl.ns_names, cl.pod_ns[upods]), "node": take(cl.node_names, unode),
            "pod": take(cl.pod_names, upods), "pod_labels": take(cl.label_sets,
                                                                 cl.pod_labels[upods]),
            "interval_start": ts(day_ms, m), "report_period_start": ts(period[0], m),
            "report_period_end": ts(period[1], m), "resource_id": take(cl.node_rid, unode),
            "node_capacity_cpu_cores": cl.node_cores[unode],
            "node_capacity_memory_bytes": cl.node_mem[unode],
            "node_role": take(cl.node_roles, unode),
        }
        for c in POD_SUMS + ["node_capacity_cpu_core_seconds", "node_capacity_memory_byte_seconds"]:
            daily[c] = np.bincount(inverse, weights=cols[c], minlength=m)
        write(os.path.join(dirs[1], f"{base}_daily_{i}.parquet"), POD_DAILY, daily)
    return rows


def day_reports(cl, day_ms, day_index, period, dirs, base):
    """Storage, node-label and namespace-label reports of one day, each row the whole day."""
    (st_h, st_d), (nl_h, nl_d), (ns_h, ns_d) = dirs
    mc, mp = cl.mounts_claim, cl.mounts_pod
    n = len(mc)
    used = cl.claim_cap[mc] * (0.1 + 0.8 * ((mc * 7919 + day_index * 104729) % 1000) / 1000.0)
    common = {"interval_start": ts(day_ms, n), "interval_end": ts(day_ms + 86_399_000, n),
              "report_period_start": ts(period[0], n), "report_period_end": ts(period[1], n)}
    storage = dict(common, **{
        "namespace": take(cl.ns_names, cl.pod_ns[mp]), "node": take(cl.node_names,
                                                                    cl.pod_node[mp]),
        "pod": take(cl.pod_names, mp), "persistentvolumeclaim": take(cl.pvc, mc),
        "persistentvolume": take(cl.pv, mc), "storageclass": take(cl.sc, mc),
        "csi_driver": pa.array(["ebs.csi.aws.com"] * n), "csi_volume_handle": take(cl.csi, mc),
        "persistentvolume_labels": take(cl.pv_labels, mc),
        "persistentvolumeclaim_labels": take(cl.pvc_labels, mc),
        "persistentvolumeclaim_capacity_bytes": cl.claim_cap[mc],
        "persistentvolumeclaim_capacity_byte_seconds": cl.claim_cap[mc] * 86400,
        "volume_request_storage_byte_seconds": cl.claim_cap[mc] * 86400,
        "persistentvolumeclaim_usage_byte_seconds": used * 86400,
    })
    # One row per claim and pod and day: the daily aggregate of a whole-day row is the row.
    write(os.path.join(st_h, f"{base}_0.parquet"), STORAGE_HOURLY, storage)
    write(os.path.join(st_d, f"{base}_daily_0.parquet"), STORAGE_DAILY, storage)
    for (h, d), names, labels, key in (((nl_h, nl_d), cl.node_names, cl.node_labels, "node"),
                                       ((ns_h, ns_d), cl.ns_names, cl.ns_labels, "namespace")):
        m = len(names)
        cols = {"interval_start": ts(day_ms, m), "interval_end": ts(day_ms + 86_399_000, m),
                "report_period_start": ts(period[0], m), "report_period_end": ts(period[1], m),
                key: names, f"{key}_labels": labels}
        hourly, daily = (NODE_HOURLY, NODE_DAILY) if key == "node" else (NS_HOURLY, NS_DAILY)
        write(os.path.join(h, f"{base}_0.parquet"), hourly, cols)
        write(os.path.join(d, f"{base}_daily_0.parquet"), daily, cols)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("output")
    ap.add_argument("--pods", type=int)
    ap.add_argument("--namespaces", type=int)
    ap.add_argument("--nodes", type=int)
    ap.add_argument("--rows", type=int, help="pod-hour rows; sets pods, nodes and namespaces")
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--month", type=int, default=11)
    ap.add_argument("--days", type=int, default=0, help="0: the whole month")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--source", default="00000000-0000-4000-8000-000000000001")
    ap.add_argument("--account", default="org1234567")
    ap.add_argument("--cpu-lock", help="flock this file while working, giving it back every 5 "
                    "minutes between two days (a shared machine)")
    a = ap.parse_args()
    month_days = calendar.monthrange(a.year, a.month)[1]
    days = a.days or month_days
    if a.rows:
        pods = max(1, round(a.rows / (24 * days)))
        nodes, namespaces = max(2, -(-pods // 40)), max(2, -(-pods // 25))
    else:
        pods, nodes, namespaces = a.pods, a.nodes, a.namespaces
    if not (pods and nodes and namespaces):
        ap.error("give --rows, or --pods, --namespaces and --nodes")
    cl = Cluster(pods, namespaces, nodes, a.seed)
    tmp = a.output.rstrip("/") + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    epoch = dt.date(1970, 1, 1)
    first = dt.date(a.year, a.month, 1)
    period = ((first - epoch).days * 86_400_000,
              (first - epoch).days * 86_400_000 + month_days * 86_400_000)

    def dirs(rtype):
        return tuple(partition(tmp, a.account, rtype, a.source, a.year, a.month, daily)
                     for daily in (False, True))

    pod_dirs = dirs("pod_usage")
    other = (dirs("storage_usage"), dirs("node_labels"), dirs("namespace_labels"))
    rows = 0
    lock = since = None
    for d in range(days):
        day = first + dt.timedelta(days=d)
        day_ms = (day - epoch).days * 86_400_000
        base = f"{{}}.{day.isoformat()}.1.0"
        if a.cpu_lock and lock is None:
            lock, since = open(a.cpu_lock, "a"), time.time()
            fcntl.flock(lock, fcntl.LOCK_EX)
        rows += pod_day(cl, day_ms, period, pod_dirs, base.format("pod_usage"))
        day_reports(cl, day_ms, d, period, other, base.format("day"))
        if lock is not None and time.time() - since > 300:
            lock.close()  # held 5 minutes: let others in between two days
            lock = None
    shutil.rmtree(a.output, ignore_errors=True)
    os.rename(tmp, a.output)
    info = {"generator": "bench/gen_koku.py", "pods": pods, "namespaces": namespaces,
            "nodes": nodes, "days": days, "pod_hour_rows": rows,
            "label_sets": len(cl.label_sets), "claims": cl.claims, "year": a.year,
            "month": a.month, "source": a.source, "account": a.account, "seed": a.seed}
    with open(os.path.join(a.output, "dataset.json"), "w") as f:
        json.dump(info, f, indent=1)
    print(json.dumps(info), file=sys.stderr)


if __name__ == "__main__":
    main()
