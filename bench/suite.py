#!/usr/bin/env python3
"""The benchmark suite: ocpagg against the tools one would use instead, on the same files, in the
same run, runs interleaved. Started by bench/run, which builds ocpagg and the venv first.

For every data set (scale) and round r = 1..N, every contender runs once, in a fixed order, under
/usr/bin/time -v, with the machine's CPU lock (/tmp/ocpagg-cpu.lock, flock) held for the round.
The report takes medians over the rounds. Data sets are made once and kept under the data
folder (default /tmp/ocpagg-bench/data), so a rerun after a change of ocpagg only times again.
"""
import argparse
import contextlib
import csv
import fcntl
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = sys.executable
LOCK = "/tmp/ocpagg-cpu.lock"
GEN_SOURCE = "00000000-0000-4000-8000-000000000001"
YEAR, MONTH = 2025, 11  # 30 days
# Keys enabled in koku's reporting_enabledtagkeys for the benchmark: what a user would pick.
ENABLED_KEYS = ["app", "tier", "team", "environment", "node_role_kubernetes_io",
                "topology_kubernetes_io_zone"]
CATEGORIES = [(1, "openshift-%"), (1, "kube-%"), (1, "Platform unallocated"), (1, "openshift")]
# The eight scales of the plan: pods / namespaces / nodes, a full month each.
SCALES = [(10, 2, 2), (100, 5, 5), (500, 10, 10), (1000, 10, 20), (2500, 20, 30),
          (5000, 25, 40), (10000, 30, 50), (20000, 40, 100)]
NISE_SCALES = SCALES[:3]
ROW_SCALES = [10_000_000]
LARGE_ROW_SCALES = [100_000_000]
SAME_SHAPE = "gen 10 M, 3 days of the 100 M cluster"
# in-memory reads everything first: tens of GB at 100 M rows.
IN_MEMORY_MAX_ROWS = 20_000_000


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


class CpuLock:
    """The machine's CPU lock (flock on /tmp/ocpagg-cpu.lock, as `flock -o` takes it), held over
    consecutive rounds of timed runs but given back between two rounds before it has been held
    for `budget` seconds, so that others' builds are not held up for long."""

    def __init__(self, budget=570):
        self.budget, self.file, self.since, self.last = budget, None, None, 0.0

    def acquire(self):
        if self.file:
            return
        self.file = open(LOCK, "a")
        t = time.time()
        fcntl.flock(self.file, fcntl.LOCK_EX)
        if time.time() - t > 1:
            log(f"waited {time.time() - t:.0f} s for the CPU lock")
        self.since = time.time()

    def release(self):
        if self.file:
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()
            self.file = None

    def checkpoint(self):
        """Between rounds: gives the lock back if another round as long as the last one would
        keep it beyond the budget."""
        if self.file and time.time() - self.since + self.last > self.budget:
            self.release()

    @contextlib.contextmanager
    def held(self):
        self.acquire()
        t = time.time()
        try:
            yield
        finally:
            self.last = time.time() - t
            self.checkpoint()


CPU = CpuLock()


def cpu_lock():
    return CPU.held()


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


# --- data sets -------------------------------------------------------------------------------

def dataset_info(path):
    with open(os.path.join(path, "dataset.json")) as f:
        return json.load(f)


