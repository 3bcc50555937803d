#!/usr/bin/env python3
"""Writes bench/REPORT.md and its plots (bench/results/suite_time.png, suite_rss.png) from the
results of bench/suite.py (bench/results/suite.json).

  report.py [bench/results/suite.json]
"""
import json
import re
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FLOOR = "arrow read floor"
MAIN = "ocpagg parallel"
OCPAGG_MODES = ["ocpagg parallel", "ocpagg serial", "ocpagg auto", "ocpagg in-memory"]


def med(values):
    return statistics.median(values) if values else None


def summarize(entry):
    """contender -> medians over the rounds that succeeded."""
    out = {}
    for name, runs in entry["runs"].items():
        ok = [r for r in runs if r["ok"]]
        if not ok:
            out[name] = {"error": runs[0].get("error", "failed") if runs else "not run"}
            continue
        s = {"wall": med([r["wall"] for r in ok]), "cpu": med([r["cpu"] for r in ok]),
             "rss": med([r["rss_mb"] for r in ok]), "n": len(ok),
             "spread": (max(r["wall"] for r in ok) - min(r["wall"] for r in ok)) / med([r["wall"] for r in ok])}
        if any("copy" in r for r in ok):
            s["copy"] = med([r["copy"] for r in ok if "copy" in r])
        if any("output_rows" in r for r in ok):
            s["output_rows"] = ok[0]["output_rows"]
        if len(ok) < len(runs):
            s["failed"] = len(runs) - len(ok)
            s["error"] = next(r.get("error", "failed") for r in runs if not r["ok"])
        out[name] = s
    return out


def peers(stats):
    """The contenders that are not ocpagg and not the floor and build the summary as files."""
    return {k: v for k, v in stats.items()
            if not k.startswith("ocpagg") and k != FLOOR and "PostgreSQL" not in k and "wall" in v}


def fmt_s(x):
    return "" if x is None else (f"{x:.3f}" if x < 1 else f"{x:.2f}" if x < 100 else f"{x:.0f}")


def fmt_rows(n):
    return f"{n / 1e6:.0f} M" if n >= 10_000_000 else f"{n:,}"


