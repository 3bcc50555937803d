"""summarize into PostgreSQL through Python gives the command's rows; summarize_to_arrow takes
koku's state from PostgreSQL."""

from __future__ import annotations

import pyarrow as pa

import ocpagg
from conftest import load_golden, run_cli

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
