#!/usr/bin/env python3
"""koku's daily summary SQL translated to DuckDB, over koku-layout Parquet.

The translation follows koku's self-hosted statement for one source and month
(koku/masu/database/self_hosted_sql/openshift/reporting_ocpusagelineitem_daily_summary.sql,
docs/semantics.md "The summary SQL"): (ii) pod and storage rows, (iii) unallocated rows from the
pod rows, with koku's nodes query (docs/semantics.md "Node roles") feeding the roles. Two
rewrites keep the meaning and spare DuckDB work it would otherwise be charged for:

- Labels: filter_json_by_keys(labels, K) followed by jsonb `||` merges is written per key of K
  (K is known when the query is built, as koku reads it from reporting_enabledtagkeys): a key's
  merged value is the right-most label column that has it. A filtered label map is the tuple of
  its K values, so grouping by the tuple groups by the map, and distinct node or namespace maps
  per day stay distinct (the multiplication of docs/semantics.md "Multiplicity traps" is kept).
- The cost-category LIKE join is made once per distinct namespace and joined back on the
  namespace: the same rows, as often, as the LIKE join on every line item.

  koku_duckdb.py INPUT OUT.parquet --source UUID --year Y --month M [--account A]
      [--enabled-keys FILE] [--cost-categories FILE] [--cluster-id ID] [--threads N]
"""
import argparse
import calendar
import datetime as dt
import glob
import os
import sys

import duckdb

DEFAULT_CATEGORIES = [(1, "openshift-%"), (1, "kube-%"), (1, "Platform unallocated"), (1, "openshift")]
OUTPUT_COLUMNS = [
    "report_period_id", "cluster_id", "cluster_alias", "data_source", "usage_start", "usage_end",
    "namespace", "node", "resource_id", "pod_labels", "pod_usage_cpu_core_hours",
    "pod_request_cpu_core_hours", "pod_effective_usage_cpu_core_hours", "pod_limit_cpu_core_hours",
    "pod_usage_memory_gigabyte_hours", "pod_request_memory_gigabyte_hours",
    "pod_effective_usage_memory_gigabyte_hours", "pod_limit_memory_gigabyte_hours",
    "node_capacity_cpu_cores", "node_capacity_cpu_core_hours", "node_capacity_memory_gigabytes",
    "node_capacity_memory_gigabyte_hours", "cluster_capacity_cpu_core_hours",
    "cluster_capacity_memory_gigabyte_hours", "persistentvolumeclaim", "persistentvolume",
    "storageclass", "volume_labels", "all_labels", "persistentvolumeclaim_capacity_gigabyte",
    "persistentvolumeclaim_capacity_gigabyte_months", "volume_request_storage_gigabyte_months",
    "persistentvolumeclaim_usage_gigabyte_months", "source_uuid", "infrastructure_usage_cost",
    "cost_category_id",
]
INFRA_COST = '{"cpu": 0.000000000, "memory": 0.000000000, "storage": 0.000000000}'


def q(s):
    return "NULL" if s is None else "'" + str(s).replace("'", "''") + "'"


def table_glob(root, account, rtype, source, year, month, daily):
    parts = [root, "data", "parquet"] + (["daily"] if daily else []) + [
        account, "OCP", rtype, f"source={source}", f"year={year:04d}", f"month={month:02d}",
        "*.parquet"]
    return os.path.join(*parts)


