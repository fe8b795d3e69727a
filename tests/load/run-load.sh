#!/usr/bin/env bash
# Measures the broker against a bare pass-through in one run, on loopback:
#   1. builds wams-broker, wams-adapter, wams-passthrough and wams-load
#      (Release, with debug info for profiles, in build/load);
#   2. makes a dev PKI in a temp dir and starts the school's reference adapter,
#      the broker (example config, port 0, the adapter as the school) and
#      wams-passthrough (the broker's certificate, forwarding to the same adapter);
#   3. runs wams-load closed loop at the same N in flight against the
#      pass-through and the broker (alternating, ROUNDS times), then open loop
#      at 70% of the broker's best closed-loop throughput;
#   4. prints the table: throughput, latency percentiles, errors, CPU per
#      request per process, the broker/pass-through ratio, and the load average.
# Pins nothing: on a shared machine the ratio from the same run is the robust figure.
#
# --storage rocksdb (default), postgres, or rocksdb,postgres: which brokers are
# measured in the run. postgres: a broker whose storage is the HA harness's
# cluster (tests/ha/pg-cluster.sh: two PostgreSQL 15 nodes under Patroni, every
# commit on the synchronous standby), labelled pgbroker-*; both measured in the
# same run alternate with the pass-through.
#
# usage: tests/load/run-load.sh [--storage rocksdb|postgres|rocksdb,postgres]
#                                          (env: IN_FLIGHT=64 CHANNELS=2 WARMUP=3s
#                                            DURATION=10s ROUNDS=2 OPEN_SHARE=0.7
#                                            BUILD_DIR=build/load SKIP_BUILD=0 KEEP=0
#                                            BROKER_BIN= BROKER_ENV= PERF_DATA=)
# BROKER_BIN measures another wams-broker binary (e.g. one built with a patch)
# against the same pass-through; BROKER_ENV is put in the broker's
# environment, e.g. BROKER_ENV=LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2.
# Each run's JSON report and the processes' logs are kept in the temp dir with KEEP=1.
# PERF_DATA=FILE records the broker's open-loop run with perf (cpu-clock, DWARF call graphs).
# METRICS=1 turns the broker's metrics endpoint on (metrics_address on loopback), to compare
# req/s with and without it; METRICS_TSV=FILE (implies METRICS=1) also scrapes it once a second
# into FILE (tests/load/scrape-metrics.py) and, with METRICS_PNG=FILE, plots it
# (tests/load/plot-metrics.sh).
set -euo pipefail

storages=(rocksdb)
while (($# > 0)); do
  case $1 in
    --storage)
      IFS=, read -ra storages <<<"${2:?--storage needs rocksdb, postgres or rocksdb,postgres}"
      shift 2
      ;;
    --storage=*)
      IFS=, read -ra storages <<<"${1#--storage=}"
      shift
      ;;
    *)
      echo "usage: $0 [--storage rocksdb|postgres|rocksdb,postgres]" >&2
      exit 2
      ;;
  esac
done
for storage in "${storages[@]}"; do
  [[ $storage == rocksdb || $storage == postgres ]] || {
    echo "run-load: --storage: unknown storage '$storage' (rocksdb or postgres)" >&2
    exit 2
  }
done

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build/load}
in_flight=${IN_FLIGHT:-64}
channels=${CHANNELS:-2}
warmup=${WARMUP:-3s}
duration=${DURATION:-10s}
rounds=${ROUNDS:-2}
open_share=${OPEN_SHARE:-0.7}

echo "== $(date -u +%FT%TZ) on $(nproc) CPUs; $(uptime)"
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=-g \
    -DWAMS_BUILD_BENCHMARKS=ON >/dev/null
  cmake --build "$build" -j2 --target wams-broker wams-adapter wams-passthrough wams-load
fi
bin_broker=${BROKER_BIN:-$build/broker/wams-broker}
bin_adapter=$build/adapters/wams-adapter
bin_pass=$build/tests/load/wams-passthrough
bin_load=$build/tests/load/wams-load

