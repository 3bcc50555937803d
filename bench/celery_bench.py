"""Many summary jobs on Celery: wall time of a batch of (source, month) jobs on one worker, and
the memory of its processes.

    build-python/venv/bin/python bench/celery_bench.py [--rows N] [--jobs N] [--threads N]
        [--memory-limit SIZE] [--runs N]

Starts a throwaway PostgreSQL, redis-server and one `celery -A ocpagg.celery worker` (prefork,
2 processes), as tests/python/test_celery.py does, then sends --jobs jobs of one
generated month of --rows pod-hour rows (`ocpagg generate --seed 42`, cached under
${OCPAGG_BENCH_DATA:-/tmp/ocpagg-bench} as bench/summarize_bench.sh caches it), each into a
tenant schema of its own, so that no two wait for the same source's lock. Each batch is run
--runs times (a rerun replaces the rows, as in koku); the median is reported. For comparison, one
`ocpagg summarize` of the same month into PostgreSQL with the same threads and memory limit.
Peak RSS of a job is the pool process's, as its run report gives it (`peak_rss_bytes`: the
interpreter, Celery, pyarrow and the run); the worker's main process and the pool processes are
read from /proc (VmHWM) before the worker stops. Writes bench/results/celery.md. Needs
`scripts/test-python` to have built build-python/venv.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

import celery  # noqa: E402
from conftest import GENERATED_SOURCE, Postgres  # noqa: E402
from test_celery import RedisServer, Worker  # noqa: E402

import ocpagg.celery  # noqa: E402

MIB = 1024 * 1024


def dataset(binary: str, rows: int) -> Path:
    data = Path(os.environ.get("OCPAGG_BENCH_DATA", "/tmp/ocpagg-bench")) / f"rows-{rows}-days-31"
    if not (data / ".complete").exists():
        shutil.rmtree(data, ignore_errors=True)
        print(f"generating {rows} pod-hour rows", file=sys.stderr)
        subprocess.run([binary, "generate", "--output", data, "--pod-hour-rows", str(rows),
                        "--days", "31", "--seed", "42", "--quiet"], check=True)
        (data / ".complete").touch()
    return data


def vm_hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--memory-limit", default="256MB")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    binary = str(ROOT / "build" / "bin" / "ocpagg")
    data = dataset(binary, args.rows)
    schemas = [f"org_bench{i}" for i in range(args.jobs)]
    job_options = dict(input=str(data), cluster_id="bench-cluster", account="org1234567",
                       mode="parallel")

    scratch = Path(tempfile.mkdtemp(prefix="ocpagg-celery-bench-"))
    pg_dir = Path(tempfile.mkdtemp(prefix="ocpagg-celery-bench-pg-"))  # the postgres user's
    postgres = redis_server = worker = None
    try:
        postgres = Postgres(pg_dir)
        database = postgres.create_database()
        ddl = (ROOT / "tests" / "sql" / "koku-schema.sql").read_text()
        postgres.psql(database, "".join(ddl.replace("{schema}", s) for s in schemas))
        redis_server = RedisServer(scratch)

        # One command run into PostgreSQL, for comparison.
        cli_time = scratch / "time.txt"
        started = time.monotonic()
        subprocess.run(["/usr/bin/time", "-v", "-o", cli_time, binary, "summarize",
                        "--input", data, "--source", GENERATED_SOURCE, "--year", "2025",
                        "--month", "10", "--cluster-id", "bench-cluster", "--postgres", database,
                        "--schema", schemas[0], "--mode", "parallel", "--threads",
                        str(args.threads), "--memory-limit", args.memory_limit, "--quiet"],
                       check=True)
        cli_seconds = time.monotonic() - started
        cli_rss = next(int(line.split(":")[1]) / 1024 for line in cli_time.read_text().splitlines()
                       if "Maximum resident set size" in line)

        worker = Worker("bench", scratch, {
            "OCPAGG_CELERY_BROKER_URL": redis_server.url(0),
            "OCPAGG_CELERY_RESULT_BACKEND": redis_server.url(1),
            "OCPAGG_CELERY_QUEUE": "bench",
            "OCPAGG_CELERY_POSTGRES": database,
            "OCPAGG_MEMORY_LIMIT": args.memory_limit,
            "OCPAGG_THREADS": str(args.threads),
        })
        worker.wait_ready()
        app = celery.Celery("bench", broker=redis_server.url(0), backend=redis_server.url(1),
                            set_as_current=False)
        task = ocpagg.celery.register(app, queue="bench")

        batch_seconds, job_seconds, job_rss, rows_written = [], [], [], 0
        for _ in range(args.runs):
            started = time.monotonic()
            results = [task.apply_async((GENERATED_SOURCE, 2025, 10),
                                        {**job_options, "schema": s}) for s in schemas]
            reports = [r.get(timeout=3600) for r in results]
            del results  # their cleanup talks to Redis, which must still be there
            batch_seconds.append(time.monotonic() - started)
            job_seconds += [r["seconds"]["wall"] for r in reports]
            job_rss += [r["peak_rss_bytes"] / MIB for r in reports]
            rows_written = sum(reports[0]["rows_written"].values())
        parent_rss = vm_hwm_mib(worker.process.pid)
        pool_rss = [vm_hwm_mib(pid) for pid in children(worker.process.pid)]
    finally:
        if worker:
            worker.stop()
        if redis_server:
            redis_server.stop()
        if postgres:
            postgres.stop()
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(pg_dir, ignore_errors=True)

    load = os.getloadavg()
    text = f"""# Many summary jobs on Celery

Machine: {os.cpu_count()} cores, {platform.platform()}; load average before the last run
{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}. `build-python/venv/bin/python bench/celery_bench.py
--rows {args.rows} --jobs {args.jobs} --threads {args.threads} --memory-limit {args.memory_limit}
--runs {args.runs}`: one `celery -A ocpagg.celery worker --concurrency 2` (Redis
broker, PostgreSQL with fsync off, all on this machine), {args.jobs} jobs of one generated month of
{args.rows:,} pod-hour rows ({rows_written:,} summary rows each), each into a tenant schema of its
own; `OCPAGG_THREADS={args.threads}`, `OCPAGG_MEMORY_LIMIT={args.memory_limit}`. Medians of
{args.runs} batches; MB are MiB.

| what | value |
|---|---:|
| {args.jobs} jobs, send to last result (s) | {statistics.median(batch_seconds):.2f} |
| one job in the worker (s, median of {len(job_seconds)}) | {statistics.median(job_seconds):.2f} |
| one `ocpagg summarize` into PostgreSQL, same settings (s) | {cli_seconds:.2f} |
| pool process peak RSS during a job (MB, median / max) | {statistics.median(job_rss):.1f} / {max(job_rss):.1f} |
| pool processes VmHWM at the end (MB) | {' / '.join(f'{r:.1f}' for r in pool_rss)} |
| worker main process VmHWM (MB) | {parent_rss:.1f} |
| `ocpagg summarize` peak RSS, same month (MB) | {cli_rss:.1f} |
"""
    (ROOT / "bench" / "results" / "celery.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