class Summary:
    """One source and month: the inputs, koku's settings, the query texts."""

    def __init__(self, root, source, year, month, account="org1234567", keys=(),
                 categories=None, cluster_id="bench-cluster", cluster_alias=None,
                 report_period_id=None, start=None, end=None):
        self.root, self.source, self.year, self.month, self.account = root, source, year, month, account
        # PostgreSQL's K: vm_kubevirt_io_name, then the enabled keys (docs/semantics.md "Enabled keys").
        self.keys = ["vm_kubevirt_io_name"] + sorted(k for k in set(keys) if k != "vm_kubevirt_io_name")
        self.categories = DEFAULT_CATEGORIES if categories is None else categories
        self.cluster_id, self.cluster_alias, self.report_period_id = cluster_id, cluster_alias, report_period_id
        days = calendar.monthrange(year, month)[1]
        self.days_in_month = days
        self.start = start or dt.date(year, month, 1)
        self.end = end or dt.date(year, month, days)

    def files(self, rtype, daily):
        return table_glob(self.root, self.account, rtype, self.source, self.year, self.month, daily)

    def has(self, rtype, daily):
        return bool(glob.glob(self.files(rtype, daily)))

    def label_list(self, column):
        """The K values of one label column, as a list (NULL where the key is absent)."""
        paths = ", ".join(q('$."' + k.replace('"', '\\"') + '"') for k in self.keys)
        return f"json_extract_string(nullif(trim({column}), ''), [{paths}])"

    def merged(self, *lists):
        """jsonb `||` of filtered maps, right-most winning, as a list of K values."""
        items = []
        for i in range(1, len(self.keys) + 1):
            items.append("coalesce(" + ", ".join(f"{l}[{i}]" for l in reversed(lists)) + ")")
        return "[" + ", ".join(items) + "]"

    def json_of(self, lst):
        """The JSON text of a K-value list (keys with a value only)."""
        parts = ", ".join(
            f"CASE WHEN {lst}[{i}] IS NOT NULL THEN {q(chr(34) + k + chr(34) + ': ')} || to_json({lst}[{i}])::VARCHAR END"
            for i, k in enumerate(self.keys, 1))
        return f"'{{' || concat_ws(', ', {parts}) || '}}'"

    def range_sql(self, col="interval_start"):
        return (f"CAST({col} AS DATE) >= DATE '{self.start}' AND "
                f"CAST({col} AS DATE) <= DATE '{self.end}'")

    def read(self, rtype, daily, columns):
        return (f"(SELECT CAST(interval_start AS DATE) AS usage_start, {columns} "
                f"FROM read_parquet({q(self.files(rtype, daily))}, union_by_name = true) "
                f"WHERE {self.range_sql()})")

    def setup(self, con):
        """The inputs as views (nothing is read yet) and koku's settings tables."""
        con.execute("CREATE OR REPLACE TEMP TABLE cost_category_namespace (cost_category_id INTEGER, namespace VARCHAR)")
        if self.categories:
            con.execute("INSERT INTO cost_category_namespace VALUES " + ", ".join(
                f"({i}, {q(p)})" for i, p in self.categories))
        con.execute(f"""CREATE OR REPLACE TEMP VIEW pod_daily AS {self.read('pod_usage', True,
            'namespace, node, pod, resource_id, pod_labels, node_role, '
            'pod_usage_cpu_core_seconds, pod_request_cpu_core_seconds, '
            'pod_effective_usage_cpu_core_seconds, pod_limit_cpu_core_seconds, '
            'pod_usage_memory_byte_seconds, pod_request_memory_byte_seconds, '
            'pod_effective_usage_memory_byte_seconds, pod_limit_memory_byte_seconds, '
            'node_capacity_cpu_cores, node_capacity_memory_bytes')}""")
        con.execute(f"""CREATE OR REPLACE TEMP VIEW pod_hourly AS {self.read('pod_usage', False,
            'interval_start, node, node_capacity_cpu_core_seconds, node_capacity_memory_byte_seconds')}""")
        con.execute(f"""CREATE OR REPLACE TEMP VIEW node_labels_daily AS {self.read('node_labels', True, 'node, node_labels')}""")
        con.execute(f"""CREATE OR REPLACE TEMP VIEW namespace_labels_daily AS {self.read('namespace_labels', True, 'namespace, namespace_labels')}""")
        self.storage = self.has("storage_usage", True)
        if self.storage:
            con.execute(f"""CREATE OR REPLACE TEMP VIEW storage_daily AS {self.read('storage_usage', True,
                'namespace, pod, persistentvolumeclaim, persistentvolume, storageclass, csi_volume_handle, '
                'persistentvolume_labels, persistentvolumeclaim_labels, persistentvolumeclaim_capacity_bytes, '
                'persistentvolumeclaim_capacity_byte_seconds, volume_request_storage_byte_seconds, '
                'persistentvolumeclaim_usage_byte_seconds')}""")

    def first_pod_day(self, con):
        """koku starts the range on the first day with daily pod rows."""
        d = con.execute("SELECT min(usage_start) FROM pod_daily").fetchone()[0]
        return d

    def nodes_sql(self):
        """koku's nodes query (docs/semantics.md "Node roles"); each side is reduced per node
        before the join, which max and bool_or do not notice."""
        return f"""
        WITH p AS (
            SELECT node, coalesce(resource_id, '') AS resource_id,
                max(node_capacity_cpu_cores) AS cores, max(node_role) AS operator_role,
                bool_or(namespace = 'openshift-kube-apiserver') AS apiserver
            FROM pod_daily WHERE node IS NOT NULL GROUP BY 1, 2),
        l AS (
            SELECT node, bool_or(node_labels LIKE '%"node_role_kubernetes_io": "infra"%') AS infra,
                max(node_labels) AS labels
            FROM node_labels_daily GROUP BY node)
        SELECT p.node, p.resource_id, p.cores,
            coalesce(p.operator_role, CASE WHEN p.apiserver THEN 'master'
                WHEN l.infra THEN 'infra' ELSE 'worker' END) AS node_role,
            lower(json_extract_string(l.labels, '$.kubernetes_io_arch')) AS architecture
        FROM p JOIN l ON l.node = p.node"""

    def summary_sql(self):
        K = self.keys
        nl = self.label_list("node_labels")
        nsl = self.label_list("namespace_labels")
        pod_l = self.label_list("li.pod_labels")
        merged_pod = self.merged("nli.labels", "nsli.labels", "pl")
        gib = "power(2, -30)"
        month_seconds = f"(86400 * {self.days_in_month})"
        storage_ctes = storage_select = ""
        if self.storage:
            merged_vol = self.merged("nli.labels", "nsli.labels", "pvl", "pvcl")
            storage_ctes = f""",
        cte_volume_nodes AS (
            SELECT DISTINCT sli.usage_start, sli.persistentvolumeclaim, sli.persistentvolume,
                sli.pod, sli.namespace, uli.node, uli.resource_id
            FROM storage_daily AS sli
            JOIN pod_daily AS uli ON uli.namespace = sli.namespace AND uli.pod = sli.pod
                AND uli.usage_start = sli.usage_start),
        cte_shared_volume_node_count AS (
            SELECT usage_start, persistentvolume, count(DISTINCT node) AS node_count
            FROM cte_volume_nodes GROUP BY usage_start, persistentvolume),
        sli_l AS (
            SELECT *, {self.label_list('persistentvolume_labels')} AS pvl,
                {self.label_list('persistentvolumeclaim_labels')} AS pvcl
            FROM storage_daily),
        sua AS (
            SELECT sli.namespace, vn.node, vn.resource_id, sli.persistentvolumeclaim,
                sli.persistentvolume, sli.storageclass, sli.usage_start,
                {merged_vol} AS volume_labels, sli.csi_volume_handle,
                max(cat.cost_category_id) AS cost_category_id,
                max(sli.persistentvolumeclaim_capacity_bytes) AS capacity_bytes,
                sum(sli.persistentvolumeclaim_capacity_byte_seconds) AS capacity_byte_seconds,
                sum(sli.volume_request_storage_byte_seconds) / coalesce(max(nc.node_count), 1) AS request_byte_seconds,
                sum(sli.persistentvolumeclaim_usage_byte_seconds) / coalesce(max(nc.node_count), 1) AS usage_byte_seconds
            FROM sli_l AS sli
            LEFT JOIN cte_volume_nodes AS vn ON vn.usage_start = sli.usage_start
                AND vn.persistentvolumeclaim = sli.persistentvolumeclaim AND vn.pod = sli.pod
                AND vn.namespace = sli.namespace
            LEFT JOIN cte_shared_volume_node_count AS nc ON nc.usage_start = sli.usage_start
                AND nc.persistentvolume = sli.persistentvolume
            LEFT JOIN nli ON nli.node = vn.node AND nli.usage_start = vn.usage_start
            LEFT JOIN nsli ON nsli.namespace = sli.namespace AND nsli.usage_start = sli.usage_start
            LEFT JOIN ns_cat AS cat ON cat.ns = sli.namespace
            GROUP BY ALL)"""
            storage_select = f"""
        UNION ALL
        SELECT 'Storage' AS data_source, usage_start, namespace, node, resource_id,
            NULL::VARCHAR AS pod_labels, NULL::DOUBLE AS pod_usage_cpu_core_hours,
            NULL::DOUBLE AS pod_request_cpu_core_hours, NULL::DOUBLE AS pod_effective_usage_cpu_core_hours,
            NULL::DOUBLE AS pod_limit_cpu_core_hours, NULL::DOUBLE AS pod_usage_memory_gigabyte_hours,
            NULL::DOUBLE AS pod_request_memory_gigabyte_hours, NULL::DOUBLE AS pod_effective_usage_memory_gigabyte_hours,
            NULL::DOUBLE AS pod_limit_memory_gigabyte_hours, NULL::DOUBLE AS node_capacity_cpu_cores,
            NULL::DOUBLE AS node_capacity_cpu_core_hours, NULL::DOUBLE AS node_capacity_memory_gigabytes,
            NULL::DOUBLE AS node_capacity_memory_gigabyte_hours, NULL::DOUBLE AS cluster_capacity_cpu_core_hours,
            NULL::DOUBLE AS cluster_capacity_memory_gigabyte_hours,
            persistentvolumeclaim, persistentvolume, storageclass,
            {self.json_of('volume_labels')} AS volume_labels,
            {self.json_of('volume_labels')} AS all_labels,
            capacity_bytes * {gib} AS persistentvolumeclaim_capacity_gigabyte,
            capacity_byte_seconds / {month_seconds} * {gib} AS persistentvolumeclaim_capacity_gigabyte_months,
            request_byte_seconds / {month_seconds} * {gib} AS volume_request_storage_gigabyte_months,
            usage_byte_seconds / {month_seconds} * {gib} AS persistentvolumeclaim_usage_gigabyte_months,
            {q(INFRA_COST)} AS infrastructure_usage_cost, cost_category_id
        FROM sua"""
        return f"""
        WITH nli AS (SELECT DISTINCT usage_start, node, {nl} AS labels FROM node_labels_daily),
        nsli AS (SELECT DISTINCT usage_start, namespace, {nsl} AS labels FROM namespace_labels_daily),
        nc AS (
            SELECT usage_start, node, sum(cpu) AS cpu, sum(mem) AS mem FROM (
                SELECT usage_start, interval_start, node,
                    max(node_capacity_cpu_core_seconds) AS cpu, max(node_capacity_memory_byte_seconds) AS mem
                FROM pod_hourly GROUP BY usage_start, interval_start, node)
            GROUP BY usage_start, node),
        cc AS (SELECT usage_start, sum(cpu) AS cpu, sum(mem) AS mem FROM nc GROUP BY usage_start),
        ns_cat AS (
            SELECT n.ns, c.cost_category_id
            FROM (SELECT DISTINCT namespace AS ns FROM pod_daily
                  {'UNION SELECT DISTINCT namespace FROM storage_daily' if self.storage else ''}) AS n
            JOIN cost_category_namespace AS c ON n.ns LIKE c.namespace ESCAPE '\\'),
        pua AS (
            SELECT li.usage_start, li.namespace, li.node, max(cat.cost_category_id) AS cost_category_id,
                {merged_pod} AS pod_labels,
                max(li.resource_id) AS resource_id,
                sum(li.pod_usage_cpu_core_seconds) / 3600.0 AS pod_usage_cpu_core_hours,
                sum(li.pod_request_cpu_core_seconds) / 3600.0 AS pod_request_cpu_core_hours,
                sum(coalesce(li.pod_effective_usage_cpu_core_seconds, greatest(li.pod_usage_cpu_core_seconds, li.pod_request_cpu_core_seconds))) / 3600.0 AS pod_effective_usage_cpu_core_hours,
                sum(li.pod_limit_cpu_core_seconds) / 3600.0 AS pod_limit_cpu_core_hours,
                sum(li.pod_usage_memory_byte_seconds) / 3600.0 * {gib} AS pod_usage_memory_gigabyte_hours,
                sum(li.pod_request_memory_byte_seconds) / 3600.0 * {gib} AS pod_request_memory_gigabyte_hours,
                sum(coalesce(li.pod_effective_usage_memory_byte_seconds, greatest(li.pod_usage_memory_byte_seconds, li.pod_request_memory_byte_seconds))) / 3600.0 * {gib} AS pod_effective_usage_memory_gigabyte_hours,
                sum(li.pod_limit_memory_byte_seconds) / 3600.0 * {gib} AS pod_limit_memory_gigabyte_hours,
                max(li.node_capacity_cpu_cores) AS node_capacity_cpu_cores,
                coalesce(max(nc.cpu), 0) / 3600.0 AS node_capacity_cpu_core_hours,
                max(li.node_capacity_memory_bytes) * {gib} AS node_capacity_memory_gigabytes,
                coalesce(max(nc.mem), 0) / 3600.0 * {gib} AS node_capacity_memory_gigabyte_hours,
                coalesce(max(cc.cpu), 0) / 3600.0 AS cluster_capacity_cpu_core_hours,
                coalesce(max(cc.mem), 0) / 3600.0 * {gib} AS cluster_capacity_memory_gigabyte_hours
            FROM (SELECT *, {pod_l} AS pl FROM pod_daily AS li WHERE li.node != '') AS li
            LEFT JOIN nli ON nli.node = li.node AND nli.usage_start = li.usage_start
            LEFT JOIN nsli ON nsli.namespace = li.namespace AND nsli.usage_start = li.usage_start
            LEFT JOIN nc ON nc.usage_start = li.usage_start AND nc.node = li.node
            LEFT JOIN cc ON cc.usage_start = li.usage_start
            LEFT JOIN ns_cat AS cat ON cat.ns = li.namespace
            GROUP BY li.usage_start, li.namespace, li.node, 5){storage_ctes},
        node_role AS (SELECT node, resource_id, max(node_role) AS node_role FROM reporting_ocp_nodes GROUP BY ALL),
        unallocated AS (
            SELECT lids.usage_start,
                CASE max(nodes.node_role) WHEN 'master' THEN 'Platform unallocated'
                    WHEN 'infra' THEN 'Platform unallocated' WHEN 'worker' THEN 'Worker unallocated' END AS namespace,
                lids.node, max(lids.resource_id) AS resource_id,
                max(lids.node_capacity_cpu_core_hours) - sum(lids.pod_usage_cpu_core_hours) AS pod_usage_cpu_core_hours,
                max(lids.node_capacity_cpu_core_hours) - sum(lids.pod_request_cpu_core_hours) AS pod_request_cpu_core_hours,
                max(lids.node_capacity_cpu_core_hours) - sum(lids.pod_effective_usage_cpu_core_hours) AS pod_effective_usage_cpu_core_hours,
                max(lids.node_capacity_memory_gigabyte_hours) - sum(lids.pod_usage_memory_gigabyte_hours) AS pod_usage_memory_gigabyte_hours,
                max(lids.node_capacity_memory_gigabyte_hours) - sum(lids.pod_request_memory_gigabyte_hours) AS pod_request_memory_gigabyte_hours,
                max(lids.node_capacity_memory_gigabyte_hours) - sum(lids.pod_effective_usage_memory_gigabyte_hours) AS pod_effective_usage_memory_gigabyte_hours,
                max(lids.node_capacity_cpu_cores) AS node_capacity_cpu_cores,
                max(lids.node_capacity_cpu_core_hours) AS node_capacity_cpu_core_hours,
                max(lids.node_capacity_memory_gigabytes) AS node_capacity_memory_gigabytes,
                max(lids.node_capacity_memory_gigabyte_hours) AS node_capacity_memory_gigabyte_hours,
                max(lids.cluster_capacity_cpu_core_hours) AS cluster_capacity_cpu_core_hours,
                max(lids.cluster_capacity_memory_gigabyte_hours) AS cluster_capacity_memory_gigabyte_hours
            FROM pua AS lids
            LEFT JOIN node_role AS nodes ON lids.node = nodes.node AND lids.resource_id = nodes.resource_id
            WHERE lids.namespace NOT IN ('Platform unallocated', 'Worker unallocated',
                    'Network unattributed', 'Storage unattributed')
                AND lids.node IS NOT NULL
            GROUP BY lids.node, lids.usage_start),
        rows AS (
        SELECT 'Pod' AS data_source, usage_start, namespace, node, resource_id,
            {self.json_of('pod_labels')} AS pod_labels,
            pod_usage_cpu_core_hours, pod_request_cpu_core_hours, pod_effective_usage_cpu_core_hours,
            pod_limit_cpu_core_hours, pod_usage_memory_gigabyte_hours, pod_request_memory_gigabyte_hours,
            pod_effective_usage_memory_gigabyte_hours, pod_limit_memory_gigabyte_hours,
            node_capacity_cpu_cores, node_capacity_cpu_core_hours, node_capacity_memory_gigabytes,
            node_capacity_memory_gigabyte_hours, cluster_capacity_cpu_core_hours,
            cluster_capacity_memory_gigabyte_hours,
            NULL::VARCHAR AS persistentvolumeclaim, NULL::VARCHAR AS persistentvolume,
            NULL::VARCHAR AS storageclass, NULL::VARCHAR AS volume_labels,
            {self.json_of('pod_labels')} AS all_labels,
            NULL::DOUBLE AS persistentvolumeclaim_capacity_gigabyte,
            NULL::DOUBLE AS persistentvolumeclaim_capacity_gigabyte_months,
            NULL::DOUBLE AS volume_request_storage_gigabyte_months,
            NULL::DOUBLE AS persistentvolumeclaim_usage_gigabyte_months,
            {q(INFRA_COST)} AS infrastructure_usage_cost, cost_category_id
        FROM pua{storage_select}
        UNION ALL
        SELECT 'Pod', u.usage_start, u.namespace, u.node, u.resource_id, NULL,
            pod_usage_cpu_core_hours, pod_request_cpu_core_hours, pod_effective_usage_cpu_core_hours,
            NULL, pod_usage_memory_gigabyte_hours, pod_request_memory_gigabyte_hours,
            pod_effective_usage_memory_gigabyte_hours, NULL,
            node_capacity_cpu_cores, node_capacity_cpu_core_hours, node_capacity_memory_gigabytes,
            node_capacity_memory_gigabyte_hours, cluster_capacity_cpu_core_hours,
            cluster_capacity_memory_gigabyte_hours, NULL, NULL, NULL, NULL, '{{}}',
            NULL, NULL, NULL, NULL, NULL, cat.cost_category_id
        FROM unallocated AS u
        LEFT JOIN cost_category_namespace AS cat ON u.namespace LIKE cat.namespace ESCAPE '\\')
        SELECT {self.report_period_id if self.report_period_id is not None else 'NULL'}::INTEGER AS report_period_id,
            {q(self.cluster_id)} AS cluster_id, {q(self.cluster_alias)}::VARCHAR AS cluster_alias,
            data_source, usage_start, usage_start AS usage_end, namespace, node, resource_id, pod_labels,
            pod_usage_cpu_core_hours, pod_request_cpu_core_hours, pod_effective_usage_cpu_core_hours,
            pod_limit_cpu_core_hours, pod_usage_memory_gigabyte_hours, pod_request_memory_gigabyte_hours,
            pod_effective_usage_memory_gigabyte_hours, pod_limit_memory_gigabyte_hours,
            node_capacity_cpu_cores, node_capacity_cpu_core_hours, node_capacity_memory_gigabytes,
            node_capacity_memory_gigabyte_hours, cluster_capacity_cpu_core_hours,
            cluster_capacity_memory_gigabyte_hours, persistentvolumeclaim, persistentvolume,
            storageclass, volume_labels, all_labels, persistentvolumeclaim_capacity_gigabyte,
            persistentvolumeclaim_capacity_gigabyte_months, volume_request_storage_gigabyte_months,
            persistentvolumeclaim_usage_gigabyte_months, {q(self.source)} AS source_uuid,
            infrastructure_usage_cost, cost_category_id::INTEGER AS cost_category_id
        FROM rows"""


