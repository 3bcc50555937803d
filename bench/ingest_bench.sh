#!/usr/bin/env bash
# Measures `ocpagg ingest` throughput and peak memory on large operator payloads.
#
#   bench/ingest_bench.sh [BUILD_DIR]      (default: build; builds it if needed)
#
# Payloads come from tools/gen_operator_payload.py and are cached under
# ${OCPAGG_BENCH_CACHE:-/tmp/ocpagg-bench-payloads}. Each payload is ingested RUNS times
# (default 3) under /usr/bin/time -v; the table shows medians. Sizes:
#   1m       ~1M pod-usage rows: 401 nodes x 104 pods x 24 h (one day)
#   2m       ~2M rows, the same cluster over two days: twice the payload, same shape
#   2m-wide  ~2M rows, twice the nodes over one day: each 200k-row chunk holds twice as many
#            distinct pods, the heaviest per-chunk state of the three
# Peak RSS is bounded by the per-chunk state (koku's 200,000-row chunks), not by the payload
# size: compare 1m with 2m. Results go to bench/results/ingest.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
runs="${RUNS:-3}"
cache="${OCPAGG_BENCH_CACHE:-/tmp/ocpagg-bench-payloads}"
bin="$build/bin/ocpagg"
source_uuid="00000000-0000-4000-8000-000000000001"

[[ -x "$bin" ]] || "$root/scripts/build" "$build" >/dev/null
[[ -x /usr/bin/time ]] || { echo "ingest_bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }

declare -A rows_arg=([1m]=1000000 [2m]=2000000 [2m-wide]=2000000)
declare -A days_arg=([1m]=1 [2m]=2 [2m-wide]=1)
sizes=(1m 2m 2m-wide)

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
table="$work/table.md"
printf '| payload | pod rows | all CSV rows | CSV MB | wall s (median) | pod rows/s | all rows/s | peak RSS MB (median) | Parquet MB |\n' >"$table"
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|\n' >>"$table"

for size in "${sizes[@]}"; do
  payload="$cache/$size"
  if [[ ! -f "$payload/.complete" ]]; then
    rm -rf "$payload"
    python3 "$root/tools/gen_operator_payload.py" "$payload" --pod-rows "${rows_arg[$size]}" \
      --days "${days_arg[$size]}" >&2
    touch "$payload/.complete"
  fi
  csv_mb=$(du -sm --apparent-size "$payload" | cut -f1)
  walls=() rss=() report=""
  for ((i = 1; i <= runs; i++)); do
    out="$work/out"
    rm -rf "$out"
    /usr/bin/time -v "$bin" ingest "$payload" --output "$out" --source "$source_uuid" \
      >"$work/stdout" 2>"$work/time"
    walls+=("$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(k=1;k<=n;k++) s=s*60+t[k]; print s}' "$work/time")")
    rss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")")
    report="$(cat "$work/stdout")"
    parquet_mb=$(du -sm --apparent-size "$out" | cut -f1)
    echo "ingest_bench: $size run $i: ${walls[-1]} s, $((rss[-1] / 1024)) MB" >&2
  done
  pod_rows=$(awk '$1 == "pod_usage" {print $3}' <<<"$report")
  all_rows=$(awk '$1 ~ /^(pod_usage|storage_usage|node_labels|namespace_labels)$/ {s += $3} END {print s}' <<<"$report")
  wall=$(printf '%s\n' "${walls[@]}" | median)
  rss_kb=$(printf '%s\n' "${rss[@]}" | median)
  printf '| %s | %s | %s | %s | %.2f | %.0f | %.0f | %.0f | %s |\n' "$size" "$pod_rows" "$all_rows" \
    "$csv_mb" "$wall" "$(echo "$pod_rows / $wall" | bc -l)" "$(echo "$all_rows / $wall" | bc -l)" \
    "$(echo "$rss_kb / 1024" | bc -l)" "$parquet_mb" >>"$table"
done

cat "$table"

results="$root/bench/results/ingest.md"
mkdir -p "$(dirname "$results")"
kept=""
[[ -f "$results" ]] && kept="$(awk '/^## /{p=1} p' "$results")"
{
  echo "# ocpagg ingest benchmark"
  echo
  echo "Operator payloads from \`tools/gen_operator_payload.py\` (nise's CSV format: CRLF, one header"
  echo "per file, the pod report cut into 100,000-row files, every pod with its own labels) through"
  echo "\`ocpagg ingest\`, $runs runs each, medians. Wall time and peak RSS from \`/usr/bin/time -v\`."
  echo
  cat "$table"
  echo
  echo "- 1m: 401 nodes x 104 pods x 24 h; 2m: the same cluster over 48 h; 2m-wide: 802 nodes x 104"
  echo "  pods x 24 h. \"all CSV rows\" adds the storage, node-label and namespace-label rows."
  echo "- Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')),"
  echo "  load average at the end $(cut -d' ' -f1-3 /proc/loadavg); ocpagg $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown),"
  echo "  $(date -u +%Y-%m-%d)."
  echo "- Three threads: CSV reading and parsing, conversion and aggregation, Parquet encoding."
  echo "- Peak RSS follows the per-chunk state (distinct groups in a 200,000-row chunk, label cache,"
  echo "  Parquet buffers), not the payload size: 1m and 2m have the same cluster."
  # The sections below the table (## ...: profiles, rounds of tuning) are notes written by hand:
  # kept as they are.
  if [[ -n "$kept" ]]; then
    echo
    printf '%s\n' "$kept"
  fi
} >"$results"
echo "ingest_bench: wrote $results" >&2
