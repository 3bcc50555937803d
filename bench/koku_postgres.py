#!/usr/bin/env python3
"""koku's own on-prem summary SQL on PostgreSQL, over the benchmark's Parquet files.

The SQL is read at run time from a koku checkout (KOKU_REPO): never copied into this repository.

  koku_postgres.py load INPUT --url URL --koku-repo DIR --source UUID --year Y --month M
      [--enabled-keys FILE]
      creates a tenant schema with koku's self-hosted line-item tables (the columns of
      koku/reporting/provider/ocp/self_hosted_models.py that the files have, plus usage_start,
      source, year and month), loads the daily tables and the hourly pod table with COPY, adds
      koku's indexes, the settings tables (enabled keys, default cost categories), the nodes
      table (filled by koku's nodes query, bench/koku_duckdb.py) and the summary and staging tables
  koku_postgres.py run INPUT --url URL --koku-repo DIR --source UUID --year Y --month M
      runs koku's koku/masu/database/self_hosted_sql/openshift/
      reporting_ocpusagelineitem_daily_summary.sql for the whole month in one transaction, after
      deleting the month's summary rows (koku's delete). The template is filled as koku's
      JinjaSql does (values as literals); `RETURNING 1` is dropped, since psql would print every row.
  koku_postgres.py export INPUT --url URL --koku-repo DIR ... --output FILE.csv
      the summary rows as CSV, NULL as \\N, for bench/check_rows.py
"""
import argparse
import calendar
import datetime as dt
import os
import re
import subprocess
import sys

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import koku_duckdb  # noqa: E402

SQL = "koku/masu/database/self_hosted_sql/openshift/reporting_ocpusagelineitem_daily_summary.sql"
TABLES = [("pod_usage", False, "openshift_pod_usage_line_items"),
          ("pod_usage", True, "openshift_pod_usage_line_items_daily"),
          ("storage_usage", True, "openshift_storage_usage_line_items_daily"),
          ("node_labels", True, "openshift_node_labels_line_items_daily"),
          ("namespace_labels", True, "openshift_namespace_labels_line_items_daily")]
SUMMARY_COLUMNS = """uuid uuid, report_period_id integer, cluster_id text, cluster_alias text,
    data_source text, usage_start date, usage_end date, namespace text, node text, resource_id text,
    pod_labels jsonb, pod_usage_cpu_core_hours numeric(33,15), pod_request_cpu_core_hours numeric(33,15),
    pod_effective_usage_cpu_core_hours numeric(33,15), pod_limit_cpu_core_hours numeric(33,15),
    pod_usage_memory_gigabyte_hours numeric(33,15), pod_request_memory_gigabyte_hours numeric(33,15),
    pod_effective_usage_memory_gigabyte_hours numeric(33,15), pod_limit_memory_gigabyte_hours numeric(33,15),
    node_capacity_cpu_cores numeric(33,15), node_capacity_cpu_core_hours numeric(33,15),
    node_capacity_memory_gigabytes numeric(33,15), node_capacity_memory_gigabyte_hours numeric(33,15),
    cluster_capacity_cpu_core_hours numeric(33,15), cluster_capacity_memory_gigabyte_hours numeric(33,15),
    persistentvolumeclaim text, persistentvolume text, storageclass text, volume_labels jsonb,
    persistentvolumeclaim_capacity_gigabyte numeric(33,15),
    persistentvolumeclaim_capacity_gigabyte_months numeric(33,15),
    volume_request_storage_gigabyte_months numeric(33,15),
    persistentvolumeclaim_usage_gigabyte_months numeric(33,15), source_uuid uuid,
    infrastructure_usage_cost jsonb, cost_category_id integer, all_labels jsonb"""
