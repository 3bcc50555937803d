#!/usr/bin/env python3
"""Row-for-row comparison of summary tables: ocpagg's output, the DuckDB and Polars translations of
koku's SQL (bench/koku_duckdb.py, bench/koku_polars.py), and the golden scenarios' expected rows (tests/golden, made by koku's
own SQL on PostgreSQL).

  check_rows.py golden [--ocpagg BIN] [--scenario NAME ...]
      every golden scenario: `ocpagg ingest` the nise payload, then summarize it with ocpagg, with
      DuckDB and with Polars; each must give the expected rows, and ocpagg's
  check_rows.py compare A B
      two summaries (a Parquet file, or a folder of ocpagg's Parquet/CSV day files)

Rows are compared as multisets, as tests/golden/README.md says: uuid left out, labels and
infrastructure_usage_cost as JSON objects, numbers with a tolerance (relative 1e-9, absolute
1e-12), everything else as text. Exit code 0 when every comparison matches, 1 otherwise.
"""
import argparse
import csv
import functools
import datetime as dt
import glob
import json
import math
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import koku_duckdb  # noqa: E402
import koku_polars  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JSON_COLUMNS = {"pod_labels", "volume_labels", "all_labels", "infrastructure_usage_cost"}
SKIP = {"uuid", "source", "year", "month", "day"}


def is_number_column(name):
    return any(name.endswith(s) for s in ("_hours", "_months", "_gigabyte", "_gigabytes", "_cores"))


def load(path):
    """A summary as a list of dicts (column -> text or float or None)."""
    if os.path.isdir(path):
        files = sorted(glob.glob(os.path.join(path, "**", "*.parquet"), recursive=True))
        if files:
            tables = [pq.read_table(f) for f in files]
            return [r for t in tables for r in normalize_table(t)]
        rows = []
        for f in sorted(glob.glob(os.path.join(path, "**", "*.csv"), recursive=True)):
            rows += load_csv(f, null="")
        return rows
    if path.endswith(".csv"):
        return load_csv(path, null="\\N")
    return normalize_table(pq.read_table(path))


def normalize_table(t):
    cols = [c for c in t.column_names if c not in SKIP]
    t = t.select(cols)
    for i, f in enumerate(t.schema):
        if pa.types.is_dictionary(f.type):
            t = t.set_column(i, f.name, t.column(i).cast(f.type.value_type))
    return [normalize(r) for r in t.to_pylist()]


def load_csv(path, null):
    rows = []
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        for rec in reader:
            # ocpagg's CSV: NULL is an unquoted empty field, '' is "". The csv module does not
            # tell them apart, so read the golden files (\N for NULL) and ocpagg's Parquet.
            rows.append(normalize({h: (None if v == null else v) for h, v in zip(header, rec)
                                   if h not in SKIP}))
    return rows


@functools.lru_cache(maxsize=1 << 16)
def canonical_json(text):
    """Label sets repeat over many rows: each text is parsed once."""
    return json.dumps(json.loads(text), sort_keys=True)


def normalize(r):
    out = {}
    for k, v in r.items():
        if k in SKIP:
            continue
        if v is None:
            out[k] = None
        elif k in JSON_COLUMNS:
            out[k] = canonical_json(v) if isinstance(v, str) else json.dumps(v, sort_keys=True)
        elif is_number_column(k) and k != "cost_category_id":
            out[k] = float(v)
        else:
            out[k] = str(v)
    return out


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def compare(expected, actual, label_a="expected", label_b="actual", limit=10):
    """Differences between two row lists, as text lines (empty when they match)."""
    if not expected and not actual:
        return []
    columns = sorted(set(expected[0] if expected else actual[0]) | set(actual[0] if actual else {}))
    numbers = [c for c in columns if is_number_column(c) and c != "cost_category_id"]
    keys = [c for c in columns if c not in numbers]

    def group(rows):
        g = defaultdict(list)
        for r in rows:
            g[tuple(r.get(k) for k in keys)].append(tuple(r.get(c) for c in numbers))
        return g

    ge, ga = group(expected), group(actual)
    diffs = []
    if len(expected) != len(actual):
        diffs.append(f"row count: {label_a} {len(expected)}, {label_b} {len(actual)}")
    for key in sorted(set(ge) | set(ga), key=lambda k: tuple("" if v is None else v for v in k)):
        a, b = ge.get(key, []), ga.get(key, [])
        desc = ", ".join(f"{k}={v}" for k, v in zip(keys, key) if v is not None)
        if len(a) != len(b):
            diffs.append(f"{len(a)} rows in {label_a}, {len(b)} in {label_b}: {desc}")
            continue
        srt = lambda rows: sorted(rows, key=lambda t: tuple(-1e300 if x is None else x for x in t))
        for x, y in zip(srt(a), srt(b)):
            bad = [f"{c}: {u} != {v}" for c, u, v in zip(numbers, x, y) if not close(u, v)]
            if bad:
                diffs.append(f"{desc}: " + "; ".join(bad[:4]))
        if len(diffs) >= limit:
            break
    return diffs


