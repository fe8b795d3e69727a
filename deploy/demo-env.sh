# shellcheck shell=bash
# Starts and stops a complete local Wams Broker demo: the broker and the six
# reference adapters (neighbourhood team, GGZ, school, police, probation,
# housing corporation), each
# its own process on 127.0.0.1, with configs written into a run directory so
# that the sources stay untouched and every run starts from an empty log.
# Sourced by deploy/quickstart.sh and tests/e2e/run_walkthrough.sh.
#
#   source deploy/demo-env.sh
#   demo_find_binaries build/dev           # or binaries on PATH (the container)
#   demo_start "$run_dir" deploy/dev-pki   # exports WAMS_BROKER, WAMS_PKI, ...
#   bash deploy/walkthrough.sh
#   demo_stop                              # SIGTERM, waits, checks exit codes
#
# Ports: WAMS_BROKER_PORT (default 7443) and WAMS_ADAPTER_BASE_PORT (default
# 7451: team 7451, GGZ 7452, school 7453, police 7454, probation 7455, housing
# 7456, as in deploy/config/broker.example.textproto). 0 lets the kernel pick a free port
# for each process; the port actually bound is read from its "listening on"
# line, so parallel runs (the test suite) never collide.

demo_source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
demo_adapters=(neighbourhood-team ggz school police probation housing)
demo_pids=()
demo_names=()

demo_log() { printf 'demo: %s\n' "$*" >&2; }

# Finds the four programs in a CMake build directory, else on PATH. Exports
# WAMS_BROKER_BIN, WAMSCTL, WAMS_AUDIT_BIN, WAMS_ADAPTER_BIN.
demo_find_binaries() {
  local build_dir=${1:-}
  local -A in_build=(
    [WAMS_BROKER_BIN]=broker/wams-broker [WAMSCTL]=broker/tools/ctl/wamsctl
    [WAMS_AUDIT_BIN]=broker/tools/auditor/wams-audit [WAMS_ADAPTER_BIN]=adapters/wams-adapter
  )
  local -A on_path=(
    [WAMS_BROKER_BIN]=wams-broker [WAMSCTL]=wamsctl
    [WAMS_AUDIT_BIN]=wams-audit [WAMS_ADAPTER_BIN]=wams-adapter
  )
  local var path
  for var in "${!in_build[@]}"; do
    if [[ -n ${!var:-} ]]; then
      path=${!var}
    elif [[ -n $build_dir && -x $build_dir/${in_build[$var]} ]]; then
      path=$build_dir/${in_build[$var]}
    else
      path=$(command -v "${on_path[$var]}" || true)
    fi
    if [[ -z $path || ! -x $path ]]; then
      demo_log "cannot find ${on_path[$var]} (build it, or set $var)"
      return 1
    fi
    export "$var=$(cd "$(dirname "$path")" && pwd)/$(basename "$path")"
  done
}