# reporting_ocpusagelineitem_daily_summary_staging as self_hosted_models.py declares it.
STAGING_COLUMNS = """uuid varchar(64), usage_start date, report_period_id integer,
    cluster_id varchar(256), cluster_alias varchar(256), data_source varchar(64), usage_end date,
    namespace varchar(253), node varchar(253), resource_id varchar(256), pod_labels text,
    pod_usage_cpu_core_hours float8, pod_request_cpu_core_hours float8,
    pod_effective_usage_cpu_core_hours float8, pod_limit_cpu_core_hours float8,
    pod_usage_memory_gigabyte_hours float8, pod_request_memory_gigabyte_hours float8,
    pod_effective_usage_memory_gigabyte_hours float8, pod_limit_memory_gigabyte_hours float8,
    node_capacity_cpu_cores float8, node_capacity_cpu_core_hours float8,
    node_capacity_memory_gigabytes float8, node_capacity_memory_gigabyte_hours float8,
    cluster_capacity_cpu_core_hours float8, cluster_capacity_memory_gigabyte_hours float8,
    persistentvolumeclaim varchar(253), persistentvolume varchar(253), storageclass varchar(256),
    volume_labels text, persistentvolumeclaim_capacity_gigabyte float8,
    persistentvolumeclaim_capacity_gigabyte_months float8,
    volume_request_storage_gigabyte_months float8,
    persistentvolumeclaim_usage_gigabyte_months float8, source_uuid varchar(64),
    source varchar(64), infrastructure_usage_cost text, csi_volume_handle varchar(256),
    cost_category_id integer, year varchar(4), month varchar(2), day varchar(2)"""


def schema_of(info_rows):
    return f"koku_bench_{info_rows}"


def psql(url, sql=None, file=None, stdin=None, quiet=True):
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url]
    cmd += ["-c", sql] if sql else ["-1", "-f", file]
    subprocess.run(cmd, check=True, stdin=stdin, stdout=subprocess.DEVNULL if quiet else None)


def pg_type(t):
    if pa.types.is_floating(t):
        return "double precision"
    if pa.types.is_timestamp(t):
        return "timestamp"
    return "text"


def load(a):
    s = koku_duckdb.Summary(a.input, a.source, a.year, a.month, a.account,
                            koku_duckdb.read_lines(a.enabled_keys))
    schema = a.schema
    psql(a.url, f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    for rtype, daily, table in TABLES:
        folder = os.path.dirname(s.files(rtype, daily))
        if not os.path.isdir(folder):
            continue
        d = ds.dataset(folder, format="parquet")
        cols = [f for f in d.schema]
        ddl = ", ".join(f"{f.name} {pg_type(f.type)}" for f in cols)
        psql(a.url, f"CREATE TABLE {schema}.{table} ({ddl}, usage_start date, source varchar(64), "
                    f"year varchar(4), month varchar(2))")
        copy = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", a.url, "-c",
                                 f"COPY {schema}.{table} FROM STDIN (FORMAT csv, HEADER true)"],
                                stdin=subprocess.PIPE)
        first = True
        for batch in d.to_batches():
            n = batch.num_rows
            start = batch.column("interval_start").cast(pa.timestamp("ms")).cast(pa.date32())
            extra = [start, pa.array([a.source] * n), pa.array([f"{a.year:04d}"] * n),
                     pa.array([f"{a.month:02d}"] * n)]
            b = pa.RecordBatch.from_arrays(list(batch.columns) + extra,
                                           names=batch.schema.names + ["usage_start", "source",
                                                                       "year", "month"])
            pacsv.write_csv(b, copy.stdin, pacsv.WriteOptions(include_header=first))
            first = False
        copy.stdin.close()
        if copy.wait() != 0:
            sys.exit(f"COPY into {table} failed")
        psql(a.url, f"CREATE INDEX ON {schema}.{table} (source, year, month); "
                    f"CREATE INDEX ON {schema}.{table} (usage_start); ANALYZE {schema}.{table}")
    keys = ", ".join(f"('{k}', true, 'OCP')" for k in s.keys[1:]) or None
    cats = ", ".join(f"('{p}', {i})" for i, p in koku_duckdb.DEFAULT_CATEGORIES)
    psql(a.url, f"""
        CREATE TABLE {schema}.reporting_enabledtagkeys (key text, enabled boolean, provider_type text);
        {f"INSERT INTO {schema}.reporting_enabledtagkeys VALUES {keys};" if keys else ""}
        CREATE TABLE {schema}.reporting_ocp_cost_category_namespace (namespace text, cost_category_id integer);
        INSERT INTO {schema}.reporting_ocp_cost_category_namespace VALUES {cats};
        CREATE TABLE {schema}.reporting_ocp_nodes (node text, resource_id text,
            node_capacity_cpu_cores numeric(18,2), node_role text, architecture text);
        CREATE TABLE {schema}.reporting_ocpusagelineitem_daily_summary ({SUMMARY_COLUMNS});
        CREATE TABLE {schema}.reporting_ocpusagelineitem_daily_summary_staging ({STAGING_COLUMNS});
        CREATE INDEX ON {schema}.reporting_ocpusagelineitem_daily_summary_staging (source, year, month);
        CREATE EXTENSION IF NOT EXISTS "uuid-ossp" SCHEMA public;""")
    import duckdb
    con = duckdb.connect()
    s.setup(con)
    nodes = koku_duckdb.apply_nodes([], con.execute(s.nodes_sql()).fetchall())
    if nodes:
        values = ", ".join("(" + ", ".join(koku_duckdb.q(v) for v in row) + ")" for row in nodes)
        psql(a.url, f"INSERT INTO {schema}.reporting_ocp_nodes VALUES {values}")