def dataset_table(entry, stats):
    rows = entry["info"]["pod_hour_rows"]
    floor = stats.get(FLOOR, {}).get("wall")
    pe = peers(stats)
    fastest_peer = min(pe.items(), key=lambda kv: kv[1]["wall"]) if pe else None
    lines = ["| contender | time s | rows/s | CPU s | peak RSS MB | fastest peer / this | this / floor | write phase s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in stats.items():
        if "wall" not in s:
            lines.append(f"| {name} | failed: {s['error']} |||||||")
            continue
        vs_peer = f"{fastest_peer[1]['wall'] / s['wall']:.2f}x" if fastest_peer else ""
        vs_floor = f"{s['wall'] / floor:.2f}x" if floor else ""
        label = name if "failed" not in s else \
            f"{name} ({s['n']} rounds; then failed, not run again: {s['error']})"
        lines.append(f"| {label} | {fmt_s(s['wall'])} | {rows / s['wall']:,.0f} | {fmt_s(s['cpu'])} | "
                     f"{s['rss']:.0f} | {vs_peer} | {vs_floor} | {fmt_s(s.get('copy'))} |")
    return lines, fastest_peer


def plot(data, path_time, path_rss):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    series = {}
    for entry, stats in data:
        if not entry["name"].startswith("gen"):
            continue
        for name, s in stats.items():
            if "wall" in s:
                series.setdefault(name, []).append((entry["info"]["pod_hour_rows"], s["wall"], s["rss"]))
    for path, idx, title in ((path_time, 1, "time (s), median"), (path_rss, 2, "peak RSS (MB), median")):
        fig, ax = plt.subplots(figsize=(8, 5))
        for name, pts in sorted(series.items()):
            pts.sort()
            style = "--" if name == FLOOR else "-"
            ax.plot([p[0] for p in pts], [p[idx] for p in pts], style, marker="o", markersize=3, label=name)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("hourly pod rows (one month)")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)
    return True


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "results", "suite.json")
    res = json.load(open(src))
    data = [(e, summarize(e)) for e in res["datasets"]]
    has_plots = plot(data, os.path.join(HERE, "results", "suite_time.png"),
                     os.path.join(HERE, "results", "suite_rss.png"))
    m = res["machine"]
    loads = [l[0] for e, _ in data for l in e["load"]]
    L = ["# Benchmark: ocpagg and the tools one would use instead", "",
         "Written by `bench/run` (bench/suite.py, bench/report.py); do not edit by hand.", "",
         f"- Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['mem_gb']} GB, {m['platform']}.",
         f"- Run: {res['started']} to {res.get('finished', '(unfinished)')}, ocpagg {res['ocpagg_commit']}"
         + (f" (data sets timed by earlier runs kept: {', '.join(str(x) for x in res['merged_from'])})"
            if res.get("merged_from") else "") + ", "
         f"{res['runs']} rounds per data set (fewer where the data set says so), every contender once "
         f"per round in a fixed order, "
         f"the machine's CPU lock held for each round. Figures are medians over the rounds.",
         f"- Load average (1 min) at the start of the rounds: median {med(loads):.2f}, "
         f"min {min(loads):.2f}, max {max(loads):.2f}." if loads else "- Load average: not recorded.",
         f"- Time is wall time of the whole process (start to exit, reading the input and writing the "
         f"output), CPU is user + system and peak RSS is `/usr/bin/time -v`'s maximum resident set size; "
         f"rows/s counts the hourly pod rows of the month. Start-up is included: the Python contenders "
         f"(DuckDB, Polars, the floor) pay about 0.3 s to start an interpreter and import their "
         f"engine, which dominates the small data sets; compare engines at the large ones.",
         "- \"fastest peer / this\": the fastest of DuckDB and Polars over this contender (above 1: this "
         "is faster); \"this / floor\": this over the Arrow read floor; \"write phase s\": the "
         "`--report` write phase of ocpagg (into PostgreSQL: the COPY).",
         f"- Enabled tag keys: {', '.join(res['enabled_keys'])} (plus `vm_kubevirt_io_name`); koku's "
         f"default cost categories.", ""]
    L += headline(data, res)
    L += advice(data)
    L += ["## Contenders", "",
          "- **ocpagg MODE**: `ocpagg summarize --mode MODE` at its default settings (threads: all cores; "
          "memory limit: a quarter of the machine), writing the summary as Parquet day files; with "
          "`--tables daily` where ocpagg has that flag, since the peers make the daily summary only. "
          "`in-memory` is left out above 20 M rows (it holds everything).",
          "- **duckdb (koku SQL)**: `bench/koku_duckdb.py`, koku's self-hosted summary SQL "
          "(`reporting_ocpusagelineitem_daily_summary.sql`) and nodes query translated to DuckDB "
          f"(PyPI duckdb, {res['threads']} threads), reading the same Parquet files and writing one "
          "Parquet file. Its rows are checked against ocpagg's (below) and, by `bench/check_rows.py "
          "golden`, against the golden scenarios' rows made by koku's own SQL on PostgreSQL.",
          "- **arrow read floor**: `bench/arrow_floor.py`, pyarrow alone "
          f"({res['threads']} threads, in process) reading the columns the summary needs from the same "
          "files, batch by batch, with no aggregation: what no summary can beat.",
          f"- **ocpagg parallel -> PostgreSQL**: the same run writing into a PostgreSQL "
          f"{res.get('postgres', '')} started by the suite (default settings, fsync on) with COPY, in one "
          "transaction that first deletes the previous round's rows; \"COPY s\" is the run "
          "report's write phase. For both PostgreSQL contenders, CPU and peak RSS are the client's "
          "(ocpagg; or Python + psql): the server's work is in the time only.",
          "- **polars streaming (koku SQL)**: `bench/koku_polars.py`, the same translation in Polars' "
          f"lazy API (PyPI polars, {res['threads']} threads), the big scans, joins and group-bys run by "
          "its streaming engine; the small unallocated step and the output concatenation in memory. "
          "Checked like DuckDB.",
          "- DataFusion is not a contender: its SQL has no JSON "
          "functions for koku's label filter and merge without an extension.",
          "- koku's own SQL on PostgreSQL runs only when `KOKU_REPO` names a koku checkout; "
          "it was not run for this report." if not any("koku SQL on PostgreSQL" in e["runs"] for e, _ in data)
          else "- **koku SQL on PostgreSQL**: koku's own self-hosted statement, read from `KOKU_REPO` at run "
               "time and run whole-month in one transaction on the same server, over the same files loaded "
               "(untimed) into koku's line-item tables; only up to 2 M rows (it is slow). The suite compares its rows "
               "with ocpagg's (report period and alias aside; see each data set's check line).",
          ""]
    L += ["## Data", "",
          "`gen P/NS/N` data sets come from `bench/gen_koku.py`, a generator written for the benchmark "
          "with pyarrow and numpy only (not ocpagg's code): koku's Parquet layout, one hourly file "
          "per 200,000-row chunk and its daily partial aggregate, November 2025 (30 days), every pod "
          "every hour, one pod label set per 10 pods, one claim per 5 pods. `gen 10 M` and `gen 100 M` "
          "have 40 pods per node and 25 per namespace (13,889 pods on 348 nodes; 138,889 pods on "
          "3,473 nodes). `nise P/NS/N` data sets are real nise output (koku-nise, a fully specified "
          "static report) turned into Parquet by `ocpagg ingest`.", ""]
    if has_plots:
        L += ["![time](results/suite_time.png)", "", "![peak RSS](results/suite_rss.png)", ""]
    L += ["## Every data set", ""]
    for e, s in data:
        i = e["info"]
        L += [f"### {e['name']}: {fmt_rows(i['pod_hour_rows'])} hourly pod rows", "",
              f"{i['pods']} pods, {i['namespaces']} namespaces, {i['nodes']} nodes, {i['days']} days; "
              f"{s.get(MAIN, {}).get('output_rows', '?')} summary rows; timed {e.get('run_started', '')} "
              f"(ocpagg {e.get('ocpagg_commit', '?')}), {len(e['load'])} rounds, load "
              f"average {', '.join(f'{l[0]:.2f}' for l in e['load'])}. "
              f"Rows checked against ocpagg parallel's: {e.get('check') or 'not compared'}.", ""]
        lines, _ = dataset_table(e, s)
        L += lines + [""]
    with open(os.path.join(HERE, "REPORT.md"), "w") as f:
        f.write("\n".join(L) + "\n")
    print(f"report: wrote {os.path.join(HERE, 'REPORT.md')}", file=sys.stderr)


