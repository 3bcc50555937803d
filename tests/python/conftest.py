"""Fixtures of the Python package's tests: the command to compare with (OCPAGG_BINARY, set by
scripts/test-python), the golden scenarios (tests/golden) and a generated data set."""

from __future__ import annotations

import csv
import json
import os
import subprocess
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


def summary_csv_rows(output: Path) -> list[list[str]]:
    """Every row of the CSV files under a summarize output, uuid left out, sorted."""
    rows = []
    for path in sorted(output.rglob("*.csv")):
        with open(path, newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            assert header[0] == "uuid"
            rows.extend(row[1:] for row in reader)
    return sorted(rows)


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
