#!/usr/bin/env bash
# Summarize throughput and peak memory per mode, memory limit and input size.
#
#   bench/summarize_bench.sh [SIZES] [MODES] [RUNS]
#     SIZES  pod-hour rows, comma-separated; ROWS@DAYS puts them in DAYS days (default: the
#            whole month). Default 1000000,10000000,100000000,1440000@1 (the last: one day too
#            large for small limits, which spills)
#     MODES  comma-separated mode[:limit[:threads]] (default: parallel, serial, in-memory at
#            256MB, and parallel at 128MB and 64MB)
#     RUNS   runs per point; the median is reported (default 3)
#
# Datasets come from `ocpagg generate --seed 42` (cached under
# ${OCPAGG_BENCH_DATA:-/tmp/ocpagg-bench}; 100 M rows take about 15 GB and several minutes).
# in-memory reads everything first and is skipped above OCPAGG_BENCH_INMEMORY_MAX_ROWS
# (default 10000000: at 100 M rows it would need tens of GB). A run that stops (exit code 5:
# the limit is too small for the input) is reported as such. Peak RSS is /usr/bin/time's
# "Maximum resident set size". Writes bench/results/summarize.{md,csv,png}.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sizes="${1:-1000000,10000000,100000000,1440000@1}"
modes="${2:-parallel,serial,in-memory,parallel:128MB,parallel:64MB}"
runs="${3:-3}"
data_root="${OCPAGG_BENCH_DATA:-/tmp/ocpagg-bench}"
inmemory_max="${OCPAGG_BENCH_INMEMORY_MAX_ROWS:-10000000}"
bin="$root/build/bin/ocpagg"
[[ -x "$bin" ]] || "$root/scripts/build" "$root/build" >/dev/null
results="$root/bench/results"
mkdir -p "$results" "$data_root"
csv="$results/summarize.csv"
echo "rows,days,mode,memory_limit,threads,status,seconds,rows_per_second,peak_rss_mb,cpu_seconds,spill_bytes,days_spilled,output_rows" >"$csv"

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { python3 -c "import json,sys;r=json.load(open(sys.argv[1]));print(eval(sys.argv[2]))" "$@"; }

IFS=, read -ra size_list <<<"$sizes"
IFS=, read -ra mode_list <<<"$modes"
for size in "${size_list[@]}"; do
  IFS=@ read -r rows days <<<"$size"
  days="${days:-31}"
  data="$data_root/rows-$rows-days-$days"
  if [[ ! -f "$data/.complete" ]]; then
    rm -rf "$data"
    echo "generating $rows pod-hour rows over $days days" >&2
    "$bin" generate --output "$data" --pod-hour-rows "$rows" --days "$days" --seed 42 --quiet
    touch "$data/.complete"
  fi
  # Runs interleave the modes (run 1 of every mode, then run 2, ...), so that a machine whose
  # speed drifts (shared hosts do) biases no mode.
  declare -A secs=() rss=() cpu=() status=() spill=() spilled=() out_rows=() used=()
  for ((i = 0; i < runs; i++)); do
    for spec in "${mode_list[@]}"; do
      IFS=: read -r mode limit threads <<<"$spec"
      limit="${limit:-256MB}"
      threads="${threads:-$(nproc)}"
      if [[ "$mode" == in-memory && "$rows" -gt "$inmemory_max" ]]; then continue; fi
      [[ -n "${status[$spec]:-}" && "${status[$spec]}" != ok ]] && continue
      out="$(mktemp -d)"
      if /usr/bin/time -v -o "$out/time.txt" "$bin" summarize --input "$data" \
        --source 00000000-0000-0000-0000-000000000001 --year 2025 --month 10 \
        --cluster-id bench-cluster --output "$out/summary" --format parquet --quiet \
        --mode "$mode" --memory-limit "$limit" --threads "$threads" --report "$out/report.json" \
        2>"$out/stderr.txt"; then
        status[$spec]=ok
        secs[$spec]+="$(field "$out/report.json" "r['seconds']['wall']") "
        cpu[$spec]+="$(field "$out/report.json" "r['seconds']['cpu']") "
        rss[$spec]+="$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2/1024}' "$out/time.txt") "
        spill[$spec]="$(field "$out/report.json" "r['spill_bytes']")"
        spilled[$spec]="$(field "$out/report.json" "r['days_spilled']")"
        out_rows[$spec]="$(field "$out/report.json" "sum(r['rows_written'].values())")"
        used[$spec]="$(field "$out/report.json" "r['threads']")"
      else
        status[$spec]="exit $?: $(tr -d ',' <"$out/stderr.txt" | head -c 300)"
      fi
      rm -rf "$out"
    done
  done
  for spec in "${mode_list[@]}"; do
    IFS=: read -r mode limit threads <<<"$spec"
    limit="${limit:-256MB}"
    threads="${threads:-$(nproc)}"
    [[ -n "${status[$spec]:-}" ]] || continue
    if [[ "${status[$spec]}" == ok ]]; then
      s=$(tr ' ' '\n' <<<"${secs[$spec]}" | grep . | median)
      m=$(tr ' ' '\n' <<<"${rss[$spec]}" | grep . | median)
      c=$(tr ' ' '\n' <<<"${cpu[$spec]}" | grep . | median)
      rps=$(python3 -c "print(round($rows / $s))")
      echo "$rows,$days,$mode,$limit,${used[$spec]},ok,$s,$rps,$m,$c,${spill[$spec]},${spilled[$spec]},${out_rows[$spec]}" | tee -a "$csv"
    else
      echo "$rows,$days,$mode,$limit,$threads,\"${status[$spec]}\",,,,,,," | tee -a "$csv"
    fi
  done
  unset secs rss cpu status spill spilled out_rows used
done

py="$root/.venv/bin/python"
[[ -x "$py" ]] || py=python3
"$py" "$root/bench/plot_summarize.py" "$csv" "$results"
