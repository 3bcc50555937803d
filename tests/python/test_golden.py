"""The golden scenarios (tests/golden) through the Python API give the command's rows."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import ocpagg
from conftest import GOLDEN_NAMES, load_golden, run_cli, summary_csv_rows, table_csv_rows


def write_settings(g, directory: Path) -> tuple[Path, Path]:
    keys = directory / "enabled_keys.txt"
    keys.write_text("".join(f"{k}\n" for k in g.enabled_keys))
    categories = directory / "cost_categories.txt"
    categories.write_text("".join(f"{i},{p}\n" for i, p in g.cost_categories))
    return keys, categories


def run_options(g, run, data: Path) -> dict:
    options = dict(input=data, source=g.source, year=run.year, month=run.month,
                   start_date=run.start_date, end_date=run.end_date, cluster_id=g.cluster_id,
                   report_period_id=run.report_period_id, mode="serial")
    if g.cluster_alias:
        options["cluster_alias"] = g.cluster_alias
    return options


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_summarize_gives_the_command_rows(name, golden_data, tmp_path):
    g = load_golden(name)
    keys, categories = write_settings(g, tmp_path)
    for run in g.runs:
        options = run_options(g, run, golden_data[name])
        args = ["summarize", "--output", tmp_path / "cli", "--format", "csv", "--enabled-keys",
                keys, "--cost-categories", categories, "--nodes-file", tmp_path / "cli.yaml"]
        for key, value in options.items():
            args += [f"--{key.replace('_', '-')}", value]
        run_cli(*args, "--quiet")
        report = ocpagg.summarize(**options, output=tmp_path / "py", format="csv",
                                  enabled_keys=g.enabled_keys, cost_categories=g.cost_categories,
                                  nodes_file=tmp_path / "py.yaml")
        assert report["start_date"] == run.start_date
    python_rows = summary_csv_rows(tmp_path / "py")
    assert python_rows, "no rows"
    assert python_rows == summary_csv_rows(tmp_path / "cli")
    assert (tmp_path / "py.yaml").read_text() == (tmp_path / "cli.yaml").read_text()
    tables = sorted(p.name for p in (tmp_path / "cli").iterdir() if p.is_dir())
    assert "reporting_ocp_pod_summary_p" in tables
    assert sorted(p.name for p in (tmp_path / "py").iterdir() if p.is_dir()) == tables
    for table in tables:
        assert table_csv_rows(tmp_path / "py", table) == table_csv_rows(tmp_path / "cli", table)


def test_tables_daily_writes_the_daily_summary_only(golden_data, tmp_path):
    g = load_golden(GOLDEN_NAMES[0])
    run = g.runs[0]
    ocpagg.summarize(**run_options(g, run, golden_data[GOLDEN_NAMES[0]]), output=tmp_path,
                     format="csv", tables="daily")
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == [
        "reporting_ocpusagelineitem_daily_summary"]
    assert summary_csv_rows(tmp_path)
    with pytest.raises(ocpagg.UsageError, match="--tables must be all or daily"):
        ocpagg.summarize(**run_options(g, run, golden_data[GOLDEN_NAMES[0]]), output=tmp_path,
                         tables="some")


def sorted_rows(table: pa.Table) -> pa.Table:
    table = table.drop_columns(["uuid"])
    return table.sort_by([(c, "ascending") for c in table.column_names])


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_summarize_to_arrow_gives_the_files_sink_rows(name, golden_data, tmp_path):
    g = load_golden(name)
    for run in g.runs:
        options = run_options(g, run, golden_data[name])
        options.update(enabled_keys=g.enabled_keys, cost_categories=dict(g.cost_categories))
        ocpagg.summarize(**options, output=tmp_path / "files", format="parquet",
                         nodes_file=tmp_path / "files.yaml")
        stream = ocpagg.summarize_to_arrow(**options, nodes_file=tmp_path / "arrow.yaml")
        streamed = pa.table(stream)
        month = next((tmp_path / "files").rglob(f"month={run.month:02d}"))
        written = pa.concat_tables(
            pq.ParquetFile(p).read() for p in sorted(month.glob("*.parquet")))
        assert streamed.schema == written.schema.remove_metadata()
        assert sorted_rows(streamed).equals(sorted_rows(written))
        assert stream.report["rows_written"] == ocpagg.summarize(
            **options, output=tmp_path / "again", nodes_file=tmp_path / "again.yaml")["rows_written"]
    assert (tmp_path / "arrow.yaml").read_text() == (tmp_path / "files.yaml").read_text()


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_ingest_writes_the_command_files(name, golden_data, tmp_path):
    g = load_golden(name)
    files = []
    for run in g.runs:
        files += ocpagg.ingest(run.payload, output=tmp_path, source=g.source)["files"]
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.parquet"))
    assert written == sorted(p.relative_to(golden_data[name])
                             for p in golden_data[name].rglob("*.parquet"))
    assert sorted(Path(f["path"]) for f in files) == written
    for path in written:
        assert pq.ParquetFile(tmp_path / path).read().equals(
            pq.ParquetFile(golden_data[name] / path).read())