def make_datasets(a):
    """(name, path, info) of every data set the run times, made when missing."""
    sets = []
    todo = []
    for pods, ns, nodes in SCALES:
        todo.append((f"gen {pods}/{ns}/{nodes}", f"gen-{pods}-{ns}-{nodes}",
                     [PY, os.path.join(HERE, "gen_koku.py"), "--pods", str(pods), "--namespaces",
                      str(ns), "--nodes", str(nodes)]))
    if not a.no_nise:
        for pods, ns, nodes in NISE_SCALES:
            todo.append((f"nise {pods}/{ns}/{nodes}", f"nise-{pods}-{ns}-{nodes}",
                         [PY, os.path.join(HERE, "nise_month.py"), "--pods", str(pods),
                          "--namespaces", str(ns), "--nodes", str(nodes), "--ocpagg", a.ocpagg]))
    for rows in ROW_SCALES + (LARGE_ROW_SCALES if a.large else []):
        todo.append((f"gen {rows // 1_000_000} M", f"gen-rows-{rows}",
                     [PY, os.path.join(HERE, "gen_koku.py"), "--rows", str(rows)]))
    if a.large:
        # 10 M rows of the 100 M month's cluster (138,889 pods a day): 3 days of it. The 10 M month
        # above has a tenth of the pods, so its daily files hold 8 % of the hourly rows where the
        # 100 M month's hold 71 % (a 200,000-row chunk covers 14 hours of it against 1.4): rows/s
        # compare at the same shape only between this data set and 100 M.
        rows = LARGE_ROW_SCALES[0] // 10
        todo.append((SAME_SHAPE, f"gen-rows-{rows}-days-3",
                     [PY, os.path.join(HERE, "gen_koku.py"), "--rows", str(rows), "--days", "3"]))
    for name, folder, cmd in todo:
        if a.only and not any(re.search(o, name) for o in a.only):
            continue
        path = os.path.join(a.data_dir, folder)
        if not os.path.isfile(os.path.join(path, "dataset.json")):
            log(f"making data set {name} in {path}")
            if "--rows" in cmd and int(cmd[cmd.index("--rows") + 1]) > 20_000_000:
                # Minutes of work: gen_koku takes the lock itself and lets others in now and then.
                CPU.release()
                subprocess.run(cmd[:2] + [path, "--cpu-lock", LOCK] + cmd[2:], check=True)
            else:
                with cpu_lock():
                    subprocess.run(cmd[:2] + [path] + cmd[2:], check=True)
        sets.append((name, path, dataset_info(path)))
    return sets


# --- contenders ------------------------------------------------------------------------------

class Contender:
    def __init__(self, name, kind, max_rows=None):
        self.name, self.kind, self.max_rows = name, kind, max_rows

    def applies(self, info):
        return self.max_rows is None or info["pod_hour_rows"] <= self.max_rows


def contenders(a):
    cs = [Contender(f"ocpagg {m}", "ocpagg", IN_MEMORY_MAX_ROWS if m == "in-memory" else None)
          for m in ("parallel", "serial", "auto", "in-memory")]
    cs += [Contender("duckdb (koku SQL)", "duckdb"), Contender("polars streaming (koku SQL)", "polars"),
           Contender("arrow read floor", "floor")]
    if a.postgres:
        cs.append(Contender("ocpagg parallel -> PostgreSQL", "ocpagg-pg"))
    if a.koku_repo:
        cs.append(Contender("koku SQL on PostgreSQL", "koku-pg", a.koku_max_rows))
    return cs


def schema_name(prefix, path):
    """A PostgreSQL schema per data set, named after its folder."""
    return prefix + re.sub(r"[^a-z0-9]", "_", os.path.basename(path).lower())


def common_args(info):
    return ["--source", info["source"], "--year", str(info["year"]), "--month",
            str(info["month"])]


def command(c, a, path, info, out, settings):
    """The command line of one timed run, and what to read afterwards."""
    if c.kind in ("ocpagg", "ocpagg-pg"):
        mode = "parallel" if c.kind == "ocpagg-pg" else c.name.split()[1]
        cmd = [a.ocpagg, "summarize", "--input", path] + common_args(info) + [
            "--cluster-id", "bench-cluster", "--mode", mode, "--tables", "daily", "--quiet", "--report",
            os.path.join(out, "report.json")]
        if c.kind == "ocpagg-pg":
            return cmd + ["--postgres", a.pg.url, "--schema", schema_name("org_", path)]
        return cmd + ["--output", os.path.join(out, "summary"), "--format", "parquet",
                      "--enabled-keys", settings["keys"], "--cost-categories",
                      settings["categories"]]
    if c.kind in ("duckdb", "polars"):
        return [PY, os.path.join(HERE, f"koku_{c.kind}.py"), path,
                os.path.join(out, "summary.parquet")] + common_args(info) + [
            "--enabled-keys", settings["keys"], "--cost-categories", settings["categories"],
            "--cluster-id", "bench-cluster", "--threads", str(a.threads)]
    if c.kind == "floor":
        return [PY, os.path.join(HERE, "arrow_floor.py"), path] + common_args(info) + [
            "--threads", str(a.threads)]
    if c.kind == "koku-pg":
        return [PY, os.path.join(HERE, "koku_postgres.py"), "run", path, "--url", a.pg.url,
                "--koku-repo", a.koku_repo, "--schema", schema_name("koku_", path)] + common_args(info)
    raise ValueError(c.kind)


