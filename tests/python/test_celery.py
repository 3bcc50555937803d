"""ocpagg.celery on a real Redis broker (redis-server) with real `celery worker` processes
(concurrency 2) and a real PostgreSQL: jobs of many sources and months land in one database, each
month equal to a single command run; a failure of the database is retried and bad input is not;
a worker killed in the middle of a job leaves exactly one copy of that month once another worker
has run the job again."""

from __future__ import annotations

import gc
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import celery
import pytest
import redis

import ocpagg
import ocpagg.celery
from conftest import GENERATED_SOURCE, ROOT, load_golden, run_cli

SCHEMA = "org1234567"
JOB_SECONDS = 120  # the longest a job may take here before the test fails


def wait_until(condition: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """Debian's redis-server on a loopback port, keeping nothing on disk."""

    def __init__(self, directory: Path) -> None:
        binary = "/usr/bin/redis-server"
        if not os.access(binary, os.X_OK):
            pytest.fail(f"no {binary}: run scripts/setup --dev")
        self.port = free_port()
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(directory),
             "--save", "", "--appendonly", "no", "--logfile", str(directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(host="127.0.0.1", port=self.port)

        def ping() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"redis-server exited: {(directory / 'redis.log').read_text()}")
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        wait_until(ping, 20, "redis-server to answer")

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Worker:
    """`celery -A ocpagg.celery worker` (the module's default app, configured from the
    environment), prefork with two processes, in a process group of its own."""

    def __init__(self, name: str, directory: Path, env: dict[str, str]) -> None:
        self.name = name
        self.log_path = directory / f"worker-{name}.log"
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "ocpagg.celery", "worker",
                 "--hostname", f"{name}@%h", "--concurrency", "2", "--pool", "prefork",
                 "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "--loglevel", "INFO"],
                env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=directory)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"worker {self.name} exited:\n{self.log()}")
            return " ready." in self.log()

        wait_until(ready, 60, f"worker {self.name} to be ready")

    def kill(self) -> None:
        """SIGKILL to the worker and its pool processes at once, as when a machine is lost."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # warm shutdown
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def collect_results(broker: RedisServer) -> Iterator[None]:
    """A result left for the garbage collector unsubscribes from the broker when collected:
    collect such results after each test, while the broker still runs."""
    yield
    gc.collect()


@pytest.fixture
def start_worker(broker: RedisServer, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Starts workers on `queue`, whose jobs go to the database `postgres` unless they name
    one; stops them all at the end of the test."""
    workers: list[Worker] = []

    def start(name: str, queue: str, postgres: str, visibility_timeout: int = 3600) -> Worker:
        worker = Worker(name, tmp_path, {
            "OCPAGG_CELERY_BROKER_URL": broker.url(0),
            "OCPAGG_CELERY_RESULT_BACKEND": broker.url(1),
            "OCPAGG_CELERY_QUEUE": queue,
            "OCPAGG_CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "OCPAGG_CELERY_POSTGRES": postgres,
            "OCPAGG_MEMORY_LIMIT": "256MB",
        })
        workers.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()


def client_task(broker: RedisServer, queue: str) -> celery.Task:
    """The task as a caller with its own app (koku) has it: registered there by name."""
    app = celery.Celery("caller", broker=broker.url(0), backend=broker.url(1),
                        set_as_current=False)
    app.conf.broker_connection_retry_on_startup = True
    return ocpagg.celery.register(app, queue=queue)


@dataclass
class Job:
    source: str
    year: int
    month: int
    options: dict[str, Any]

    def cli_args(self) -> list[object]:
        args: list[object] = ["--source", self.source, "--year", self.year, "--month", self.month]
        for key, value in self.options.items():
            args += [f"--{key.replace('_', '-')}", value]
        return args


def golden_jobs(golden_data: dict[str, Path], names: list[str]) -> list[Job]:
    jobs = []
    for name in names:
        g = load_golden(name)
        for run in g.runs:
            options: dict[str, Any] = dict(input=str(golden_data[name]), cluster_id=g.cluster_id,
                                           schema=SCHEMA, start_date=run.start_date,
                                           end_date=run.end_date)
            if g.cluster_alias:
                options["cluster_alias"] = g.cluster_alias
            jobs.append(Job(g.source, run.year, run.month, options))
    return jobs


def generated_job(generated: Path) -> Job:
    return Job(GENERATED_SOURCE, 2025, 10,
               dict(input=str(generated), cluster_id="generated-cluster", schema=SCHEMA))


