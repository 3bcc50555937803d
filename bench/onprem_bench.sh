#!/usr/bin/env bash
# summarize from koku's on-prem PostgreSQL tables against the Parquet path, on the same data.
#
#   bench/onprem_bench.sh [ROWS] [RUNS]
#     ROWS  pod-hour rows of the month (default 10000000), from `ocpagg generate --seed 42`
#           (cached under ${OCPAGG_BENCH_DATA:-/tmp/ocpagg-bench}, shared with summarize_bench.sh)
#     RUNS  runs of each path, interleaved (default 5); medians are reported
#
# A private PostgreSQL server (Debian's initdb/pg_ctl, default settings, unix socket only) keeps
# the on-prem tables under ${OCPAGG_BENCH_PG:-/tmp/ocpagg-onprem-bench}; they are loaded once
# with build/bench/onprem_load_bench (the loader of `ingest --postgres`) and kept for later
# runs; ocpagg's index on the hourly pod table is added to them (OCPAGG_BENCH_INDEX=0 drops it).
# Both paths run at ocpagg's default settings (parallel, 256 MB limit) and write the summary as
# Parquet files, so that only the input differs. Peak RSS of ocpagg is /usr/bin/time's;
# the server's memory is sampled every 100 ms during each on-prem run: the sum of RSS over its
# processes (which counts shared buffers once per process) and the sum of PSS (shared pages
# divided among the processes that map them), and its CPU time: that of the backends, which
# end with the run. Run it under the CPU lock. Writes
# bench/results/onprem.md, keeping its hand-written sections (## ...) as they are.
# OCPAGG_BENCH_BIN times another ocpagg binary (an older build, to compare).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rows="${1:-10000000}"
runs="${2:-5}"
source_uuid=00000000-0000-0000-0000-000000000001
schema=org1234567
bin="${OCPAGG_BENCH_BIN:-$root/build/bin/ocpagg}"
loader="$root/build/bench/onprem_load_bench"
data="${OCPAGG_BENCH_DATA:-/tmp/ocpagg-bench}/rows-$rows-days-31"
pg_root="${OCPAGG_BENCH_PG:-/tmp/ocpagg-onprem-bench}"
pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
port=5499
sock="$pg_root/sock"
url="postgresql:///bench?host=$sock&port=$port"
as_pg=()
[[ "$(id -u)" == 0 ]] && as_pg=(runuser -u postgres --)

if [[ ! -f "$data/.complete" ]]; then
  rm -rf "$data"
  "$bin" generate --output "$data" --pod-hour-rows "$rows" --seed 42 --quiet
  touch "$data/.complete"
fi

mkdir -p "$pg_root/sock"
[[ "$(id -u)" == 0 ]] && chown -R postgres "$pg_root"
if [[ ! -f "$pg_root/data/PG_VERSION" ]]; then
  "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_root/data" -U postgres -A trust >/dev/null
fi
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_root/data" -l "$pg_root/log" -w \
  -o "-p $port -k $sock -c listen_addresses=''" start >/dev/null
trap '"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_root/data" -m fast -w stop >/dev/null' EXIT
psql_() { psql -X -q -v ON_ERROR_STOP=1 -A -t -h "$sock" -p "$port" -U postgres "$@"; }

marker="$pg_root/loaded-$rows"
if [[ ! -f "$marker" ]]; then
  psql_ -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
  sed "s/{schema}/$schema/g" "$root/tests/sql/koku-schema.sql" | psql_ -d bench >/dev/null
  t0=$(date +%s.%N)
  "$loader" "$data" "$url&user=postgres" "$schema" "$source_uuid" 2025 10
  t1=$(date +%s.%N)
  psql_ -d bench -c "VACUUM ANALYZE"
  echo "load_seconds $(echo "$t1 - $t0" | bc)" >"$marker"
fi
# ocpagg's index on the hourly pod table, as `ingest --postgres --create-schema` creates it (the
# statement comes from the code), then VACUUM ANALYZE so that the index-only scans it allows
# find every page all-visible. OCPAGG_BENCH_INDEX=0 drops it instead: koku's tables as they are.
index_name=ocpagg_hourly_capacity_idx
has_index=$(psql_ -d bench -c "SELECT count(*) FROM pg_indexes WHERE schemaname = '$schema' AND indexname = '$index_name'")
if [[ "${OCPAGG_BENCH_INDEX:-1}" == 0 ]]; then
  [[ $has_index == 1 ]] && psql_ -d bench -c "DROP INDEX $schema.$index_name"
  index_text="without ocpagg's index"
else
  if [[ $has_index == 0 ]]; then
    "$loader" --index-ddl "$schema" | psql_ -d bench
    psql_ -d bench -c "VACUUM ANALYZE $schema.openshift_pod_usage_line_items"
  fi
  index_mb=$(psql_ -d bench -c "SELECT pg_relation_size('$schema.$index_name') / 1048576")
  index_text="with ocpagg's index \`$index_name\` ($index_mb MB, created by \`onprem_load_bench --index-ddl\`, then vacuumed)"
fi
table_mb=$(psql_ -d bench -c "SELECT pg_total_relation_size('$schema.openshift_pod_usage_line_items') / 1048576")