def render(template, params, flags):
    """koku's JinjaSql template with literal values: {{x}}, {{x | sqlsafe}}, {{x | inclause}},
    {% if flag %} ... {% endif %} (not nested)."""
    def block(m):
        return m.group(2) if flags.get(m.group(1)) else ""
    text = re.sub(r"{%\s*if\s+(\w+)\s*%}(.*?){%\s*endif\s*%}", block, template, flags=re.S)

    def value(m):
        name, filt = m.group(1), (m.group(2) or "").strip()
        v = params[name]
        if filt == "sqlsafe":
            return str(v)
        if filt == "inclause":
            return "(" + ", ".join(koku_duckdb.q(x) for x in v) + ")"
        if isinstance(v, dt.date):  # psycopg2 sends dates as dates
            return f"DATE '{v.isoformat()}'"
        return "NULL" if v is None else (str(v) if isinstance(v, int) else koku_duckdb.q(v))
    text = re.sub(r"{{\s*(\w+)\s*(?:\|\s*(\w+)\s*)?}}", value, text)
    return re.sub(r"\bRETURNING 1\b", "", text)


def run(a):
    template = open(os.path.join(a.koku_repo, SQL)).read()
    days = calendar.monthrange(a.year, a.month)[1]
    start, end = f"{a.year:04d}-{a.month:02d}-01", f"{a.year:04d}-{a.month:02d}-{days:02d}"
    params = {"schema": a.schema, "source": a.source, "year": f"{a.year:04d}",
              "month": f"{a.month:02d}", "start_date": dt.date.fromisoformat(start),
              "end_date": dt.date.fromisoformat(end),
              "report_period_id": 1, "cluster_id": "bench-cluster", "cluster_alias": "bench-cluster",
              "days": [str(d) for d in range(1, days + 1)]}
    sql = (f"DELETE FROM {a.schema}.reporting_ocpusagelineitem_daily_summary "
           f"WHERE usage_start >= '{start}' AND usage_start <= '{end}';\n"
           + render(template, params, {"storage_exists": True, "osac_exists": False}))
    path = f"/tmp/koku-summary-{os.getpid()}.sql"
    with open(path, "w") as f:
        f.write(sql)
    try:
        psql(a.url, file=path)
    finally:
        os.remove(path)


def export(a):
    """The month's summary rows as CSV (NULL as \\N, as the golden files), for check_rows.py."""
    cols = [c for c in re.findall(r"(\w+) (?:uuid|integer|text|date|jsonb|numeric)", SUMMARY_COLUMNS)
            if c != "uuid"]
    psql(a.url, f"\\copy (SELECT {', '.join(cols)} FROM {a.schema}.reporting_ocpusagelineitem_daily_summary) "
                f"TO '{a.output}' (FORMAT csv, HEADER true, NULL '\\N')")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cmd", choices=["load", "run", "export"])
    ap.add_argument("input")
    ap.add_argument("--url", required=True)
    ap.add_argument("--koku-repo", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--year", type=int, required=True)
    ap.add_argument("--month", type=int, required=True)
    ap.add_argument("--account", default="org1234567")
    ap.add_argument("--enabled-keys")
    ap.add_argument("--schema", default="koku_bench")
    ap.add_argument("--output", help="export: the CSV file to write")
    a = ap.parse_args()
    {"load": load, "run": run, "export": export}[a.cmd](a)


if __name__ == "__main__":
    main()