def parse_time_v(path):
    t = open(path).read()
    num = lambda key: float(re.search(re.escape(key) + r":\s*([\d.]+)", t).group(1))
    return {"cpu": num("User time (seconds)") + num("System time (seconds)"),
            "rss_mb": num("Maximum resident set size (kbytes)") / 1024}


def timed_run(c, a, path, info, settings, keep=None):
    out = tempfile.mkdtemp(prefix="run-", dir=a.scratch)
    cmd = command(c, a, path, info, out, settings)
    tv = os.path.join(out, "time.txt")
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", "-o", tv] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    r = {"wall": wall, "ok": p.returncode == 0}
    if p.returncode != 0:
        r["error"] = f"exit {p.returncode}: " + p.stderr.strip().splitlines()[-1][:200] \
            if p.stderr.strip() else f"exit {p.returncode}"
        with contextlib.suppress(OSError, AttributeError):
            # time -v exits 128 + N when the command was killed by signal N (9: SIGKILL, which the
            # kernel's out-of-memory killer sends); it still reports the peak RSS.
            r["error"] += f" after {wall:.0f} s at {parse_time_v(tv)['rss_mb'] / 1024:.1f} GB peak RSS"
    else:
        r.update(parse_time_v(tv))
        rep = os.path.join(out, "report.json")
        if os.path.exists(rep):
            j = json.load(open(rep))
            r["copy"] = j["seconds"]["write"]
            r["output_rows"] = sum(j["rows_written"].values())
        if keep:
            src = os.path.join(out, "summary.parquet")
            if not os.path.exists(src):
                src = os.path.join(out, "summary")
            shutil.move(src, keep)
    shutil.rmtree(out, ignore_errors=True)
    return r


# --- PostgreSQL ------------------------------------------------------------------------------

