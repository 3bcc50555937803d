#!/usr/bin/env bash
# Summarize throughput and peak memory per mode and input size.
#
#   bench/summarize_bench.sh [SIZES] [MODES] [RUNS]
#     SIZES  pod-hour rows, comma-separated (default 1000000,10000000)
#     MODES  comma-separated modes, each optionally with a memory limit and thread count:
#            mode[:limit[:threads]] (default parallel,serial,in-memory)
#     RUNS   runs per point; the median is reported (default 3)
#
# Datasets come from `ocpagg generate` (cached under ${OCPAGG_BENCH_DATA:-/tmp/ocpagg-bench}).
# Peak RSS is /usr/bin/time's "Maximum resident set size". Prints a table and writes
# bench/results/summarize.md, bench/results/summarize.csv and bench/results/summarize.png.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sizes="${1:-1000000,10000000}"
modes="${2:-parallel,serial,in-memory}"
runs="${3:-3}"
data_root="${OCPAGG_BENCH_DATA:-/tmp/ocpagg-bench}"
bin="$root/build/bin/ocpagg"
[[ -x "$bin" ]] || "$root/scripts/build" "$root/build" >/dev/null
results="$root/bench/results"
mkdir -p "$results" "$data_root"
csv="$results/summarize.csv"
echo "rows,mode,memory_limit,threads,seconds,rows_per_second,peak_rss_mb,cpu_seconds,spill_bytes,output_rows" >"$csv"

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

IFS=, read -ra size_list <<<"$sizes"
IFS=, read -ra mode_list <<<"$modes"
for rows in "${size_list[@]}"; do
  data="$data_root/rows-$rows"
  if [[ ! -f "$data/.complete" ]]; then
    rm -rf "$data"
    "$bin" generate --output "$data" --pod-hour-rows "$rows" --seed 42 --quiet
    touch "$data/.complete"
  fi
  for spec in "${mode_list[@]}"; do
    IFS=: read -r mode limit threads <<<"$spec"
    limit="${limit:-256MB}"
    threads="${threads:-$(nproc)}"
    secs=() rss=() cpu=() spill=() out_rows=() used_threads=()
    for ((i = 0; i < runs; i++)); do
      out="$(mktemp -d)"
      /usr/bin/time -v -o "$out/time.txt" "$bin" summarize --input "$data" \
        --source 00000000-0000-0000-0000-000000000001 --year 2025 --month 10 \
        --cluster-id bench-cluster --output "$out/summary" --format parquet --quiet \
        --mode "$mode" --memory-limit "$limit" --threads "$threads" --report "$out/report.json"
      secs+=("$(python3 -c "import json;print(json.load(open('$out/report.json'))['seconds']['wall'])")")
      cpu+=("$(python3 -c "import json;print(json.load(open('$out/report.json'))['seconds']['cpu'])")")
      spill+=("$(python3 -c "import json;print(json.load(open('$out/report.json'))['spill_bytes'])")")
      out_rows+=("$(python3 -c "import json;r=json.load(open('$out/report.json'))['rows_written'];print(sum(r.values()))")")
      used_threads+=("$(python3 -c "import json;print(json.load(open('$out/report.json'))['threads'])")")
      rss+=("$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2/1024}' "$out/time.txt")")
      rm -rf "$out"
    done
    s=$(printf '%s\n' "${secs[@]}" | median)
    m=$(printf '%s\n' "${rss[@]}" | median)
    c=$(printf '%s\n' "${cpu[@]}" | median)
    rps=$(python3 -c "print(round($rows / $s))")
    echo "$rows,$mode,$limit,${used_threads[0]},$s,$rps,$m,$c,${spill[0]},${out_rows[0]}" | tee -a "$csv"
  done
done

py="$root/.venv/bin/python"
[[ -x "$py" ]] || py=python3
"$py" "$root/bench/plot_summarize.py" "$csv" "$results"