def headline(data, res):
    L = ["## Headline", "",
         "| rows | ocpagg parallel | fastest peer | floor | peer / ocpagg (target >= 3x) | ocpagg / floor (target <= 1.5x) | peak RSS (target < 128 MB) |",
         "|---|---|---|---|---:|---:|---:|"]
    # The --rows data sets (gen 10 M, gen 100 M): one shape, 40 pods a node, 25 a namespace.
    big = [(e, s) for e, s in data if re.fullmatch(r"gen \d+ M", e["name"])]
    # A generated data set with the largest --rows month's pods a day over fewer days (bench/suite.py
    # adds one with --large): the same shape at fewer rows.
    largest = max((e["info"] for e, _ in big), key=lambda i: i["pod_hour_rows"], default=None)
    same_shape = [(e, s) for e, s in data
                  if largest and e["name"].startswith("gen ") and (e, s) not in big
                  and e["info"].get("pods") == largest["pods"] and e["info"]["days"] < largest["days"]]
    for e, s in big + same_shape:
        o, f = s.get(MAIN, {}), s.get(FLOOR, {})
        pe = peers(s)
        if "wall" not in o:
            continue
        fp = min(pe.items(), key=lambda kv: kv[1]["wall"]) if pe else None
        rows = e["info"]["pod_hour_rows"]
        label = fmt_rows(rows) if (e, s) in big else \
            f"{fmt_rows(rows)} ({e['info']['days']} days of {fmt_rows(largest['pod_hour_rows'])}'s cluster)"
        L.append(f"| {label} | {fmt_s(o['wall'])} s, {o['rss']:.0f} MB | "
                 + (f"{fp[0]}: {fmt_s(fp[1]['wall'])} s, {fp[1]['rss']:.0f} MB" if fp else "") + " | "
                 + (f"{fmt_s(f['wall'])} s" if "wall" in f else "") + " | "
                 + (f"{fp[1]['wall'] / o['wall']:.2f}x" if fp else "") + " | "
                 + (f"{o['wall'] / f['wall']:.2f}x" if "wall" in f else "") + " | "
                 + f"{o['rss']:.0f} MB |")
    def rate(entry, stats):
        return entry["info"]["pod_hour_rows"] / stats[MAIN]["wall"]

    if len(big) >= 2 and all("wall" in s.get(MAIN, {}) for _, s in big[:2]):
        (e1, s1), (e2, s2) = big[0], big[-1]
        L += ["", f"Rows/s of ocpagg parallel at {fmt_rows(e2['info']['pod_hour_rows'])} is "
                  f"{100 * rate(e2, s2) / rate(e1, s1):.0f} % of its rows/s at "
                  f"{fmt_rows(e1['info']['pod_hour_rows'])} (target >= 70 % on data of the same "
                  "shape). These two months differ in shape: koku's processor writes a daily "
                  "partial aggregate per 200,000-row chunk, so the daily pod files hold 8 % of the "
                  "hourly rows at 10 M and 71 % at 100 M."]
        if same_shape and "wall" in same_shape[0][1].get(MAIN, {}):
            e3, s3 = same_shape[0]
            L += ["", f"At the same shape (\"{e3['name']}\": {e3['info']['pods']:,} pods a day, "
                      f"as in {fmt_rows(e2['info']['pod_hour_rows'])}), "
                      f"rows/s at 100 M is {100 * rate(e2, s2) / rate(e3, s3):.0f} % of rows/s at "
                      f"{fmt_rows(e3['info']['pod_hour_rows'])}."]
    if not any(e["info"]["pod_hour_rows"] >= 50_000_000 for e, _ in big):
        L += ["", "100 M rows: not in this report (`bench/run --large` adds it; its data set is an estimated "
                  "18 GB of Parquet, since 138,889 pods and 13,889 label sets leave a 200,000-row "
                  "chunk little to dictionary-encode)."]
    L += ["", "The targets: at least 3x faster than the fastest peer, within 1.5x of the Arrow read "
              "floor, peak RSS under 128 MB, at 10 M and 100 M rows. Where one is missed, the ratio "
              "above says by how much; results/perf.md says where the time goes and what would "
              "close the gap.", ""]
    return L