work=$(mktemp -d /tmp/wams-load.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -f $work/pg/ports ]]; then bash "$src/tests/ha/pg-cluster.sh" stop "$work/pg" || true; fi
  if [[ ${KEEP:-0} == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# Starts "$@" with stdout to $work/NAME.out and stderr to $work/NAME.log,
# waits for its "listening on HOST:PORT" line, sets $port and $pid.
start() {
  local name=$1
  shift
  "$@" >"$work/$name.out" 2>"$work/$name.log" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 300); do
    if grep -q '^listening on ' "$work/$name.out" 2>/dev/null; then
      port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/$name.out" | head -1)
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$name did not start:" >&2
  cat "$work/$name.log" >&2
  exit 1
}

bash "$src/deploy/dev-pki.sh" "$work/dev-pki" >/dev/null
pki=$work/dev-pki

mkdir -p "$work/adapter"
sed -e "s|\.\./\.\./deploy/dev-pki/|$pki/|g" -e "s|\"records/|\"$src/adapters/config/records/|" \
  -e 's|"127.0.0.1:7453"|"127.0.0.1:0"|' "$src/adapters/config/school.textproto" \
  >"$work/adapter/school.textproto"
start adapter "$bin_adapter" --config "$work/adapter/school.textproto"
adapter_port=$port adapter_pid=$pid

mkdir -p "$work/config"
sed -e 's|127.0.0.1:7443|127.0.0.1:0|' -e "s|127.0.0.1:7453|127.0.0.1:$adapter_port|" \
  "$src/deploy/config/broker.example.textproto" >"$work/config/broker.textproto"
[[ -n ${METRICS_TSV:-} ]] && METRICS=1
if [[ ${METRICS:-0} == 1 ]]; then
  echo 'metrics_address: "127.0.0.1:0"' >>"$work/config/broker.textproto"
fi
read -ra broker_env <<<"${BROKER_ENV:-}"
# The brokers measured, by label prefix: broker (RocksDB), pgbroker (PostgreSQL).
declare -A broker_ports=() broker_pids=()
for storage in "${storages[@]}"; do
  if [[ $storage == rocksdb ]]; then
    start broker env "${broker_env[@]}" "$bin_broker" --config "$work/config/broker.textproto"
    broker_ports[broker]=$port broker_pids[broker]=$pid
  else
    # The nodes run as user postgres, which must reach the cluster directory.
    chmod 0711 "$work"
    conninfo=$(HA_OWNER_PID=$$ bash "$src/tests/ha/pg-cluster.sh" start "$work/pg")
    awk -v conninfo="$conninfo" '
      /^data_dir:/ { print "storage { postgres { conninfo: \"" conninfo "\" node_name: \"load\" } }"; next }
      { print }' "$work/config/broker.textproto" >"$work/config/pgbroker.textproto"
    start pgbroker env "${broker_env[@]}" "$bin_broker" --config "$work/config/pgbroker.textproto"
    broker_ports[pgbroker]=$port broker_pids[pgbroker]=$pid
  fi
done
if [[ -n ${METRICS_TSV:-} ]]; then # scrape the first broker (RocksDB's when both run)
  scraped=broker
  [[ ${storages[0]} == postgres ]] && scraped=pgbroker
  for _ in $(seq 100); do grep -q '^metrics on ' "$work/$scraped.out" && break; sleep 0.1; done
  metrics_port=$(sed -n 's/^metrics on .*:\([0-9]*\)$/\1/p' "$work/$scraped.out")
  python3 "$src/tests/load/scrape-metrics.py" "$metrics_port" "$METRICS_TSV" &
  scraper_pid=$!
  pids+=("$scraper_pid")
fi

start passthrough "$bin_pass" --listen 127.0.0.1:0 --cert "$pki/broker.crt" \
  --key "$pki/broker.key" --ca "$pki/ca.crt" --upstream "127.0.0.1:$adapter_port"
pass_port=$port pass_pid=$pid

categories=enrolment,attendance # the school's, granted without obligations
common=(--ca "$pki/ca.crt" --cert "$pki/municipality.crt" --key "$pki/municipality.key"
  --provider-oin 00000003345678900000 --categories "$categories"
  --channels "$channels" --warmup "$warmup" --duration "$duration" --json)

# load NAME ARGS...: one wams-load run, its JSON in $work/NAME.json.
load() {
  local name=$1
  shift
  "$bin_load" "${common[@]}" --label "$name" "$@" >"$work/$name.json" 2>>"$work/load.log"
}

brokers=("${!broker_ports[@]}")
mapfile -t brokers < <(printf '%s\n' "${brokers[@]}" | sort)
for name in "${brokers[@]}"; do
  echo "== $name pid ${broker_pids[$name]} (:${broker_ports[$name]})"
done
echo "== pass-through pid $pass_pid (:$pass_port), adapter pid $adapter_pid (:$adapter_port); $in_flight in flight, $channels channels, warm-up $warmup, $duration measured"
runs=()
for round in $(seq "$rounds"); do
  load "passthrough-$round" --target "127.0.0.1:$pass_port" --case-id passthrough-case \
    --in-flight "$in_flight" --pid "passthrough=$pass_pid" --pid "adapter=$adapter_pid"
  runs+=("passthrough-$round")
  for name in "${brokers[@]}"; do
    load "$name-$round" --target "127.0.0.1:${broker_ports[$name]}" --in-flight "$in_flight" \
      --pid "broker=${broker_pids[$name]}" --pid "adapter=$adapter_pid"
    runs+=("$name-$round")
  done
done

best() { # best throughput over the runs named $1-*
  for f in "$work/$1"-*.json; do jq .throughput_rps "$f"; done | sort -g | tail -1
}
pass_max=$(best passthrough)
# The open loop at a share of the first broker's best (RocksDB's when both run).
first=${brokers[0]}
broker_max=$(best "$first")
broker_pid=${broker_pids[$first]}
rate=$(awk -v m="$broker_max" -v s="$open_share" 'BEGIN { printf "%.0f", m * s }')
if [[ -n ${PERF_DATA:-} ]]; then # profile the broker during its open-loop run
  perf record -q -F 499 -e cpu-clock --call-graph dwarf,16384 -o "$PERF_DATA" -p "$broker_pid" \
    2>>"$work/perf.log" &
  perf_pid=$!
fi
for name in "${brokers[@]}"; do
  load "$name-open" --target "127.0.0.1:${broker_ports[$name]}" --rate "$rate" \
    --pid "broker=${broker_pids[$name]}" --pid "adapter=$adapter_pid"
  runs+=("$name-open")
  if [[ -n ${PERF_DATA:-} && $name == "$first" ]]; then kill -INT "$perf_pid" && wait "$perf_pid" || true; fi
done
load "passthrough-open" --target "127.0.0.1:$pass_port" --case-id passthrough-case \
  --rate "$rate" --pid "passthrough=$pass_pid" --pid "adapter=$adapter_pid"
runs+=(passthrough-open)

printf '\n%-18s %8s %9s %7s %7s %7s %7s %7s %6s  %-42s %5s  %s\n' run mode "req/s" \
  "p50ms" "p90ms" "p99ms" "p99.9" "maxms" errors "CPU us/request (proxy or broker, adapter, client)" busy "load avg"
for run in "${runs[@]}"; do
  jq -r '[.label, (if .mode == "closed" then "N=\(.in_flight)" else "\(.rate|floor)/s" end),
      (.throughput_rps|floor), (.latency_us.p50/1000), (.latency_us.p90/1000),
      (.latency_us.p99/1000), (.latency_us.p999/1000), (.latency_us.max/1000), .total_errors,
      ([.cpu_us_per_request | to_entries[] | "\(.key) \(.value|floor)"] | join(", ")),
      "\(.machine_busy_pct|floor)%", .load_average] | @tsv' "$work/$run.json" |
    awk -F'\t' '{ printf "%-18s %8s %9s %7.2f %7.2f %7.2f %7.2f %7.2f %6s  %-42s %5s  %s\n",
      $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 }'
done
for name in "${brokers[@]}"; do
  awk -v n="$name" -v b="$(best "$name")" -v p="$pass_max" 'BEGIN {
    printf "\nbest closed loop: %s %.0f req/s, pass-through %.0f req/s: %s/pass-through = %.0f%%\n",
      n, b, p, n, 100 * b / p }'
done
echo "open loop at $rate req/s = ${open_share} x $first's best"
if [[ -n ${METRICS_TSV:-} ]]; then
  kill "$scraper_pid" && wait "$scraper_pid" || true
  awk -F'\t' 'NR > 1 { n++; s += $2; if ($2 > m) m = $2 } END {
    printf "metrics scrape: %d scrapes, mean %.2f ms, max %.2f ms\n", n, s / n, m }' "$METRICS_TSV"
  if [[ -n ${METRICS_PNG:-} ]]; then bash "$src/tests/load/plot-metrics.sh" "$METRICS_TSV" "$METRICS_PNG"; fi
fi
echo "== done; $(uptime)"