# Sum of RSS and of PSS over the server's processes, in MiB, every 100 ms until told to stop.
# One awk reads every process's counters per sample: an awk per process and sample took half a
# core from the runs it measured.
sample_server() {
  set +e
  local peak_rss=0 peak_pss=0 pm rss pss files
  read -r pm <"$pg_root/data/postmaster.pid"
  while [[ ! -f "$1.stop" ]]; do
    files=()
    for p in $pm $(pgrep -P "$pm"); do files+=("/proc/$p/smaps_rollup"); done
    # A process may end between the listing and the read: it then counts 0.
    read -r rss pss < <(awk '/^Rss:/ {r += $2} /^Pss:/ {s += $2} END {print r + 0, s + 0}' \
      "${files[@]}" 2>/dev/null)
    ((rss > peak_rss)) && peak_rss=$rss
    ((pss > peak_pss)) && peak_pss=$pss
    sleep 0.1
  done
  echo "$((peak_rss / 1024)) $((peak_pss / 1024))" >"$1"
}

# CPU seconds of the server's processes that have ended (its backends), from the postmaster's
# counters of waited-for children, once only the processes that were there at `$1` (a count) run.
server_cpu() {
  local pm n=0
  read -r pm <"$pg_root/data/postmaster.pid"
  while (($(pgrep -c -P "$pm") > $1 && n++ < 50)); do sleep 0.05; done
  awk -v hz="$(getconf CLK_TCK)" '{print ($16 + $17) / hz}' "/proc/$pm/stat"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A wall=() rss=() srv_rss=() srv_pss=() srv_cpu=() out_rows=()
loads=""
for ((i = 1; i <= runs; i++)); do
  for path in parquet onprem; do
    out="$(mktemp -d)"
    if [[ $path == parquet ]]; then
      input=(--input "$data")
    else
      input=(--input "$url&user=postgres" --schema "$schema")
      read -r pm <"$pg_root/data/postmaster.pid"
      idle=$(pgrep -c -P "$pm")
      cpu0=$(server_cpu "$idle")
      sample_server "$out/server" &
    fi
    loads+="$(cut -d' ' -f1 /proc/loadavg) "
    /usr/bin/time -v -o "$out/time.txt" "$bin" summarize "${input[@]}" --source "$source_uuid" \
      --year 2025 --month 10 --cluster-id bench-cluster --output "$out/summary" \
      --format parquet --quiet --report "$out/report.json"
    if [[ $path == onprem ]]; then
      touch "$out/server.stop"
      wait
      read -r r p <"$out/server"
      srv_rss[$path]+="$r "
      srv_pss[$path]+="$p "
      srv_cpu[$path]+="$(echo "$(server_cpu "$idle") - $cpu0" | bc) "
    fi
    wall[$path]+="$(python3 -c "import json;print(json.load(open('$out/report.json'))['seconds']['wall'])") "
    rss[$path]+="$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2/1024}' "$out/time.txt") "
    out_rows[$path]="$(python3 -c "import json;print(sum(json.load(open('$out/report.json'))['rows_written'].values()))")"
    echo "run $i $path wall $(echo ${wall[$path]} | awk '{print $NF}') s, rss $(echo ${rss[$path]} | awk '{print $NF}') MB" >&2
    rm -rf "$out"
  done
done

m() { printf %.2f "$(tr ' ' '\n' <<<"$1" | grep -v '^$' | median)"; }
pw=$(m "${wall[parquet]}") ow=$(m "${wall[onprem]}")
results="$root/bench/results/onprem.md"
kept=""
[[ -f "$results" ]] && kept="$(awk '/^## /{p=1} p' "$results")"
{
  echo "# summarize from koku's on-prem PostgreSQL tables"
  echo
  echo "Machine: $(nproc) cores, $(uname -sr). PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') with default settings"
  echo "(shared_buffers 128MB), tables of tests/sql/koku-schema.sql (plain, with koku's indexes), loaded by"
  echo "\`onprem_load_bench\` (the loader of \`ingest --postgres\`) in $(printf %.0f "$(cut -d' ' -f2 "$marker")") s and vacuumed; the hourly"
  echo "pod table with its indexes takes ${table_mb} MB, $index_text. Input: \`ocpagg generate --seed 42\`, $rows pod-hour"
  echo "rows, 2025-10. ocpagg at its default settings (parallel, --memory-limit 256MB), summary to"
  echo "Parquet files in both paths. Medians of $runs runs, the two paths interleaved; load average"
  echo "(1 min) at the start of the runs: $loads."
  echo
  echo "| input | seconds | peak RSS MB (ocpagg) | server RSS sum MB | server PSS sum MB | server CPU s | output rows |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  echo "| Parquet files | $pw | $(m "${rss[parquet]}") | | | | ${out_rows[parquet]} |"
  echo "| PostgreSQL tables | $ow | $(m "${rss[onprem]}") | $(m "${srv_rss[onprem]}") | $(m "${srv_pss[onprem]}") | $(m "${srv_cpu[onprem]}") | ${out_rows[onprem]} |"
  echo
  echo "On-prem / Parquet wall time: $(echo "scale=2; $ow / $pw" | bc)x."
  echo
  echo "Every run: parquet ${wall[parquet]}s; on-prem ${wall[onprem]}s; ocpagg peak RSS MB parquet"
  echo "${rss[parquet]}, on-prem ${rss[onprem]}; server RSS sum MB ${srv_rss[onprem]}, PSS sum MB ${srv_pss[onprem]}; server CPU s ${srv_cpu[onprem]}."
  echo "Binary: $bin (ocpagg $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown) tree), $(date -u +%Y-%m-%d)."
  # The sections below (## ...: where the time goes, earlier rounds) are written by hand.
  if [[ -n "$kept" ]]; then
    echo
    printf '%s\n' "$kept"
  fi
} >"$results"
cat "$results"