def koku_database(postgres, enabled_keys: set[str]) -> str:
    """A database with a koku tenant schema (koku's own tables, as its migrations make them)
    and the tag keys enabled."""
    url = postgres.create_database()
    ddl = (ROOT / "tests" / "sql" / "koku-schema.sql").read_text().replace("{schema}", SCHEMA)
    keys = "".join(f"INSERT INTO {SCHEMA}.reporting_enabledtagkeys (key, enabled, provider_type) "
                   f"VALUES ('{key}', true, 'OCP');" for key in sorted(enabled_keys))
    postgres.psql(url, ddl + keys)
    return url


def enabled_keys(names: list[str]) -> set[str]:
    return {key for name in names for key in load_golden(name).enabled_keys}


def month_rows(postgres, url: str, job: Job) -> list[str]:
    """The summary rows of a job's source and month, without what differs between two databases
    (uuid; the report period's id, given as its cluster and start), sorted."""
    first = f"{job.year:04d}-{job.month:02d}-01"
    return sorted(postgres.psql(url, f"""
        SELECT (to_jsonb(t) - 'uuid' - 'report_period_id'
                || jsonb_build_object('period', p.cluster_id || ' ' || p.report_period_start))::text
        FROM {SCHEMA}.reporting_ocpusagelineitem_daily_summary t
        LEFT JOIN {SCHEMA}.reporting_ocpusagereportperiod p ON p.id = t.report_period_id
        WHERE t.source_uuid = '{job.source}' AND t.usage_start >= DATE '{first}'
          AND t.usage_start < DATE '{first}' + INTERVAL '1 month'""").splitlines())


def report_periods(postgres, url: str, job: Job) -> int:
    return int(postgres.psql(url, f"""
        SELECT count(*) FROM {SCHEMA}.reporting_ocpusagereportperiod
        WHERE provider_id = '{job.source}'
          AND report_period_start = DATE '{job.year:04d}-{job.month:02d}-01'"""))


def run_cli_into(url: str, job: Job) -> None:
    run_cli("summarize", *job.cli_args(), "--postgres", url, "--quiet")


JOBS_GOLDEN = ["01_basic_labels", "02_enabled_keys", "03_storage", "05_cost_categories",
               "06_month_boundary", "12_split_daily_files"]


def test_jobs_of_many_sources_and_months_each_equal_one_command_run(
        postgres, golden_data, generated, broker, start_worker):
    jobs = golden_jobs(golden_data, JOBS_GOLDEN) + [generated_job(generated)]
    assert len(jobs) == 8
    keys = enabled_keys(JOBS_GOLDEN)
    database, reference = koku_database(postgres, keys), koku_database(postgres, keys)
    start_worker("many", "many", database)
    task = client_task(broker, "many")

    # The months of one source are sent one after the other, in the order the reference runs
    # them, and different sources at once. A source's months depend on each other through
    # reporting_ocp_nodes, as in koku: a node's role is kept from the first run that stores it,
    # and names the unallocated rows of every later month (06_month_boundary's nodes change role
    # between its two months).
    started = time.monotonic()
    reports: list[dict[str, Any] | None] = [None] * len(jobs)
    running: dict[str, tuple[int, Any]] = {}
    waiting = list(enumerate(jobs))
    while waiting or running:
        for i, job in list(waiting):
            if job.source not in running:
                waiting.remove((i, job))
                running[job.source] = (i, task.apply_async((job.source, job.year, job.month),
                                                           job.options))
        source = next(iter(running))
        i, result = running.pop(source)
        reports[i] = result.get(timeout=JOB_SECONDS)
    print(f"\n{len(jobs)} jobs on one worker of 2 processes: {time.monotonic() - started:.2f} s")

    for job in jobs:
        run_cli_into(reference, job)
    for job, report in zip(jobs, reports):
        assert report is not None
        assert report["job"]["source"] == job.source
        assert (report["job"]["year"], report["job"]["month"]) == (job.year, job.month)
        rows = month_rows(postgres, database, job)
        assert rows, f"no rows for {job.source} {job.year}-{job.month}"
        assert rows == month_rows(postgres, reference, job)
        assert len(rows) == sum(report["rows_written"].values())
        assert report_periods(postgres, database, job) == 1