def report(name, diffs, n):
    if diffs:
        print(f"FAIL {name}")
        for d in diffs[:10]:
            print("   ", d)
        return False
    print(f"ok   {name}: {n} rows")
    return True


def golden(ocpagg, scenarios):
    base = os.path.join(ROOT, "tests", "golden")
    names = scenarios or sorted(d for d in os.listdir(base)
                                if os.path.isfile(os.path.join(base, d, "params.json")))
    ok = True
    for name in names:
        d = os.path.join(base, name)
        p = json.load(open(os.path.join(d, "params.json")))
        cats = [(int(c["cost_category_id"]), c["namespace_pattern"])
                for c in p.get("cost_category_namespaces", [])]
        with tempfile.TemporaryDirectory(prefix="ocpagg-check-") as tmp:
            data, out = os.path.join(tmp, "data"), os.path.join(tmp, "ocpagg")
            keys = os.path.join(tmp, "keys.txt")
            with open(keys, "w") as f:
                f.writelines(k + "\n" for k in p["enabled_keys"])
            with open(os.path.join(tmp, "cats.txt"), "w") as f:
                f.writelines(f"{i},{pat}\n" for i, pat in cats)
            runs = [s for period in p["report_periods"] for s in period["summary"]]
            for r in runs:
                payload = os.path.join(d, "payload", p["cluster_id"], r["payload_dir"])
                subprocess.run([ocpagg, "ingest", payload, "--output", data, "--source",
                                p["source_uuid"], "--quiet"], check=True)
            engine_rows = {"duckdb": [], "polars": []}
            engine_nodes = {"duckdb": [], "polars": []}
            for i, r in enumerate(runs):
                cmd = [ocpagg, "summarize", "--input", data, "--source", p["source_uuid"],
                       "--year", r["year"], "--month", r["month"], "--start-date", r["start_date"],
                       "--end-date", r["end_date"], "--cluster-id", p["cluster_id"], "--output", out,
                       "--format", "parquet", "--tables", "daily", "--enabled-keys", keys,
                       "--cost-categories",
                       os.path.join(tmp, "cats.txt"), "--report-period-id",
                       str(r["report_period_id"]), "--nodes-file", os.path.join(tmp, "nodes.yaml"),
                       "--quiet"]
                if p.get("cluster_alias"):
                    cmd += ["--cluster-alias", p["cluster_alias"]]
                subprocess.run(cmd, check=True)
                s = koku_duckdb.Summary(
                    data, p["source_uuid"], int(r["year"]), int(r["month"]), keys=p["enabled_keys"],
                    categories=cats, cluster_id=p["cluster_id"], cluster_alias=p.get("cluster_alias"),
                    report_period_id=r["report_period_id"],
                    start=dt.date.fromisoformat(r["start_date"]),
                    end=dt.date.fromisoformat(r["end_date"]))
                for engine in engine_rows:
                    part = os.path.join(tmp, f"{engine}-{i}.parquet")
                    s.start = dt.date.fromisoformat(r["start_date"])
                    if engine == "duckdb":
                        koku_duckdb.run(s, part, stored_nodes=engine_nodes[engine])
                    else:
                        koku_polars.PolarsSummary(s).run(part, stored_nodes=engine_nodes[engine])
                    engine_rows[engine] += load(part)
            expected = load(os.path.join(d, "expected_summary.csv"))
            ours = load(out)
            ok &= report(f"{name}: ocpagg = koku", compare(expected, ours, "koku", "ocpagg"), len(ours))
            for engine, rows in engine_rows.items():
                ok &= report(f"{name}: {engine} = koku", compare(expected, rows, "koku", engine),
                             len(rows))
                ok &= report(f"{name}: {engine} = ocpagg", compare(ours, rows, "ocpagg", engine),
                             len(rows))
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("golden")
    g.add_argument("--ocpagg", default=os.path.join(ROOT, "build", "bin", "ocpagg"))
    g.add_argument("--scenario", action="append")
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    c.add_argument("--ignore", default="", help="columns left out, comma-separated")
    a = ap.parse_args()
    if a.cmd == "golden":
        ok = golden(a.ocpagg, a.scenario)
    else:
        ra, rb = load(a.a), load(a.b)
        for col in filter(None, a.ignore.split(",")):
            for r in ra + rb:
                r.pop(col, None)
        ok = report(f"{a.a} = {a.b}", compare(ra, rb, "A", "B"), len(rb))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
