#!/usr/bin/env python3
"""A month of real nise output (koku-nise, the generator koku's own tests use) for a cluster of
P pods in NS namespaces on N nodes, turned into koku-layout Parquet by `ocpagg ingest`.

  nise_month.py OUT --pods P --namespaces NS --nodes N --ocpagg BIN [--year 2025 --month 11]

The static report is fully specified (every pod 3600 s an hour, fixed requests and usage, labels
on nodes, namespaces and pods, one claim per 5 pods), so nise writes every hour of the month for
every pod: 24 x days x P pod rows. The payload goes to OUT.payload, the Parquet to OUT.
"""
import argparse
import calendar
import json
import os
import shutil
import subprocess
import sys

SOURCE = "00000000-0000-4000-8000-000000000002"


def scenario(pods, namespaces, nodes, year, month):
    days = calendar.monthrange(year, month)[1]
    lines = ["---", "generators:", "  - OCPGenerator:",
             f"      start_date: {year}-{month:02d}-01",
             f'      end_date: "{year}-{month:02d}-{days} 23:59:59"', "      nodes:"]
    zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
    for n in range(nodes):
        role = "master" if n == 0 else "worker"
        lines += ["        - node:", f"          node_name: node-{n:04d}",
                  f"          cpu_cores: {[4, 8, 16, 32][n % 4]}",
                  f"          memory_gig: {[16, 32, 64, 128][n % 4]}",
                  f"          resource_id: {n:017x}",
                  f"          node_labels: label_node_role_kubernetes_io:{role}|"
                  f"label_topology_kubernetes_io_zone:{zones[n % 3]}",
                  "          namespaces:"]
        # Namespaces are spread over nodes; pods of namespace i on node n are the pods p with
        # p % nodes == n and p % namespaces == i.
        for i in range(namespaces):
            pods_here = [p for p in range(pods) if p % nodes == n and p % namespaces == i]
            if not pods_here:
                continue
            ns = ("openshift-" if i % 10 == 0 else "project-") + f"{i:04d}"
            lines += [f"            {ns}:",
                      f"              namespace_labels: label_team:team-{i % 7}|"
                      f"label_environment:{'prod' if i % 3 == 0 else 'dev'}",
                      "              pods:"]
            for p in pods_here:
                req = 0.1 + (p % 10) * 0.1
                mem = 0.5 + (p % 8) * 0.5
                lines += ["                - pod:", f"                  pod_name: pod-{p:06d}",
                          f"                  cpu_request: {req:.2f}",
                          f"                  cpu_limit: {2 * req:.2f}",
                          f"                  mem_request_gig: {mem:.2f}",
                          f"                  mem_limit_gig: {2 * mem:.2f}",
                          "                  pod_seconds: 3600",
                          f"                  cpu_usage:\n                    full_period: {req * 0.8:.3f}",
                          f"                  mem_usage_gig:\n                    full_period: {mem * 0.9:.3f}",
                          f"                  labels: label_app:app-{p % 40 // 4}|"
                          f"label_tier:{['web', 'db', 'cache', 'batch'][p % 4]}"]
            claims = [p for p in pods_here if p % 5 == 0]
            if claims:
                lines.append("              volumes:")
                for p in claims:
                    lines += ["                - volume:", f"                  volume_name: pv-{p:06d}",
                              f"                  storage_class: gp3-csi",
                              "                  volume_request_gig: 20",
                              "                  volume_claims:",
                              "                  - volume_claim:",
                              f"                    volume_claim_name: data-{p:06d}",
                              f"                    pod_name: pod-{p:06d}",
                              "                    capacity_gig: 20",
                              f"                    volume_claim_usage_gig:\n                      full_period: 5"]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("output")
    ap.add_argument("--pods", type=int, required=True)
    ap.add_argument("--namespaces", type=int, required=True)
    ap.add_argument("--nodes", type=int, required=True)
    ap.add_argument("--ocpagg", required=True)
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--month", type=int, default=11)
    a = ap.parse_args()
    payload = a.output.rstrip("/") + ".payload"
    shutil.rmtree(payload, ignore_errors=True)
    shutil.rmtree(a.output, ignore_errors=True)
    os.makedirs(payload)
    yml = os.path.join(payload, "scenario.yml")
    with open(yml, "w") as f:
        f.write(scenario(a.pods, a.namespaces, a.nodes, a.year, a.month))
    upload = os.path.join(payload, "upload")
    os.makedirs(upload)
    nise = os.path.join(os.path.dirname(sys.executable), "nise")
    # nise writes its CSVs into the working directory before packing them.
    subprocess.run([nise, "report", "ocp", "--static-report-file", yml, "--ocp-cluster-id",
                    "bench-nise", "--insights-upload", upload], check=True, cwd=payload,
                   stdout=subprocess.DEVNULL)
    months = [os.path.join(upload, "bench-nise", d)
              for d in sorted(os.listdir(os.path.join(upload, "bench-nise")))]
    for m in months:
        subprocess.run([a.ocpagg, "ingest", m, "--output", a.output, "--source", SOURCE,
                        "--quiet"], check=True)
    days = calendar.monthrange(a.year, a.month)[1]
    info = {"generator": "koku-nise + ocpagg ingest", "pods": a.pods, "namespaces": a.namespaces,
            "nodes": a.nodes, "days": days, "pod_hour_rows": 24 * days * a.pods,
            "year": a.year, "month": a.month, "source": SOURCE, "account": "org1234567"}
    with open(os.path.join(a.output, "dataset.json"), "w") as f:
        json.dump(info, f, indent=1)
    shutil.rmtree(payload)
    print(json.dumps(info), file=sys.stderr)


if __name__ == "__main__":
    main()