class Postgres:
    """A throwaway PostgreSQL server (as tests/support/pg_server.cc starts one)."""

    def __init__(self, scratch):
        vers = sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: int(v))
        self.bin = f"/usr/lib/postgresql/{vers[-1]}/bin"
        self.version = vers[-1]
        # Its own folder under /tmp: the server runs as the postgres user when we are root.
        self.dir = tempfile.mkdtemp(prefix="ocpagg-bench-pg-")
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.port = 20000 + os.getpid() % 30000
        self.as_user = ["/usr/sbin/runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(self.as_user + [f"{self.bin}/initdb", "-D", f"{self.dir}/data", "-U",
                                       "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(self.as_user + [
            f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-w", "-l", f"{self.dir}/server.log",
            "-o", f"-k {self.dir} -c listen_addresses='' -p {self.port} "
                  "-c shared_buffers=256MB -c max_wal_size=4GB", "start"],
            check=True, stdout=subprocess.DEVNULL)
        self.url = f"postgresql:///postgres?host={self.dir}&port={self.port}&user=postgres"


    def psql(self, sql):
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url, "-c", sql],
                       check=True, stdout=subprocess.DEVNULL)

    def prepare(self, a, path, info):
        """Creates the schema with an untimed run over the first day (--create-schema), then
        enables the benchmark's keys; the timed runs replace that day's rows."""
        schema = schema_name("org_", path)
        first = f"{info['year']:04d}-{info['month']:02d}-01"
        subprocess.run([a.ocpagg, "summarize", "--input", path] + common_args(info) + [
            "--start-date", first, "--end-date", first, "--cluster-id", "bench-cluster",
            "--tables", "daily",
            "--postgres", self.url, "--schema", schema, "--create-schema", "--quiet"], check=True)
        keys = ", ".join(f"('{k}', true, 'OCP')" for k in ENABLED_KEYS)
        self.psql(f"DELETE FROM {schema}.reporting_enabledtagkeys; "
                  f"INSERT INTO {schema}.reporting_enabledtagkeys (key, enabled, provider_type) "
                  f"VALUES {keys}")

    def stop(self):
        subprocess.run(self.as_user + [f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-m",
                                       "fast", "stop"], stdout=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


# --- the run ---------------------------------------------------------------------------------

def check_outputs(a, name, info, outputs):
    """The peers must give ocpagg parallel's rows (bench/check_rows.py)."""
    if "ocpagg parallel" not in outputs or len(outputs) < 2:
        return None
    if info["pod_hour_rows"] > a.check_max_rows:
        return "not checked (above --check-max-rows)"
    verdicts = []
    for peer, out in outputs.items():
        if peer == "ocpagg parallel":
            continue
        with cpu_lock():
            # koku's tables hold the report period and alias the suite gave koku's SQL.
            ignore = ["--ignore", "report_period_id,cluster_alias"] if "PostgreSQL" in peer else []
            p = subprocess.run([PY, os.path.join(HERE, "check_rows.py"), "compare",
                                outputs["ocpagg parallel"], out] + ignore, capture_output=True,
                               text=True)
        log(p.stdout.strip())
        first = p.stdout.strip().splitlines()[0] if p.stdout.strip() else p.stderr.strip()[-200:]
        verdicts.append(f"{peer}: " + ("identical rows" if p.returncode == 0
                                       else "DIFFERENT (" + first + ")"))
    return "; ".join(verdicts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ocpagg", default=os.path.join(ROOT, "build", "bin", "ocpagg"))
    ap.add_argument("--data-dir", default=os.environ.get("OCPAGG_BENCH_DATA",
                                                         "/tmp/ocpagg-bench/data"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--large-runs", type=int, default=3, help="rounds at 100 M rows")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--large", action="store_true", help="also 100 M rows")
    ap.add_argument("--no-nise", action="store_true")
    ap.add_argument("--no-postgres", dest="postgres", action="store_false")
    ap.add_argument("--koku-repo", default=os.environ.get("KOKU_REPO"))
    ap.add_argument("--koku-max-rows", type=int, default=2_000_000,
                    help="koku's SQL on PostgreSQL only up to this many rows (it is slow)")
    ap.add_argument("--check-max-rows", type=int, default=20_000_000)
    ap.add_argument("--only", action="append", help="regex on data set names")
    ap.add_argument("--results", default=os.path.join(HERE, "results", "suite.json"))
    ap.add_argument("--merge", action="store_true",
                    help="keep the data sets of an earlier --results file that this run does not time")
    a = ap.parse_args()
    os.makedirs(a.data_dir, exist_ok=True)
    a.earlier = json.load(open(a.results)) if a.merge and os.path.exists(a.results) else None
    a.scratch = tempfile.mkdtemp(prefix="ocpagg-bench-")
    settings = {"keys": os.path.join(a.scratch, "keys.txt"),
                "categories": os.path.join(a.scratch, "categories.txt")}
    with open(settings["keys"], "w") as f:
        f.writelines(k + "\n" for k in ENABLED_KEYS)
    with open(settings["categories"], "w") as f:
        f.writelines(f"{i},{p}\n" for i, p in CATEGORIES)
    a.pg = None
    sets = make_datasets(a)
    cs = contenders(a)
    results = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                           "cpu_model": cpu_model(), "mem_gb": mem_gb()},
               "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
               "ocpagg_commit": git_head(), "runs": a.runs, "threads": a.threads,
               "enabled_keys": ENABLED_KEYS, "datasets": []}
    try:
        if a.postgres or a.koku_repo:
            a.pg = Postgres(a.scratch)
            results["postgres"] = a.pg.version
        for name, path, info in sets:
            applicable = [c for c in cs if c.applies(info)]
            if a.pg and a.postgres:
                with cpu_lock():
                    a.pg.prepare(a, path, info)
            if a.koku_repo and any(c.kind == "koku-pg" for c in applicable):
                log(f"loading {name} into koku's tables (not timed)")
                with cpu_lock():
                    subprocess.run([PY, os.path.join(HERE, "koku_postgres.py"), "load", path,
                                    "--url", a.pg.url, "--koku-repo", a.koku_repo, "--schema",
                                    schema_name("koku_", path), "--enabled-keys", settings["keys"]]
                                   + common_args(info), check=True)
            entry = {"name": name, "info": info, "runs": {c.name: [] for c in applicable},
                     "load": [], "run_started": results["started"],
                     "ocpagg_commit": results["ocpagg_commit"]}
            outputs = {}
            runs = a.large_runs if info["pod_hour_rows"] >= 50_000_000 else a.runs
            for r in range(runs):
                with cpu_lock():
                    entry["load"].append(loadavg())
                    for c in applicable:
                        if any(not x["ok"] for x in entry["runs"][c.name]):
                            continue  # failed once (Polars killed for memory at 100 M): not again
                        keep = None
                        if r == 0 and c.kind in ("ocpagg", "duckdb", "polars") and \
                                c.name in ("ocpagg parallel", "duckdb (koku SQL)",
                                           "polars streaming (koku SQL)"):
                            keep = os.path.join(a.scratch, f"out-{len(outputs)}")
                            outputs[c.name] = keep
                        res = timed_run(c, a, path, info, settings, keep)
                        entry["runs"][c.name].append(res)
                        if keep and not res["ok"]:
                            del outputs[c.name]  # nothing to compare: the run failed
                        log(f"{name} round {r + 1}: {c.name}: "
                            + (f"{res['wall']:.2f} s, {res['rss_mb']:.0f} MB" if res["ok"]
                               else res["error"]))
            if any(c.kind == "koku-pg" for c in applicable):
                keep = os.path.join(a.scratch, "out-koku.csv")
                subprocess.run([PY, os.path.join(HERE, "koku_postgres.py"), "export", path, "--url",
                                a.pg.url, "--koku-repo", a.koku_repo, "--schema",
                                schema_name("koku_", path), "--output", keep] + common_args(info),
                               check=True)
                outputs["koku SQL on PostgreSQL"] = keep
            entry["check"] = check_outputs(a, name, info, outputs)
            for o in outputs.values():
                if os.path.isdir(o):
                    shutil.rmtree(o, ignore_errors=True)
                elif os.path.exists(o):
                    os.remove(o)
            results["datasets"].append(entry)
            save(a, results)
    finally:
        CPU.release()
        if a.pg:
            a.pg.stop()
        shutil.rmtree(a.scratch, ignore_errors=True)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    save(a, results)
    subprocess.run([PY, os.path.join(HERE, "report.py"), a.results], check=True)


def save(a, results):
    out = dict(results)
    earlier = a.earlier
    if earlier:
        timed = {e["name"] for e in results["datasets"]}
        kept = [e for e in earlier.get("datasets", []) if e["name"] not in timed]
        out["datasets"] = kept + results["datasets"]
        out["merged_from"] = earlier.get("merged_from", []) + [earlier.get("started")]
    out["datasets"] = sorted(out["datasets"], key=lambda e: (not e["name"].startswith("gen"),
                                                             e["info"]["pod_hour_rows"]))
    with open(a.results, "w") as f:
        json.dump(out, f, indent=1)


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def mem_gb():
    with open("/proc/meminfo") as f:
        return round(int(f.readline().split()[1]) / 2**20)


def git_head():
    p = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                       text=True)
    return p.stdout.strip() or "unknown"


if __name__ == "__main__":
    main()
