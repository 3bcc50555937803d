"""Failures raise the exception class of the command's exit code, with the command's message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ocpagg
from conftest import ROOT, load_golden, run_cli

SCENARIO = "01_basic_labels"


def cli_message(result) -> str:
    """The message of the command's error line on stderr."""
    line = result.stderr.strip().splitlines()[-1]
    for prefix in ("ocpagg: error: ", "ocpagg: "):
        if line.startswith(prefix):
            return line[len(prefix):]
    raise AssertionError(f"not an error line: {line}")


def expect_same_error(cls, cli_args, call) -> None:
    result = run_cli(*cli_args, check=False)
    assert result.returncode == cls.exit_code, result.stderr
    with pytest.raises(cls) as raised:
        call()
    assert str(raised.value) == cli_message(result)


def summarize_args(data: Path, **options) -> tuple[list, dict]:
    g = load_golden(SCENARIO)
    kw = dict(input=data, source=g.source, year=2025, month=10, cluster_id=g.cluster_id)
    kw.update(options)
    args = ["summarize"]
    for key, value in kw.items():
        args += [f"--{key.replace('_', '-')}", value]
    return args + ["--quiet"], kw


def test_exit_codes_are_the_commands():
    assert {cls.__name__: cls.exit_code for cls in (
        ocpagg.UsageError, ocpagg.BadInputError, ocpagg.SinkError, ocpagg.MemoryLimitError,
        ocpagg.NoDataError, ocpagg.StoppedError, ocpagg.InternalError)} == {
        "UsageError": 2, "BadInputError": 3, "SinkError": 4, "MemoryLimitError": 5,
        "NoDataError": 6, "StoppedError": 130, "InternalError": 70}
    for code in (2, 3, 4, 5, 6, 70, 130):
        cls = ocpagg._errors.error_class(code)
        assert issubclass(cls, ocpagg.Error) and cls.exit_code == code
    assert ocpagg._errors.error_class(99) is ocpagg.InternalError


def test_bad_option_is_a_usage_error(golden_data, tmp_path):
    args, kw = summarize_args(golden_data[SCENARIO], source="not-a-uuid", output=tmp_path)
    expect_same_error(ocpagg.UsageError, args, lambda: ocpagg.summarize(**kw))


def test_values_the_command_parser_refuses_are_usage_errors(golden_data, tmp_path):
    _, kw = summarize_args(golden_data[SCENARIO], output=tmp_path)
    for bad, message in ((dict(compat="sqlite"), "--compat must be postgres or trino"),
                         (dict(threads=0), "--threads must be 1..256, got 0"),
                         (dict(month=13), "--month must be 1..12, got 13"),
                         (dict(mode="fast"), "--mode must be auto, in-memory, serial or"),
                         (dict(format="xml"), "--format must be csv, parquet or both"),
                         (dict(memory_limit="lots"), "--memory-limit expects a size")):
        with pytest.raises(ocpagg.UsageError, match=message):
            ocpagg.summarize(**{**kw, **bad})
    with pytest.raises(ocpagg.UsageError, match="--chunk-rows must be positive"):
        ocpagg.ingest(ROOT / "examples" / "payload", output=tmp_path, source=kw["source"],
                      chunk_rows=0)


def test_unknown_or_missing_keyword_is_a_type_error(golden_data, tmp_path):
    _, kw = summarize_args(golden_data[SCENARIO], output=tmp_path)
    with pytest.raises(TypeError, match="unexpected keyword argument 'outptu'"):
        ocpagg.summarize(**kw, outptu=tmp_path)
    with pytest.raises(TypeError, match="'cluster_id'"):
        ocpagg.summarize(**{k: v for k, v in kw.items() if k != "cluster_id"})
    with pytest.raises(TypeError, match="unexpected keyword argument 'output'"):
        ocpagg.summarize_to_arrow(**kw)


def test_bad_payload_is_bad_input(tmp_path):
    payload = tmp_path / "payload"
    shutil.copytree(ROOT / "examples" / "payload", payload)
    pod_csv = next(p for p in sorted(payload.rglob("*.csv"))
                   if "pod_usage_cpu_core_seconds" in p.read_text().splitlines()[0])
    text = pod_csv.read_text()
    at = text.rindex("2025-10-01 01:00:00 +0000 UTC")
    pod_csv.write_text(text[:at] + "yesterday at noon" + text[at + 29:])
    source = (ROOT / "examples" / "source_uuid").read_text().strip()
    expect_same_error(
        ocpagg.BadInputError,
        ["ingest", payload, "--output", tmp_path / "cli", "--source", source],
        lambda: ocpagg.ingest(payload, output=tmp_path / "cli", source=source))
    assert not (tmp_path / "cli").exists()


def test_unwritable_output_is_a_sink_error(golden_data, tmp_path):
    (tmp_path / "file").write_text("not a directory")
    args, kw = summarize_args(golden_data[SCENARIO], output=tmp_path / "file" / "out")
    expect_same_error(ocpagg.SinkError, args, lambda: ocpagg.summarize(**kw))


def test_limit_too_small_is_a_memory_limit_error(golden_data, tmp_path):
    _, kw = summarize_args(golden_data[SCENARIO], output=tmp_path, memory_limit="1MB")
    with pytest.raises(ocpagg.MemoryLimitError, match="--memory-limit 1 MB is too small"):
        ocpagg.summarize(**kw)
    with pytest.raises(ocpagg.MemoryLimitError, match="--memory-limit 1 MB is too small"):
        ocpagg.summarize_to_arrow(**{k: v for k, v in kw.items() if k != "output"})
    assert list(tmp_path.iterdir()) == []


def test_month_without_rows_is_no_data(golden_data, tmp_path):
    args, kw = summarize_args(golden_data[SCENARIO], month=11, output=tmp_path)
    expect_same_error(ocpagg.NoDataError, args, lambda: ocpagg.summarize(**kw))
    del kw["output"]
    with pytest.raises(ocpagg.NoDataError):
        ocpagg.summarize_to_arrow(**kw)


def test_stopped_token_is_stopped(golden_data, tmp_path):
    _, kw = summarize_args(golden_data[SCENARIO], output=tmp_path)
    token = ocpagg.StopToken()
    token.stop()
    assert token.stopped
    with pytest.raises(ocpagg.StoppedError, match="stopped by the caller"):
        ocpagg.summarize(**kw, stop=token)
    assert not any(tmp_path.rglob("*.csv"))