def advice(data):
    L = ["## Which mode, and how much memory", "",
         "| data set | rows | fastest mode (within 5 %) | parallel s | serial s | auto s | in-memory s | parallel RSS MB | serial RSS MB | in-memory RSS MB |",
         "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    peak, best_counts, biggest = 0, {}, None
    for e, s in data:
        modes = {k: v for k, v in s.items() if k in OCPAGG_MODES and "wall" in v}
        if not modes:
            continue
        fastest = min(v["wall"] for v in modes.values())
        # Modes within 5 % of the fastest are tied: run-to-run noise is of that order.
        best = ", ".join(k.split()[1] for k in OCPAGG_MODES
                         if k in modes and modes[k]["wall"] <= 1.05 * fastest)
        best_counts[best] = best_counts.get(best, 0) + 1
        cell = lambda k, f: fmt_s(modes[k][f]) if k in modes and f == "wall" else (
            f"{modes[k][f]:.0f}" if k in modes else "")
        L.append(f"| {e['name']} | {fmt_rows(e['info']['pod_hour_rows'])} | {best} | "
                 + " | ".join(cell(k, "wall") for k in OCPAGG_MODES) + " | "
                 + " | ".join(cell(k, "rss") for k in ("ocpagg parallel", "ocpagg serial", "ocpagg in-memory")) + " |")
        if MAIN in modes:
            peak = max(peak, modes[MAIN]["rss"], modes.get("ocpagg serial", {}).get("rss", 0))
            if biggest is None or e["info"]["pod_hour_rows"] > biggest[0]:
                biggest = (e["info"]["pod_hour_rows"], modes)
    if peak:
        counts = "; ".join(f"{m} on {n}" for m, n in sorted(best_counts.items(), key=lambda kv: -kv[1]))
        request = max(256, 64 * -(-int(1.5 * peak) // 64))
        L += ["", f"- Fastest mode per data set (ties within 5 % listed together): {counts} (of "
                  f"{sum(best_counts.values())}). Below a "
                  "second the differences are mostly process start-up and thread start. `auto` "
                  "picks serial for small inputs and parallel otherwise.",
              f"- At the largest month here ({fmt_rows(biggest[0])} rows) parallel took "
              f"{fmt_s(biggest[1][MAIN]['wall'])} s and {biggest[1][MAIN]['rss']:.0f} MB"
              + (f", serial {fmt_s(biggest[1]['ocpagg serial']['wall'])} s and "
                 f"{biggest[1]['ocpagg serial']['rss']:.0f} MB" if "ocpagg serial" in biggest[1] else "")
              + ". Use parallel when the worker has the cores to itself, serial when it shares them "
                "(one core, less memory, the same rows).",
              f"- Memory: the bounded modes (parallel, serial) peaked at {peak:.0f} MB over every data "
              f"set here. Give a container or a Celery worker that runs one summary at a time about "
              f"{request} MB (1.5x that peak, rounded up to 64 MB, at least 256 MB), and that much "
              "per summary it runs at once; `--memory-limit` (default: a quarter of the machine or "
              "cgroup limit) keeps ocpagg inside it by spilling days to disk instead of failing.",
              "- in-memory holds the whole month and grows with the rows: a baseline for tests, not "
              "for production."]
    return L + [""]


if __name__ == "__main__":
    main()