# Waits until the process has printed "listening on HOST:PORT" on stdout and
# sets demo_port to PORT. Fails when the process exits first.
demo_wait_listening() {
  local pid=$1 out=$2 err=$3 line
  for _ in $(seq 1 300); do
    line=$(grep -m1 -o 'listening on [^ ]*' "$out" 2>/dev/null || true)
    if [[ -n $line ]]; then
      demo_port=${line##*:}
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      demo_log "process $pid exited before listening; its log:"
      cat "$err" >&2
      return 1
    fi
    sleep 0.1
  done
  demo_log "process $pid did not start listening within 30 s; its log:"
  cat "$err" >&2
  return 1
}

# Starts NAME with its config, records the pid, and sets demo_port to the
# bound port. Not in a $(...) subshell: the pid must stay this shell's child.
demo_spawn() {
  local name=$1 logs=$2
  shift 2
  "$@" >"$logs/$name.out" 2>"$logs/$name.log" &
  local pid=$!
  demo_pids+=("$pid")
  demo_names+=("$name")
  demo_wait_listening "$pid" "$logs/$name.out" "$logs/$name.log"
}

# demo_start RUN_DIR PKI_DIR: writes the configs into RUN_DIR/config, starts
# the adapters and then the broker (data in RUN_DIR/data, logs in
# RUN_DIR/logs), and exports what deploy/walkthrough.sh needs.
demo_start() {
  local run_dir=$1 pki_dir
  pki_dir=$(cd "$2" && pwd)
  mkdir -p "$run_dir"
  run_dir=$(cd "$run_dir" && pwd)
  if [[ -e $run_dir/data ]]; then
    demo_log "$run_dir/data exists: use a fresh run directory"
    return 1
  fi
  mkdir -p "$run_dir/config" "$run_dir/data" "$run_dir/logs"
  local logs=$run_dir/logs
  local broker_port=${WAMS_BROKER_PORT:-7443}
  local base_port=${WAMS_ADAPTER_BASE_PORT:-7451}
  # The REST/JSON face (broker/rest): 7444 beside the gRPC port, or free ones.
  local rest_port=${WAMS_REST_PORT:-7444}
  ((broker_port != 0)) || rest_port=${WAMS_REST_PORT:-0}
  local broker_config=$run_dir/config/broker.textproto
  sed -e "s|^listen_address: \"[^\"]*\"|listen_address: \"127.0.0.1:$broker_port\"|" \
    -e "s|\"\\.\\./dev-pki/|\"$pki_dir/|g" \
    -e "s|^data_dir: \"[^\"]*\"|data_dir: \"$run_dir/data/broker\"|" \
    -e 's|^  per_party_rate: 5000 |  per_party_rate: 50 |' \
    -e 's|^  per_party_burst: 5000 |  per_party_burst: 100 |' \
    -e 's|^  per_party_concurrency: 256 |  per_party_concurrency: 20 |' \
    "$demo_source_dir/deploy/config/broker.example.textproto" >"$broker_config"
  echo "rest_address: \"127.0.0.1:$rest_port\"" >>"$broker_config"
  # The demo runs with the production per-party limits (a demo is what an
  # attacker tries first); the example's are sized for the load tests.
  grep -q '^  per_party_rate: 50 ' "$broker_config" ||
    { demo_log "no per_party_rate in the example config"; return 1; }

  local i name port config
  for i in "${!demo_adapters[@]}"; do
    name=${demo_adapters[$i]}
    port=0
    ((base_port == 0)) || port=$((base_port + i))
    config=$run_dir/config/$name.textproto
    sed -e "s|^listen_address: \"[^\"]*\"|listen_address: \"127.0.0.1:$port\"|" \
      -e "s|\"\\.\\./\\.\\./deploy/dev-pki/|\"$pki_dir/|g" \
      -e "s|records_file: \"records/|records_file: \"$demo_source_dir/adapters/config/records/|" \
      "$demo_source_dir/adapters/config/$name.textproto" >"$config"
    demo_spawn "adapter-$name" "$logs" "$WAMS_ADAPTER_BIN" --config "$config" || return 1
    port=$demo_port
    # The registry's endpoint for this party (7451 + i in the example config).
    sed -i "s|endpoint: \"127.0.0.1:$((7451 + i))\"|endpoint: \"127.0.0.1:$port\"|" "$broker_config"
    grep -q "endpoint: \"127.0.0.1:$port\"" "$broker_config" ||
      { demo_log "no endpoint for $name in the example config"; return 1; }
    demo_log "adapter $name listening on 127.0.0.1:$port (log: $logs/adapter-$name.log)"
  done

  # shellcheck disable=SC2153 # exported by demo_find_binaries
  demo_spawn broker "$logs" "$WAMS_BROKER_BIN" --config "$broker_config" || return 1
  port=$demo_port
  demo_log "wams-broker listening on 127.0.0.1:$port (log: $logs/broker.log)"
  # main.cc prints "rest on HOST:PORT" right after "listening on".
  local rest_line=""
  for _ in $(seq 1 50); do
    rest_line=$(grep -m1 -o 'rest on [^ ]*' "$logs/broker.out" 2>/dev/null || true)
    [[ -n $rest_line ]] && break
    sleep 0.1
  done
  [[ -n $rest_line ]] || { demo_log "the broker printed no REST port"; return 1; }
  export WAMS_REST_URL=https://127.0.0.1:${rest_line##*:}
  demo_log "its REST/JSON face on $WAMS_REST_URL/api/v1"
  export WAMS_BROKER=127.0.0.1:$port WAMS_PKI=$pki_dir WAMS_CA=$pki_dir/ca.crt
  export WAMS_BROKER_CONFIG=$broker_config WAMS_BROKER_PID=${demo_pids[-1]}
  export WAMS_RUN_DIR=$run_dir
}

# Stops every process demo_start started (broker first, so that it is not
# left asking adapters that are gone), waits for each, and fails when one did
# not exit cleanly. Safe to call twice (the second call finds nothing to do).
demo_stop() {
  local status=0 i pid code
  for ((i = ${#demo_pids[@]} - 1; i >= 0; i--)); do
    pid=${demo_pids[$i]}
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      code=0
      wait "$pid" || code=$?
    else
      code=0
      wait "$pid" 2>/dev/null || code=$?
    fi
    if ((code != 0)); then
      demo_log "${demo_names[$i]} (pid $pid) exited with code $code"
      status=1
    fi
  done
  demo_pids=()
  demo_names=()
  return $status
}
