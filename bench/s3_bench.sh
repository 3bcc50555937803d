#!/usr/bin/env bash
# Summarize from S3 beside summarize from local disk: the same 10 M-row dataset, served over
# loopback by versitygw (an S3 gateway over a local folder, as the tests use it), runs
# interleaved (local, S3, local, S3, ...), medians reported with the load average.
#
#   bench/s3_bench.sh [ROWS] [RUNS]      (default 10000000 pod-hour rows, 5 runs each)
#
# Run it under the shared CPU lock on a shared machine (flock -o /tmp/ocpagg-cpu.lock ...):
# versitygw runs on the same cores as ocpagg, as a gateway on the same host would. The dataset
# comes from `ocpagg generate --seed 42` (cached under ${OCPAGG_BENCH_DATA:-/tmp/ocpagg-bench},
# shared with summarize_bench.sh); the bucket's folder holds hard links to it, which is what an
# upload to a posix-backed gateway leaves on its disk. Writes bench/results/s3.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rows="${1:-10000000}"
runs="${2:-5}"
data_root="${OCPAGG_BENCH_DATA:-/tmp/ocpagg-bench}"
bin="$root/build/bin/ocpagg"
gw="$(command -v versitygw || echo "$HOME/go/bin/versitygw")"
[[ -x "$bin" ]] || "$root/scripts/build" "$root/build" >/dev/null
[[ -x "$gw" ]] || { echo "versitygw is not installed (scripts/setup --dev)" >&2; exit 1; }
data="$data_root/rows-$rows-days-31"
if [[ ! -f "$data/.complete" ]]; then
  rm -rf "$data"
  "$bin" generate --output "$data" --pod-hour-rows "$rows" --seed 42 --quiet
  touch "$data/.complete"
fi

work="$(mktemp -d)"
gw_pid=""
cleanup() { [[ -n "$gw_pid" ]] && kill "$gw_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/s3/bench"
cp -al "$data/data" "$work/s3/bench/data"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$gw" --access bench --secret benchsecret --port "127.0.0.1:$port" posix "$work/s3" \
  >"$work/gw.log" 2>&1 &
gw_pid=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { python3 -c "import json,sys;r=json.load(open(sys.argv[1]));print(eval(sys.argv[2]))" "$@"; }

declare -A inputs=([local]="$data" [s3]="s3://bench")
declare -A secs=() rss=() cpu=() gwcpu=() bytes=() requests=()
# The gateway's CPU seconds so far (utime + stime of /proc/PID/stat).
gw_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$gw_pid/stat"; }
log="$work/runs.txt"
for ((i = 1; i <= runs; i++)); do
  for where in local s3; do
    out="$work/out-$where"
    rm -rf "$out"
    mkdir -p "$out"
    gw_before="$(gw_cpu)"
    AWS_EC2_METADATA_DISABLED=true /usr/bin/time -v -o "$out/time.txt" "$bin" summarize \
      --input "${inputs[$where]}" --s3-endpoint "http://127.0.0.1:$port" \
      --s3-access-key bench --s3-secret-key benchsecret \
      --source 00000000-0000-0000-0000-000000000001 --year 2025 --month 10 \
      --cluster-id bench-cluster --output "$out/summary" --format parquet --quiet \
      --mode parallel --report "$out/report.json" >/dev/null
    s="$(field "$out/report.json" "r['seconds']['wall']")"
    m="$(awk '/Maximum resident/ {printf "%.0f", $NF/1024}' "$out/time.txt")"
    c="$(awk -F': ' '/User time|System time/ {t += $2} END {printf "%.2f", t}' "$out/time.txt")"
    b="$(field "$out/report.json" "r['bytes_read']")"
    q="$(field "$out/report.json" "r['read_requests']")"
    g="$(awk -v a="$gw_before" -v b="$(gw_cpu)" 'BEGIN {printf "%.2f", b - a}')"
    load="$(cut -d' ' -f1 /proc/loadavg)"
    secs[$where]+="$s "; rss[$where]+="$m "; cpu[$where]+="$c "; gwcpu[$where]+="$g "
    bytes[$where]="$b"; requests[$where]="$q"
    echo "$where run $i: ${s}s wall, ${c}s cpu (gateway ${g}s), ${m} MB peak RSS, $b bytes in $q requests, load $load" | tee -a "$log"
  done
done

{
  echo "# Summarize from S3 vs local disk"
  echo
  echo "bench/s3_bench.sh $rows $runs on $(date -u +%Y-%m-%d), $(nproc) cores, commit" \
    "$(git -C "$root" rev-parse --short HEAD); versitygw $("$gw" --version 2>/dev/null | head -1 | awk '{print $NF}')" \
    "on loopback serving the dataset's folder. Mode parallel, default memory limit;" \
    "medians of $runs interleaved runs."
  echo
  echo "| input | wall s | CPU s | gateway CPU s | peak RSS MB | bytes read | read requests |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for where in local s3; do
    echo "| $where | $(tr ' ' '\n' <<<"${secs[$where]}" | grep . | median) |" \
      "$(tr ' ' '\n' <<<"${cpu[$where]}" | grep . | median) |" \
      "$(tr ' ' '\n' <<<"${gwcpu[$where]}" | grep . | median) |" \
      "$(tr ' ' '\n' <<<"${rss[$where]}" | grep . | median) | ${bytes[$where]} | ${requests[$where]} |"
  done
  c3="$(tr ' ' '\n' <<<"${cpu[s3]}" | grep . | median)"
  g3="$(tr ' ' '\n' <<<"${gwcpu[s3]}" | grep . | median)"
  echo
  echo "From S3, ocpagg and the gateway share the machine's $(nproc) cores: $c3 + $g3 CPU" \
    "seconds, at least $(awk -v a="$c3" -v b="$g3" -v n="$(nproc)" 'BEGIN {printf "%.2f", (a + b) / n}') s" \
    "of wall time however well the reads overlap. ocpagg's own extra CPU is the HTTP client's."
  echo
  echo "Runs (load average: 1-minute, at the end of each run):"
  echo
  echo '```'
  cat "$log"
  echo '```'
} >"$root/bench/results/s3.md"
cat "$root/bench/results/s3.md"
