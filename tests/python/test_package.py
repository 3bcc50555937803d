"""The package as installed: one Arrow with pyarrow, nothing process-wide changed, and the
README's example."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pyarrow

import ocpagg
from conftest import ROOT, run_cli


def test_ocpagg_and_pyarrow_share_one_arrow():
    ocpagg.summarize_to_arrow  # the extension is loaded
    with open("/proc/self/maps") as maps:
        arrow = {line.split()[-1] for line in maps if re.search(r"/libarrow\.so", line)}
    assert len(arrow) == 1
    assert os.path.dirname(arrow.pop()) in map(os.path.realpath, pyarrow.get_library_dirs())


def test_version_is_the_commands():
    assert ocpagg.__version__ == run_cli("--version").stdout.strip()


def test_a_run_changes_nothing_process_wide(golden_data, tmp_path):
    data = golden_data["01_basic_labels"]
    environment = dict(os.environ)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGXFSZ)}
    pool = pyarrow.default_memory_pool().backend_name
    ocpagg.summarize(input=data, source="4dffa412-8024-5c69-9bd5-985d52df9f9b", year=2025,
                     month=10, cluster_id="c", output=tmp_path)
    assert dict(os.environ) == environment
    assert {s: signal.getsignal(s) for s in handlers} == handlers
    assert pyarrow.default_memory_pool().backend_name == pool


def test_readme_example_runs(tmp_path):
    readme = (ROOT / "README.md").read_text()
    code = re.search(r'venv/bin/python -c "\n(.*?)\n"', readme, re.S).group(1)
    code = code.replace("/tmp/ocpagg-example", str(tmp_path / "example"))
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) > 0
