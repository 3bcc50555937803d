"""Fixtures of the Python package's tests: the command to compare with (OCPAGG_BINARY, set by
scripts/test-python), the golden scenarios (tests/golden) and a generated data set."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
GENERATED_SOURCE = "00000000-0000-0000-0000-000000000001"


@dataclass
class GoldenRun:
    payload: Path
    year: int
    month: int
    start_date: str
    end_date: str
    report_period_id: int


@dataclass
class Golden:
    name: str
    source: str
    cluster_id: str
    cluster_alias: str | None
    enabled_keys: list[str]
    cost_categories: list[tuple[int, str]]
    runs: list[GoldenRun] = field(default_factory=list)


def load_golden(name: str) -> Golden:
    params = json.loads((GOLDEN / name / "params.json").read_text())
    g = Golden(name, params["source_uuid"], params["cluster_id"], params.get("cluster_alias"),
               list(params["enabled_keys"]),
               [(c["cost_category_id"], c["namespace_pattern"])
                for c in params["cost_category_namespaces"]])
    for period in params["report_periods"]:
        for s in period["summary"]:
            g.runs.append(GoldenRun(GOLDEN / name / "payload" / g.cluster_id / s["payload_dir"],
                                    int(s["year"]), int(s["month"]), s["start_date"],
                                    s["end_date"], s["report_period_id"]))
    return g


GOLDEN_NAMES = sorted(p.name for p in GOLDEN.iterdir() if (p / "params.json").exists())


def ocpagg_binary() -> str:
    binary = os.environ.get("OCPAGG_BINARY", str(ROOT / "build" / "bin" / "ocpagg"))
    if not os.access(binary, os.X_OK):
        pytest.fail(f"no ocpagg command at {binary}: build it (scripts/build) or set OCPAGG_BINARY")
    return binary


def run_cli(*args: object, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([ocpagg_binary(), *map(str, args)], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"ocpagg {' '.join(map(str, args))}: exit {result.returncode}\n"
                             f"{result.stderr}")
    return result


def table_csv_rows(output: Path, table: str) -> list[list[str]]:
    """Every row of one table's CSV files under a summarize output, its first column (the
    row's random key, `uuid` or `id`) left out, sorted."""
    rows = []
    for path in sorted((output / table).rglob("*.csv")):
        with open(path, newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            assert header[0] in ("uuid", "id"), path
            rows.extend(row[1:] for row in reader)
    return sorted(rows)


def summary_csv_rows(output: Path) -> list[list[str]]:
    """The daily summary's rows under a summarize output (table_csv_rows)."""
    return table_csv_rows(output, "reporting_ocpusagelineitem_daily_summary")


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 M pod-hour rows over October 2025 (ocpagg generate --seed 42)."""
    data = tmp_path_factory.mktemp("generated")
    run_cli("generate", "--output", data, "--pod-hour-rows", 2_000_000, "--days", 31,
            "--seed", 42, "--quiet")
    return data


@pytest.fixture(scope="session")
def golden_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each golden scenario's payloads ingested by the command."""
    out = {}
    for name in GOLDEN_NAMES:
        g = load_golden(name)
        data = tmp_path_factory.mktemp(f"golden-{name}")
        for run in g.runs:
            run_cli("ingest", run.payload, "--output", data, "--source", g.source, "--quiet")
        out[name] = data
    return out


class Postgres:
    """A throwaway PostgreSQL server (Debian's initdb and pg_ctl; unix socket in a temporary
    directory; as the postgres user when run as root), as tests/support/pg_server.cc starts."""

    def __init__(self, directory: Path) -> None:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not versions:
            pytest.fail("no PostgreSQL server under /usr/lib/postgresql: run scripts/setup --dev")
        self.bin = versions[-1].parent
        self.dir = directory
        self.port = 20000 + int.from_bytes(os.urandom(2), "big") % 30000
        self.databases = 0
        if os.geteuid() == 0:
            subprocess.run(["/bin/chown", "postgres", directory], check=True)
        self._server("initdb", "-D", directory / "data", "-U", "postgres", "--auth=trust",
                     "--no-sync", "-E", "UTF8", "--locale=C")
        self._server("pg_ctl", "-D", directory / "data", "-w", "-l", directory / "server.log",
                     "-o", f"-k {directory} -c listen_addresses='' -c fsync=off -p {self.port}",
                     "start")

    def _server(self, program: str, *args: object) -> None:
        argv = [str(self.bin / program), *map(str, args)]
        if os.geteuid() == 0:
            argv = ["/usr/sbin/runuser", "-u", "postgres", "--", *argv]
        subprocess.run(argv, check=True, capture_output=True)

    def url(self, database: str) -> str:
        return f"postgresql:///{database}?host={self.dir}&port={self.port}&user=postgres"

    def create_database(self) -> str:
        self.databases += 1
        name = f"t{os.getpid()}_{self.databases}"
        self.psql(self.url("postgres"), f"CREATE DATABASE {name}")
        return self.url(name)

    def psql(self, url: str, sql: str) -> str:
        return subprocess.run(["/usr/bin/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-A", "-t",
                               "-d", url, "-c", sql], check=True, capture_output=True,
                              text=True).stdout

    def stop(self) -> None:
        self._server("pg_ctl", "-D", self.dir / "data", "-m", "immediate", "stop")


@pytest.fixture(scope="session")
def postgres():
    # Not under pytest's temporary directory, which only its owner may enter.
    directory = Path(tempfile.mkdtemp(prefix="ocpagg-pg-"))
    try:
        server = Postgres(directory)
        yield server
        server.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
