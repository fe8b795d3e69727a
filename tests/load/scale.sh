#!/usr/bin/env bash
# The scale benchmark (not part of CI): fills a broker's receipt log to each
# size in SIZES with the bulk path (wams-ledger-scale fill: real signed,
# hashed, indexed, group-committed appends through the Ledger API) and at
# each size measures:
#   - the broker on the data dir as the fill left it: start-up time to
#     "listening", the write-ahead log RocksDB replays, the bytes the broker
#     read to get there (/proc/PID/io rchar), its RSS (VmRSS, and peak VmHWM)
#     after start-up and after a 10 s wams-load run with the school's
#     reference adapter;
#   - then, after the broker stopped, proofs, lookups and queries in-process
#     (wams-ledger-scale probe): inclusion and consistency proofs,
#     GetReceipt, Query by case and by subject, each on random samples.
# The data dir is kept (SCALE_DIR), so the next size continues the fill and a
# rerun skips sizes already reached. Needs several GB of disk at 10 M.
#
# usage: tests/load/scale.sh   (env: SIZES="1000000 10000000" SCALE_DIR=build/load/scale
#                               BUILD_DIR=build/load SKIP_BUILD=0 THREADS=2 SAMPLES=2000)
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build/load}
sizes=${SIZES:-1000000 10000000}
dir=${SCALE_DIR:-$build/scale}
threads=${THREADS:-2}
samples=${SAMPLES:-2000}

echo "== $(date -u +%FT%TZ) on $(nproc) CPUs; $(uptime)"
mkdir -p "$dir"
df -h "$dir"
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=-g \
    -DWAMS_BUILD_BENCHMARKS=ON >/dev/null
  cmake --build "$build" -j2 --target wams-broker wams-adapter wams-load wams-ledger-scale
fi
bin_broker=$build/broker/wams-broker
bin_adapter=$build/adapters/wams-adapter
bin_load=$build/tests/load/wams-load
bin_scale=$build/tests/load/wams-ledger-scale

# The PKI and config live with the data: the receipts are signed with these keys.
pki=$dir/dev-pki
if [[ ! -s $pki/receipt-signing.key ]]; then
  bash "$src/deploy/dev-pki.sh" "$pki" >/dev/null
fi
mkdir -p "$dir/config" "$dir/adapter" "$dir/logs"
sed -e "s|\.\./\.\./deploy/dev-pki/|$pki/|g" -e "s|\"records/|\"$src/adapters/config/records/|" \
  -e 's|"127.0.0.1:7453"|"127.0.0.1:0"|' "$src/adapters/config/school.textproto" \
  >"$dir/adapter/school.textproto"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# Waits (up to 20 min: a long log replay) for "listening on HOST:PORT" in
# FILE from PID; sets $port.
await_listening() {
  local file=$1 pid=$2
  for _ in $(seq 120000); do
    if grep -q '^listening on ' "$file" 2>/dev/null; then
      port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$file" | head -1)
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.01
  done
  return 1
}

"$bin_adapter" --config "$dir/adapter/school.textproto" >"$dir/logs/adapter.out" \
  2>"$dir/logs/adapter.log" &
adapter_pid=$!
pids+=("$adapter_pid")
await_listening "$dir/logs/adapter.out" "$adapter_pid" || { cat "$dir/logs/adapter.log"; exit 1; }
adapter_port=$port
sed -e 's|127.0.0.1:7443|127.0.0.1:0|' -e "s|127.0.0.1:7453|127.0.0.1:$adapter_port|" \
  -e "s|\.\./dev-data/broker|$dir/data|" "$src/deploy/config/broker.example.textproto" \
  >"$dir/config/broker.textproto"
config=$dir/config/broker.textproto

kb() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$2/status"; }
rchar() { awk '$1 == "rchar:" { print $2 }' "/proc/$1/io"; }

