#!/usr/bin/env python3
"""Writes bench/results/summarize.md and summarize.png from summarize.csv (summarize_bench.sh)."""
import csv
import os
import platform
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
out = sys.argv[2]
ok = [r for r in rows if r["status"] == "ok"]

with open(os.path.join(out, "summarize.md"), "w") as f:
    f.write("# summarize: throughput and peak memory\n\n")
    f.write(f"Machine: {os.cpu_count()} cores, {platform.platform()}. Median of runs; peak RSS from "
            "/usr/bin/time -v. Input from `ocpagg generate --seed 42`, one month (31 days) unless "
            "the days column says otherwise; rows/s counts hourly pod-usage input rows; MB are "
            "MiB, as in --memory-limit.\n\n")
    f.write("| pod-hour rows | days | mode | memory limit | threads | seconds | rows/s | peak RSS MB "
            "| CPU s | spill bytes | days spilled | output rows |\n")
    f.write("|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    for r in rows:
        if r["status"] != "ok":
            f.write(f"| {int(r['rows']):,} | {r['days']} | {r['mode']} | {r['memory_limit']} | "
                    f"{r['threads']} | stopped: {r['status']} |||||||\n")
            continue
        f.write(f"| {int(r['rows']):,} | {r['days']} | {r['mode']} | {r['memory_limit']} | "
                f"{r['threads']} | {float(r['seconds']):.2f} | {int(r['rows_per_second']):,} | "
                f"{float(r['peak_rss_mb']):.1f} | {float(r['cpu_seconds']):.2f} | "
                f"{int(r['spill_bytes']):,} | {r['days_spilled']} | {int(r['output_rows']):,} |\n")

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(0)
fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
series = {}
for r in ok:
    if r["days"] != "31":
        continue  # the one-day spill point is in the table, not on the month curves
    key = f"{r['mode']} (limit {r['memory_limit']})"
    series.setdefault(key, []).append((int(r["rows"]), float(r["peak_rss_mb"]), float(r["seconds"])))
for key, pts in sorted(series.items()):
    pts.sort()
    a1.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=key)
    a2.plot([p[0] for p in pts], [p[2] for p in pts], marker="o", label=key)
for a, t in ((a1, "peak RSS (MB)"), (a2, "time (s)")):
    a.set_xscale("log")
    a.set_xlabel("pod-hour rows (one month)")
    a.set_title(t)
    a.grid(True, alpha=.3)
a1.set_yscale("log")
for limit in (256, 128, 64):
    a1.axhline(limit, color="grey", linestyle="--", linewidth=.8)
a1.legend(fontsize=7)
fig.tight_layout()
fig.savefig(os.path.join(out, "summarize.png"), dpi=110)
