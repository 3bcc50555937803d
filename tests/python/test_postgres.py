"""summarize into PostgreSQL through Python gives the command's rows; summarize_to_arrow takes
koku's state from PostgreSQL; ingest into koku's on-prem tables, then summarize from them, gives
the Parquet path's rows."""

from __future__ import annotations

import pyarrow as pa
import pytest

import ocpagg
from conftest import load_golden, run_cli, summary_csv_rows, table_csv_rows

SCENARIO = "06_month_boundary"
SCHEMA = "org1234567"


def summary_rows(postgres, url: str) -> list[str]:
    """Every summary row as JSON without its uuid, sorted."""
    return sorted(postgres.psql(url, f"""
        SELECT (to_jsonb(t) - 'uuid')::text
        FROM {SCHEMA}.reporting_ocpusagelineitem_daily_summary t""").splitlines())


def test_summarize_into_postgres_gives_the_command_rows(postgres, golden_data):
    g = load_golden(SCENARIO)
    cli, python = postgres.create_database(), postgres.create_database()
    for run in g.runs:
        options = dict(input=golden_data[SCENARIO], source=g.source, year=run.year,
                       month=run.month, cluster_id=g.cluster_id, schema=SCHEMA,
                       create_schema=True, mode="serial")
        args = ["summarize", "--postgres", cli, "--create-schema", "--quiet"]
        for key in ("input", "source", "year", "month", "cluster_id", "schema", "mode"):
            args += [f"--{key.replace('_', '-')}", options[key]]
        run_cli(*args)
        report = ocpagg.summarize(**options, postgres=python)
        assert report["report_period_id"] > 0
    assert summary_rows(postgres, python) == summary_rows(postgres, cli)
    assert summary_rows(postgres, python)


def test_summarize_to_arrow_records_koku_state_in_postgres(postgres, golden_data):
    g = load_golden(SCENARIO)
    url = postgres.create_database()
    run = g.runs[0]
    options = dict(input=golden_data[SCENARIO], source=g.source, year=run.year, month=run.month,
                   cluster_id=g.cluster_id, postgres=url, schema=SCHEMA, create_schema=True)
    table = pa.table(ocpagg.summarize_to_arrow(**options))
    period = postgres.psql(url, f"SELECT id FROM {SCHEMA}.reporting_ocpusagereportperiod").split()
    assert len(period) == 1
    assert set(table.column("report_period_id").to_pylist()) == {int(period[0])}
    assert int(postgres.psql(url, f"SELECT count(*) FROM {SCHEMA}.reporting_ocp_nodes")) > 0
    # No rows were written to the summary table: they went to the caller.
    assert summary_rows(postgres, url) == []
    ocpagg.summarize(**options)
    assert len(summary_rows(postgres, url)) == table.num_rows


def test_unreachable_database_is_a_sink_error(golden_data, tmp_path):
    g = load_golden(SCENARIO)
    run = g.runs[0]
    url = f"postgresql:///koku?host={tmp_path}&port=1&user=postgres"
    options = dict(input=golden_data[SCENARIO], source=g.source, year=run.year, month=run.month,
                   cluster_id=g.cluster_id, postgres=url, schema=SCHEMA)
    result = run_cli("summarize", "--input", options["input"], "--source", g.source, "--year",
                     run.year, "--month", run.month, "--cluster-id", g.cluster_id,
                     "--postgres", url, "--schema", SCHEMA, check=False)
    assert result.returncode == ocpagg.SinkError.exit_code
    try:
        ocpagg.summarize(**options)
    except ocpagg.SinkError as e:
        assert result.stderr.strip() == f"ocpagg: error: {e}".strip()
    else:
        raise AssertionError("no SinkError")


def test_ingest_into_the_onprem_tables_then_summarize_from_them_gives_the_parquet_rows(
        postgres, golden_data, tmp_path):
    g = load_golden(SCENARIO)
    url = postgres.create_database()
    for run in g.runs:
        report = ocpagg.ingest(run.payload, postgres=url, schema=SCHEMA, create_schema=True,
                               source=g.source)
        assert report["line_items"]["rows"] > 0
        assert report["line_items"]["rows_replaced"] == 0
    again = ocpagg.ingest(g.runs[0].payload, postgres=url, schema=SCHEMA, source=g.source)
    assert again["line_items"]["rows_replaced"] == again["line_items"]["rows"] > 0
    for run in g.runs:
        options = dict(source=g.source, year=run.year, month=run.month,
                       start_date=run.start_date, end_date=run.end_date,
                       cluster_id=g.cluster_id, report_period_id=run.report_period_id,
                       enabled_keys=g.enabled_keys, cost_categories=g.cost_categories,
                       format="csv", mode="serial")
        ocpagg.summarize(**options, input=golden_data[SCENARIO], output=tmp_path / "parquet",
                         nodes_file=tmp_path / "parquet.yaml")
        ocpagg.summarize(**options, input=url, schema=SCHEMA, output=tmp_path / "onprem",
                         nodes_file=tmp_path / "onprem.yaml")
    rows = summary_csv_rows(tmp_path / "onprem")
    assert rows, "no rows"
    assert rows == summary_csv_rows(tmp_path / "parquet")
    tables = sorted(p.name for p in (tmp_path / "parquet").iterdir() if p.is_dir())
    assert sorted(p.name for p in (tmp_path / "onprem").iterdir() if p.is_dir()) == tables
    for table in tables:
        assert table_csv_rows(tmp_path / "onprem", table) == table_csv_rows(tmp_path / "parquet",
                                                                             table)


def test_ingest_options_are_checked_as_the_command_checks_them(tmp_path):
    g = load_golden(SCENARIO)
    with pytest.raises(ocpagg.UsageError, match="--postgres needs --schema"):
        ocpagg.ingest(g.runs[0].payload, postgres="postgresql:///koku", source=g.source)
    with pytest.raises(ocpagg.UsageError, match="either --output DIR"):
        ocpagg.ingest(g.runs[0].payload, source=g.source)
    with pytest.raises(ocpagg.UsageError, match="--create-schema needs --postgres"):
        ocpagg.ingest(g.runs[0].payload, output=tmp_path, create_schema=True, source=g.source)