summary=()
for size in $sizes; do
  echo
  echo "== fill to $size receipts ($(uptime))"
  "$bin_scale" fill --config "$config" --to "$size" --threads "$threads"
  disk=$(du -sh "$dir/data" | cut -f1)
  echo "data dir: $disk"

  # RocksDB replays at open what its write-ahead log holds beyond the flushed
  # tables: the start-up cost that grows with the log, if anything does.
  wal_mb=$(find "$dir/data" -maxdepth 1 -name '*.log' -printf '%s\n' |
    awk '{ s += $1 } END { printf "%.0f", s / 1e6 }')
  echo "== broker on the filled data dir (write-ahead log: $wal_mb MB)"
  start_ns=$(date +%s%N)
  "$bin_broker" --config "$config" >"$dir/logs/broker-$size.out" 2>"$dir/logs/broker-$size.log" &
  broker_pid=$!
  pids+=("$broker_pid")
  await_listening "$dir/logs/broker-$size.out" "$broker_pid" || {
    cat "$dir/logs/broker-$size.log"
    exit 1
  }
  startup_ms=$((($(date +%s%N) - start_ns) / 1000000))
  startup_read=$(rchar "$broker_pid")
  rss_start=$(kb VmRSS "$broker_pid")
  "$bin_load" --target "127.0.0.1:$port" --ca "$pki/ca.crt" --cert "$pki/municipality.crt" \
    --key "$pki/municipality.key" --warmup 2s --duration 10s --pid "broker=$broker_pid" \
    --label "broker at $size" | tee "$dir/logs/load-$size.txt"
  rss_load=$(kb VmRSS "$broker_pid")
  hwm=$(kb VmHWM "$broker_pid")
  kill "$broker_pid"
  wait "$broker_pid" || true
  echo "start-up ${startup_ms} ms, read $((startup_read / 1000000)) MB while starting;" \
    "RSS after start-up $((rss_start / 1024)) MB, after load $((rss_load / 1024)) MB," \
    "peak $((hwm / 1024)) MB"

  echo "== probe at $size ($(uptime))"
  "$bin_scale" probe --config "$config" --samples "$samples" | tee "$dir/logs/probe-$size.txt"
  "$bin_scale" probe --config "$config" --samples "$samples" --json >"$dir/probe-$size.json"
  summary+=("$(jq -r --arg disk "$disk" --arg wal "$wal_mb" --arg ms "$startup_ms" \
    --arg rd "$((startup_read / 1000000))" \
    --arg rs "$((rss_start / 1024))" --arg rl "$((rss_load / 1024))" --arg hwm "$((hwm / 1024))" \
    '[.tree_size, $disk, ."inclusion proof".p50_us, ."inclusion proof".p99_us,
      ."consistency proof".p50_us, ."consistency proof".p99_us, ."GetReceipt".p99_us,
      ."Query by case (100)".p50_us, ."Query by case (100)".p99_us,
      ."Query by subject (100)".p50_us, ."Query by subject (100)".p99_us,
      .ledger_open_ms, $wal, $ms, $rd, $rs, $rl, $hwm] | @tsv' "$dir/probe-$size.json")")
done

echo
echo "== summary ($(uptime))"
printf '%-10s %6s | %-15s | %-15s | %7s | %-15s | %-15s | %7s | %6s %8s %7s | %s\n' receipts disk \
  "inclusion p50/99" "consist. p50/99" "get p99" "case q p50/99" "subject q p50/99" "probe" \
  "WAL" "broker" "read" "broker RSS start/load/peak"
printf '%-10s %6s | %-15s | %-15s | %7s | %-15s | %-15s | %7s | %6s %8s %7s | %s\n' "" "" "us" \
  "us" "us" "us" "us" "open ms" "MB" "start ms" "MB" "MB"
for row in "${summary[@]}"; do
  awk -F'\t' '{ printf "%-10s %6s | %6.0f / %6.0f | %6.0f / %6.0f | %7.0f | %6.0f / %6.0f | %6.0f / %6.0f | %7.1f | %6s %8s %7s | %s / %s / %s\n",
    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18 }' <<<"$row"
done