def apply_nodes(stored, found):
    """koku's populate_node_table (docs/semantics.md "Node roles"): a (node, resource id, cores)
    row is added once; a stored row whose role or architecture is empty takes the new values;
    otherwise the stored role stays (sticky)."""
    for node, rid, cores, role, arch in found:
        cores = None if cores is None else round(cores, 2)
        match = next((s for s in stored if s[0] == node and s[1] == rid and s[2] == cores), None)
        if match is None:
            stored.append([node, rid, cores, role, arch])
        elif not match[3] or not match[4]:
            match[3], match[4] = role, arch
    return stored


def run(summary, output, con=None, threads=None, stored_nodes=None):
    """Summarizes one month into OUTPUT (Parquet). Returns the number of rows written."""
    con = con or duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    summary.setup(con)
    first = summary.first_pod_day(con)
    if first is None:
        return 0
    if first > summary.start:
        summary.start = first
        summary.setup(con)
    stored = apply_nodes(stored_nodes if stored_nodes is not None else [],
                         con.execute(summary.nodes_sql()).fetchall())
    con.execute("CREATE OR REPLACE TEMP TABLE reporting_ocp_nodes (node VARCHAR, resource_id VARCHAR, "
                "node_capacity_cpu_cores DOUBLE, node_role VARCHAR, architecture VARCHAR)")
    if stored:
        con.executemany("INSERT INTO reporting_ocp_nodes VALUES (?, ?, ?, ?, ?)", stored)
    con.execute(f"COPY ({summary.summary_sql()}) TO {q(output)} (FORMAT parquet)")
    return con.execute(f"SELECT count(*) FROM read_parquet({q(output)})").fetchone()[0]


def read_lines(path):
    if not path:
        return []
    with open(path) as f:
        return [l.strip() for l in f if l.strip()]


def summary_from_args(description):
    """The command line both translations take: (Summary, parsed arguments)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--source", required=True)
    ap.add_argument("--year", type=int, required=True)
    ap.add_argument("--month", type=int, required=True)
    ap.add_argument("--account", default="org1234567")
    ap.add_argument("--enabled-keys")
    ap.add_argument("--cost-categories")
    ap.add_argument("--cluster-id", default="bench-cluster")
    ap.add_argument("--threads", type=int)
    a = ap.parse_args()
    cats = None
    if a.cost_categories:
        cats = [(int(l.split(",", 1)[0]), l.split(",", 1)[1]) for l in read_lines(a.cost_categories)]
    s = Summary(a.input, a.source, a.year, a.month, a.account, read_lines(a.enabled_keys), cats,
                a.cluster_id)
    return s, a


def main():
    s, a = summary_from_args(__doc__.split("\n")[0])
    n = run(s, a.output, threads=a.threads)
    print(f"duckdb: {n} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
