#!/usr/bin/env python3
"""Writes bench/results/summarize.md and summarize.png from summarize.csv (see summarize_bench.sh)."""
import csv, sys, platform, os
rows = list(csv.DictReader(open(sys.argv[1])))
out = sys.argv[2]
with open(os.path.join(out, "summarize.md"), "w") as f:
    f.write("# summarize: throughput and peak memory\n\n")
    f.write(f"Machine: {os.cpu_count()} cores, {platform.platform()}. Median of runs; peak RSS from "
            "/usr/bin/time -v. Input from `ocpagg generate --seed 42` (one month, 31 days).\n\n")
    f.write("| pod-hour rows | mode | memory limit | threads | seconds | rows/s | peak RSS MB | CPU s | spill bytes | output rows |\n")
    f.write("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
    for r in rows:
        f.write(f"| {int(r['rows']):,} | {r['mode']} | {r['memory_limit']} | {r['threads']} | {float(r['seconds']):.2f} | "
                f"{int(r['rows_per_second']):,} | {float(r['peak_rss_mb']):.0f} | {float(r['cpu_seconds']):.2f} | {r['spill_bytes']} | {r['output_rows']} |\n")
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(0)
fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
series = {}
for r in rows:
    key = f"{r['mode']} ({r['memory_limit']}, {r['threads']}t)"
    series.setdefault(key, []).append((int(r["rows"]), float(r["peak_rss_mb"]), float(r["seconds"])))
for key, pts in series.items():
    pts.sort()
    a1.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=key)
    a2.plot([p[0] for p in pts], [p[2] for p in pts], marker="o", label=key)
for a, t in ((a1, "peak RSS (MB)"), (a2, "time (s)")):
    a.set_xscale("log"); a.set_xlabel("pod-hour rows"); a.set_title(t); a.grid(True, alpha=.3)
a1.legend(fontsize=7)
fig.tight_layout()
fig.savefig(os.path.join(out, "summarize.png"), dpi=110)
