"""S3 from Python: the s3_* keyword arguments configure s3:// input and output as the --s3-*
flags do, and S3's failures are SinkError, as exit code 4 is for the command."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

import ocpagg
from conftest import load_golden, run_cli, summary_csv_rows

SCENARIO = "01_basic_labels"
KEY, SECRET = "ocpaggpy", "ocpaggpysecret"


@pytest.fixture
def s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A versitygw server on a loopback port over tmp_path/s3, with a bucket "koku"; yields its
    endpoint URL. No AWS variables reach the runs."""
    versitygw = shutil.which("versitygw") or str(Path.home() / "go" / "bin" / "versitygw")
    if not os.access(versitygw, os.X_OK):
        pytest.fail("versitygw is not installed (scripts/setup --dev installs it)")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL",
                 "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    root = tmp_path / "s3"
    (root / "koku").mkdir(parents=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([versitygw, "--access", KEY, "--secret", SECRET, "--port",
                               f"127.0.0.1:{port}", "posix", str(root)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", root
    finally:
        server.kill()
        server.wait()


def test_ingest_and_summarize_on_s3_give_the_rows_of_the_command_on_disk(s3, tmp_path):
    endpoint, root = s3
    g = load_golden(SCENARIO)
    run = g.runs[0]
    keys = dict(s3_endpoint=endpoint, s3_access_key=KEY, s3_secret_key=SECRET)
    ocpagg.ingest(run.payload, output="s3://koku/in", source=g.source, **keys)
    report = ocpagg.summarize(input="s3://koku/in", output="s3://koku/out", format="csv",
                              source=g.source, year=run.year, month=run.month,
                              start_date=run.start_date, end_date=run.end_date,
                              cluster_id=g.cluster_id, **keys)
    assert report["bytes_read"] > 0 and report["read_requests"] > 0

    run_cli("ingest", run.payload, "--output", tmp_path / "in", "--source", g.source, "--quiet")
    run_cli("summarize", "--input", tmp_path / "in", "--output", tmp_path / "out", "--format",
            "csv", "--source", g.source, "--year", run.year, "--month", run.month,
            "--start-date", run.start_date, "--end-date", run.end_date, "--cluster-id",
            g.cluster_id, "--quiet")
    assert summary_csv_rows(root / "koku" / "out") == summary_csv_rows(tmp_path / "out")


def test_wrong_keys_raise_sink_error_naming_the_bucket(s3, tmp_path):
    endpoint, _ = s3
    g = load_golden(SCENARIO)
    with pytest.raises(ocpagg.SinkError, match="s3://koku"):
        ocpagg.ingest(g.runs[0].payload, output="s3://koku/in", source=g.source,
                      s3_endpoint=endpoint, s3_access_key=KEY, s3_secret_key="wrong")