def test_a_database_failure_is_retried_until_it_passes(
        postgres, golden_data, broker, start_worker):
    name = "08_effective_usage"
    job = golden_jobs(golden_data, [name])[0]
    job.options["lock_timeout"] = 1
    database = koku_database(postgres, enabled_keys([name]))
    worker = start_worker("retry", "retry", database)
    task = client_task(broker, "retry")

    # Another run of the source holds its lock: each attempt fails after lock_timeout.
    holder = subprocess.Popen(["/usr/bin/psql", "-X", "-q", "-d", database],
                              stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        assert holder.stdin is not None
        holder.stdin.write(f"SELECT pg_advisory_lock(hashtextextended("
                           f"'ocpagg summarize {SCHEMA} {job.source}', 0));\n")
        holder.stdin.flush()
        wait_until(lambda: postgres.psql(database, "SELECT count(*) FROM pg_locks WHERE "
                                         "locktype = 'advisory' AND granted").strip() == "1",
                   20, "the test's session to hold the source's lock")
        result = task.apply_async((job.source, job.year, job.month), job.options)
        wait_until(lambda: f"[{result.id}] retry:" in worker.log(), JOB_SECONDS,
                   "the job to fail on the lock and be retried")
    finally:
        holder.communicate("\\q\n", timeout=20)

    report = result.get(timeout=JOB_SECONDS)
    assert report["job"]["retries"] >= 1
    assert "SinkError" in worker.log()
    reference = koku_database(postgres, enabled_keys([name]))
    run_cli_into(reference, job)
    assert month_rows(postgres, database, job) == month_rows(postgres, reference, job)


def test_bad_input_fails_at_once_without_retry(
        postgres, golden_data, broker, start_worker, tmp_path):
    name = "01_basic_labels"
    job = golden_jobs(golden_data, [name])[0]
    bad = tmp_path / "bad-input"
    subprocess.run(["cp", "-a", job.options["input"], bad], check=True)
    victim = sorted(bad.rglob("*.parquet"))[0]
    victim.write_bytes(b"PAR1" + b"\0" * 64 + b"PAR1")
    job.options["input"] = str(bad)
    database = koku_database(postgres, set())
    worker = start_worker("bad", "bad", database)
    task = client_task(broker, "bad")

    result = task.apply_async((job.source, job.year, job.month), job.options)
    with pytest.raises(Exception) as failure:
        result.get(timeout=JOB_SECONDS)
    assert type(failure.value).__name__ == "BadInputError"
    assert victim.name in str(failure.value)
    assert f"[{result.id}] retry:" not in worker.log()
    assert month_rows(postgres, database, job) == []


def test_a_worker_killed_mid_job_leaves_one_copy_once_another_worker_reran_it(
        postgres, generated, broker, start_worker):
    job = generated_job(generated)
    job.options["mode"] = "serial"  # one thread: the job runs long enough to be caught
    database, reference = koku_database(postgres, set()), koku_database(postgres, set())
    visibility_timeout = 4  # seconds before Redis gives an unacknowledged job to another worker
    first = start_worker("first", "kill", database, visibility_timeout)
    task = client_task(broker, "kill")

    result = task.apply_async((job.source, job.year, job.month), job.options)
    copying = ("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
               "AND query LIKE 'COPY %.reporting_ocpusagelineitem_daily_summary (%'")
    wait_until(lambda: postgres.psql(database, copying).strip() == "1", JOB_SECONDS,
               "the job to be writing its rows")
    killed_at = time.monotonic()
    first.kill()
    # The killed run's transaction ends with its connection: nothing of it is left.
    wait_until(lambda: postgres.psql(database, copying).strip() == "0", 30,
               "the killed run's COPY to end")
    assert month_rows(postgres, database, job) == []
    assert report_periods(postgres, database, job) == 0

    # A new worker restores jobs left unacknowledged longer than the visibility timeout.
    time.sleep(max(0.0, killed_at + visibility_timeout + 0.5 - time.monotonic()))
    start_worker("second", "kill", database, visibility_timeout)
    report = result.get(timeout=JOB_SECONDS)
    print(f"\nkilled job redone by another worker: {time.monotonic() - killed_at:.2f} s after "
          f"the kill (the job itself: {report['seconds']['wall']:.2f} s)")
    assert report["job"]["hostname"].startswith("second@")
    assert report["job"]["redelivered"]

    run_cli_into(reference, job)
    rows = month_rows(postgres, database, job)
    assert len(rows) == sum(report["rows_written"].values())
    assert rows == month_rows(postgres, reference, job)
    assert report_periods(postgres, database, job) == 1


def test_register_gives_each_caller_app_its_own_task_and_importing_makes_no_app():
    before = celery.current_app
    tasks = {}
    for queue in ("summary", "summary_xl"):
        app = celery.Celery("koku", set_as_current=False)
        ocpagg.celery.register(app, queue=queue, defaults={"schema": SCHEMA})
        tasks[queue] = app.tasks[ocpagg.celery.TASK_NAME]
    for queue, task in tasks.items():
        assert (task.acks_late, task.reject_on_worker_lost, task.queue) == (True, True, queue)
        assert task.autoretry_for == (ocpagg.SinkError,)
    assert celery.current_app is before
