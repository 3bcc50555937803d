#!/usr/bin/env python3
"""koku's daily summary translated to Polars' lazy API, run by its streaming engine.

The same translation as bench/koku_duckdb.py (read its docstring): koku's self-hosted statement
for one source and month, labels as the tuple of their enabled-key values (json_path_match per
key), the cost-category LIKE join made per distinct namespace (LIKE patterns become anchored
regular expressions), koku's nodes query for the roles. The pod rows are collected by the
streaming engine; the unallocated rows are computed from them (koku computes them from the rows it
just inserted), and everything is written as one Parquet file.

  koku_polars.py INPUT OUT.parquet --source UUID --year Y --month M [--account A]
      [--enabled-keys FILE] [--cost-categories FILE] [--cluster-id ID] [--threads N]
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from koku_duckdb import INFRA_COST, OUTPUT_COLUMNS, Summary, apply_nodes, summary_from_args  # noqa: E402

GIB = 2.0 ** -30
SUMS = ["pod_usage_cpu_core_seconds", "pod_request_cpu_core_seconds",
        "pod_effective_usage_cpu_core_seconds", "pod_limit_cpu_core_seconds",
        "pod_usage_memory_byte_seconds", "pod_request_memory_byte_seconds",
        "pod_effective_usage_memory_byte_seconds", "pod_limit_memory_byte_seconds"]


def like_regex(pattern):
    """PostgreSQL LIKE (escape \\) as an anchored regular expression."""
    out, i = ["(?s)^"], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 1
        elif c == "%":
            out.append(".*")
        elif c == "_":
            out.append(".")
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out) + "$"


class PolarsSummary:
    def __init__(self, s: Summary):
        import polars as pl
        self.pl, self.s = pl, s
        self.keys = s.keys

    def scan(self, rtype, daily, columns):
        pl, s = self.pl, self.s
        lf = pl.scan_parquet(s.files(rtype, daily))
        have = set(lf.collect_schema().names())
        exprs = [pl.col(c) if c in have else pl.lit(None, dtype=pl.Float64 if c.endswith("seconds")
                                                    else pl.String).alias(c) for c in columns]
        usage_start = pl.col("interval_start").cast(pl.Date).alias("usage_start")
        return (lf.select([usage_start] + exprs)
                .filter(pl.col("usage_start").is_between(s.start, s.end)))

    def labels(self, column, prefix):
        pl = self.pl
        text = pl.when(pl.col(column).str.strip_chars() == "").then(None).otherwise(pl.col(column))
        return [text.str.json_path_match("$." + k).alias(f"{prefix}{i}")
                for i, k in enumerate(self.keys)]

    def merged(self, prefixes, out):
        """jsonb `||` of filtered maps: per key, the right-most column that has it."""
        pl = self.pl
        return [pl.coalesce([pl.col(f"{p}{i}") for p in reversed(prefixes)]).alias(f"{out}{i}")
                for i in range(len(self.keys))]

    def json_text(self, prefix):
        pl = self.pl
        parts = []
        for i, k in enumerate(self.keys):
            v = pl.col(f"{prefix}{i}")
            esc = v.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)
            parts.append(pl.when(v.is_not_null()).then(pl.lit(f'"{k}": "') + esc + pl.lit('"')))
        return pl.concat_str([pl.lit("{"), pl.concat_str(parts, separator=", ", ignore_nulls=True),
                              pl.lit("}")])

    def run(self, output, stored_nodes=None):
        pl, s = self.pl, self.s
        streaming = {"engine": "streaming"}
        pod = self.scan("pod_usage", True, [
            "namespace", "node", "pod", "resource_id", "pod_labels", "node_role"] + SUMS + [
            "node_capacity_cpu_cores", "node_capacity_memory_bytes"])
        first = pod.select(pl.col("usage_start").min()).collect(**streaming).item()
        if first is None:
            return 0
        if first > s.start:
            s.start = first
            pod = self.scan("pod_usage", True, pod.collect_schema().names()[1:])
        nl_raw = self.scan("node_labels", True, ["node", "node_labels"])
        nsl_raw = self.scan("namespace_labels", True, ["namespace", "namespace_labels"])
        # koku's nodes query, each side reduced per node before the join.
        p = (pod.filter(pl.col("node").is_not_null())
             .group_by("node", pl.col("resource_id").fill_null(""))
             .agg(pl.col("node_capacity_cpu_cores").max().alias("cores"),
                  pl.col("node_role").max().alias("operator_role"),
                  (pl.col("namespace") == "openshift-kube-apiserver").any().alias("apiserver")))
        l = (nl_raw.group_by("node")
             .agg(pl.col("node_labels").str.contains('"node_role_kubernetes_io": "infra"', literal=True)
                  .any().alias("infra"), pl.col("node_labels").max().alias("labels")))
        found = (p.join(l, on="node")
                 .select("node", "resource_id", "cores",
                         pl.coalesce("operator_role", pl.when("apiserver").then(pl.lit("master"))
                                     .when("infra").then(pl.lit("infra")).otherwise(pl.lit("worker"))),
                         pl.col("labels").str.json_path_match("$.kubernetes_io_arch").str.to_lowercase())
                 .collect(**streaming).rows())
        stored = apply_nodes(stored_nodes if stored_nodes is not None else [], found)
        roles = (pl.DataFrame(stored, schema=["node", "resource_id", "cores", "node_role", "arch"],
                              orient="row", schema_overrides={"cores": pl.Float64, "node_role": pl.String,
                                                              "arch": pl.String, "node": pl.String,
                                                              "resource_id": pl.String})
                 .group_by("node", "resource_id").agg(pl.col("node_role").max()).lazy())

        nk = [f"n{i}" for i in range(len(self.keys))]
        sk = [f"s{i}" for i in range(len(self.keys))]
        nli = nl_raw.select("usage_start", "node", *self.labels("node_labels", "n")).unique()
        nsli = nsl_raw.select("usage_start", "namespace", *self.labels("namespace_labels", "s")).unique()
        hourly = self.scan("pod_usage", False, ["interval_start", "node", "node_capacity_cpu_core_seconds",
                                                "node_capacity_memory_byte_seconds"])
        nc = (hourly.group_by("usage_start", "interval_start", "node")
              .agg(pl.col("node_capacity_cpu_core_seconds").max().alias("cpu"),
                   pl.col("node_capacity_memory_byte_seconds").max().alias("mem"))
              .group_by("usage_start", "node").agg(pl.col("cpu").sum(), pl.col("mem").sum()))
        cc = nc.group_by("usage_start").agg(pl.col("cpu").sum().alias("ccpu"),
                                            pl.col("mem").sum().alias("cmem"))
        has_storage = s.has("storage_usage", True)
        if has_storage:
            st = self.scan("storage_usage", True, [
                "namespace", "pod", "persistentvolumeclaim", "persistentvolume", "storageclass",
                "csi_volume_handle", "persistentvolume_labels", "persistentvolumeclaim_labels",
                "persistentvolumeclaim_capacity_bytes", "persistentvolumeclaim_capacity_byte_seconds",
                "volume_request_storage_byte_seconds", "persistentvolumeclaim_usage_byte_seconds"])
        namespaces = pod.select(pl.col("namespace").alias("ns"))
        if has_storage:
            namespaces = pl.concat([namespaces, st.select(pl.col("namespace").alias("ns"))])
        cats = pl.DataFrame({"cat": [i for i, _ in s.categories],
                             "re": [like_regex(p) for _, p in s.categories]},
                            schema={"cat": pl.Int32, "re": pl.String}).lazy()
        ns_cat = (namespaces.unique().join(cats, how="cross")
                  .filter(pl.col("ns").str.contains(pl.col("re"))).select("ns", "cat"))

        li = (pod.filter(pl.col("node") != "")
              .with_columns(*self.labels("pod_labels", "p"),
                            pl.coalesce("pod_effective_usage_cpu_core_seconds",
                                        pl.max_horizontal("pod_usage_cpu_core_seconds", "pod_request_cpu_core_seconds")
                                        ).alias("pod_effective_usage_cpu_core_seconds"),
                            pl.coalesce("pod_effective_usage_memory_byte_seconds",
                                        pl.max_horizontal("pod_usage_memory_byte_seconds", "pod_request_memory_byte_seconds")
                                        ).alias("pod_effective_usage_memory_byte_seconds"))
              .join(nli, on=["usage_start", "node"], how="left")
              .join(nsli, on=["usage_start", "namespace"], how="left")
              .join(nc, on=["usage_start", "node"], how="left")
              .join(cc, on="usage_start", how="left")
              .join(ns_cat, left_on="namespace", right_on="ns", how="left")
              .with_columns(self.merged(["n", "s", "p"], "k")))
        kk = [f"k{i}" for i in range(len(self.keys))]
        hours = lambda c: pl.col(c).sum() / 3600.0
        pua = (li.group_by("usage_start", "namespace", "node", *kk)
               .agg(pl.col("cat").max().alias("cost_category_id"),
                    pl.col("resource_id").max(),
                    hours("pod_usage_cpu_core_seconds").alias("pod_usage_cpu_core_hours"),
                    hours("pod_request_cpu_core_seconds").alias("pod_request_cpu_core_hours"),
                    hours("pod_effective_usage_cpu_core_seconds").alias("pod_effective_usage_cpu_core_hours"),
                    hours("pod_limit_cpu_core_seconds").alias("pod_limit_cpu_core_hours"),
                    (hours("pod_usage_memory_byte_seconds") * GIB).alias("pod_usage_memory_gigabyte_hours"),
                    (hours("pod_request_memory_byte_seconds") * GIB).alias("pod_request_memory_gigabyte_hours"),
                    (hours("pod_effective_usage_memory_byte_seconds") * GIB).alias("pod_effective_usage_memory_gigabyte_hours"),
                    (hours("pod_limit_memory_byte_seconds") * GIB).alias("pod_limit_memory_gigabyte_hours"),
                    pl.col("node_capacity_cpu_cores").max(),
                    (pl.col("cpu").max().fill_null(0) / 3600.0).alias("node_capacity_cpu_core_hours"),
                    (pl.col("node_capacity_memory_bytes").max() * GIB).alias("node_capacity_memory_gigabytes"),
                    (pl.col("mem").max().fill_null(0) / 3600.0 * GIB).alias("node_capacity_memory_gigabyte_hours"),
                    (pl.col("ccpu").max().fill_null(0) / 3600.0).alias("cluster_capacity_cpu_core_hours"),
                    (pl.col("cmem").max().fill_null(0) / 3600.0 * GIB).alias("cluster_capacity_memory_gigabyte_hours"))
               .collect(**streaming))
        labels = self.json_text("k")
        pod_rows = pua.with_columns(labels.alias("pod_labels"), labels.alias("all_labels"),
                                    pl.lit("Pod").alias("data_source")).drop(kk)
        parts = [pod_rows]

        excluded = ["Platform unallocated", "Worker unallocated", "Network unattributed", "Storage unattributed"]
        cap = lambda c: pl.col(c).max()
        un = (pua.lazy().filter(pl.col("namespace").is_not_null() & ~pl.col("namespace").is_in(excluded)
                                & pl.col("node").is_not_null())
              .join(roles, on=["node", "resource_id"], how="left")
              .group_by("node", "usage_start")
              .agg(pl.col("node_role").max(), pl.col("resource_id").max(),
                   *[(cap("node_capacity_cpu_core_hours") - pl.col(f"pod_{m}_cpu_core_hours").sum())
                     .alias(f"pod_{m}_cpu_core_hours") for m in ("usage", "request", "effective_usage")],
                   *[(cap("node_capacity_memory_gigabyte_hours") - pl.col(f"pod_{m}_memory_gigabyte_hours").sum())
                     .alias(f"pod_{m}_memory_gigabyte_hours") for m in ("usage", "request", "effective_usage")],
                   *[cap(c) for c in ("node_capacity_cpu_cores", "node_capacity_cpu_core_hours",
                                      "node_capacity_memory_gigabytes", "node_capacity_memory_gigabyte_hours",
                                      "cluster_capacity_cpu_core_hours", "cluster_capacity_memory_gigabyte_hours")])
              .with_columns(pl.when(pl.col("node_role").is_in(["master", "infra"])).then(pl.lit("Platform unallocated"))
                            .when(pl.col("node_role") == "worker").then(pl.lit("Worker unallocated"))
                            .otherwise(None).alias("namespace"))
              .drop("node_role")
              .collect())
        # koku's LEFT JOIN on LIKE: one row per matching pattern, or one row with NULL.
        matched = (un.join(cats.collect(), how="cross")
                   .filter(pl.col("namespace").str.contains(pl.col("re")))
                   .rename({"cat": "cost_category_id"}).drop("re"))
        unmatched = un.join(matched.select("node", "usage_start").unique(), on=["node", "usage_start"],
                            how="anti").with_columns(pl.lit(None, dtype=pl.Int32).alias("cost_category_id"))
        un = pl.concat([matched, unmatched], how="diagonal_relaxed")
        parts.append(un.with_columns(pl.lit("Pod").alias("data_source"), pl.lit("{}").alias("all_labels")))

        if has_storage:
            vn = (st.select("usage_start", "persistentvolumeclaim", "persistentvolume", "pod", "namespace")
                  .join(pod.select("usage_start", "namespace", "pod", "node", "resource_id"),
                        on=["namespace", "pod", "usage_start"])
                  .unique())
            nodecount = vn.group_by("usage_start", "persistentvolume").agg(
                pl.col("node").drop_nulls().n_unique().alias("node_count"))
            month_seconds = 86400 * s.days_in_month
            sli = (st.with_columns(*self.labels("persistentvolume_labels", "v"),
                                   *self.labels("persistentvolumeclaim_labels", "c"))
                   .join(vn.select("usage_start", "persistentvolumeclaim", "pod", "namespace", "node", "resource_id"),
                         on=["usage_start", "persistentvolumeclaim", "pod", "namespace"], how="left")
                   .join(nodecount, on=["usage_start", "persistentvolume"], how="left")
                   .join(nli, on=["usage_start", "node"], how="left")
                   .join(nsli, on=["usage_start", "namespace"], how="left")
                   .join(ns_cat, left_on="namespace", right_on="ns", how="left")
                   .with_columns(self.merged(["n", "s", "v", "c"], "k")))
            divisor = pl.col("node_count").max().fill_null(1)
            sua = (sli.group_by("namespace", "node", "resource_id", "persistentvolumeclaim",
                                "persistentvolume", "storageclass", "csi_volume_handle", "usage_start", *kk)
                   .agg(pl.col("cat").max().alias("cost_category_id"),
                        (pl.col("persistentvolumeclaim_capacity_bytes").max() * GIB).alias("persistentvolumeclaim_capacity_gigabyte"),
                        (pl.col("persistentvolumeclaim_capacity_byte_seconds").sum() / month_seconds * GIB)
                        .alias("persistentvolumeclaim_capacity_gigabyte_months"),
                        (pl.col("volume_request_storage_byte_seconds").sum() / divisor / month_seconds * GIB)
                        .alias("volume_request_storage_gigabyte_months"),
                        (pl.col("persistentvolumeclaim_usage_byte_seconds").sum() / divisor / month_seconds * GIB)
                        .alias("persistentvolumeclaim_usage_gigabyte_months"))
                   .with_columns(labels.alias("volume_labels"), labels.alias("all_labels"),
                                 pl.lit("Storage").alias("data_source"))
                   .drop(kk + ["csi_volume_handle"])
                   .collect(**streaming))
            parts.append(sua)
        out = pl.concat(parts, how="diagonal_relaxed")
        rp = s.report_period_id
        out = out.with_columns(
            pl.lit(rp, dtype=pl.Int32).alias("report_period_id"), pl.lit(s.cluster_id).alias("cluster_id"),
            pl.lit(s.cluster_alias, dtype=pl.String).alias("cluster_alias"),
            pl.col("usage_start").alias("usage_end"), pl.lit(s.source).alias("source_uuid"),
            pl.when(pl.col("pod_labels").is_not_null() | (pl.col("data_source") == "Storage"))
            .then(pl.lit(INFRA_COST)).alias("infrastructure_usage_cost"),
            pl.col("cost_category_id").cast(pl.Int32))
        for c in OUTPUT_COLUMNS:
            if c not in out.columns:
                out = out.with_columns(pl.lit(None, dtype=pl.String if "labels" in c or c in (
                    "persistentvolumeclaim", "persistentvolume", "storageclass") else pl.Float64).alias(c))
        out.select(OUTPUT_COLUMNS).write_parquet(output)
        return out.height


def main():
    s, a = summary_from_args(__doc__.split("\n")[0])
    if a.threads:  # read when polars is first imported
        os.environ["POLARS_MAX_THREADS"] = str(a.threads)
    n = PolarsSummary(s).run(a.output)
    print(f"polars: {n} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
