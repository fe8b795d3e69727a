#!/usr/bin/env bash
# A throwaway highly available PostgreSQL 15 cluster on loopback, for the HA
# tests (tests/ha/README.md): one etcd and two PostgreSQL nodes under Patroni
# with a synchronous standby, everything in one directory. Settings and
# pitfalls, with the reasons for each: tests/ha/README.md ("The harness").
#
#   pg-cluster.sh start DIR           make DIR, start etcd + node1 + node2, wait for
#                                     Leader and Sync Standby; prints the conninfo
#   pg-cluster.sh stop DIR            stop everything cleanly and wait for it
#   pg-cluster.sh status DIR          one line per node: name, port, role
#   pg-cluster.sh conninfo DIR        libpq multi-host conninfo, target_session_attrs=read-write
#   pg-cluster.sh leader DIR          the leader's node name (exit 1 if none)
#   pg-cluster.sh kill-primary DIR    kill -9 the leader's Patroni AND postmaster together
#                                     ("node death"); prints the node's name
#   pg-cluster.sh kill-postmaster DIR kill -9 the leader's postmaster only (Patroni fails over:
#                                     primary_start_timeout 0)
#   pg-cluster.sh rejoin DIR          restart every node whose Patroni is down (its postgres
#                                     fenced first), wait for Leader and Sync Standby
#
# One supervisor process per cluster (started by `start`, setsid, a child
# subreaper) is the parent of etcd and both Patronis and waits on them, so a
# killed process never lingers as a zombie of PID 1; it stops the cluster on
# `stop`, on SIGTERM, or when HA_OWNER_PID (optional) has exited, so a test
# killed by its timeout leaves nothing running. As root, PostgreSQL and Patroni
# run as user postgres (setpriv); otherwise as the calling user.
#
# Timings (env, seconds): HA_TTL (default 10), HA_LOOP_WAIT (2), HA_RETRY_TIMEOUT
# (4): stable on 2 shared cores; 5/1/2 fails over in about 5 s but had less
# margin. Ports: seven consecutive free ones from HA_BASE_PORT (default: the
# first free block from 25400 up, stepping by 10).
set -euo pipefail

readonly bin_dir=/usr/lib/postgresql/15/bin
readonly nodes=(node1 node2)
script=$(readlink -f "$0")
readonly script

die() {
  echo "pg-cluster: $*" >&2
  exit 1
}

# --- process helpers --------------------------------------------------------

# A pid is running when it exists and is not a zombie.
running() {
  [[ -n ${1:-} && -r /proc/$1/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# await SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.1 s until it
# succeeds; dies naming DESCRIPTION after SECONDS.
await() {
  local limit=$1 what=$2
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    ((SECONDS < deadline)) || die "gave up after ${limit}s waiting for $what"
    sleep 0.1
  done
}

as_postgres() {
  if ((EUID == 0)); then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}

# --- cluster layout (DIR/ports holds the ports chosen at start) --------------

load_ports() {
  [[ -f $dir/ports ]] || die "$dir is not a cluster directory (no ports file)"
  # shellcheck source=/dev/null
  source "$dir/ports"
}

pg_port() { [[ $1 == node1 ]] && echo "$pg_port1" || echo "$pg_port2"; }
rest_port() { [[ $1 == node1 ]] && echo "$rest_port1" || echo "$rest_port2"; }

port_free() { ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

choose_ports() {
  local base=${HA_BASE_PORT:-}
  if [[ -z $base ]]; then
    for base in $(seq 25400 10 25990); do
      local all_free=1
      for offset in 0 1 2 3 4 5 6; do port_free $((base + offset)) || all_free=0; done
      ((all_free)) && break
    done
  fi
  cat >"$dir/ports" <<EOF
etcd_port=$base
etcd_peer_port=$((base + 1))
etcd_metrics_port=$((base + 2))
pg_port1=$((base + 3))
pg_port2=$((base + 4))
rest_port1=$((base + 5))
rest_port2=$((base + 6))
EOF
}

conninfo() {
  echo "host=127.0.0.1,127.0.0.1 port=$pg_port1,$pg_port2 user=postgres dbname=postgres" \
    "target_session_attrs=read-write connect_timeout=2"
}

write_node_config() {
  local node=$1 node_dir=$dir/$1
  mkdir -p "$node_dir"
  cat >"$node_dir/patroni.yml" <<EOF
scope: wams-ha
name: $node
restapi:
  listen: 127.0.0.1:$(rest_port "$node")
  connect_address: 127.0.0.1:$(rest_port "$node")
etcd3:
  hosts: 127.0.0.1:$etcd_port
bootstrap:
  dcs:
    ttl: ${HA_TTL:-10}
    loop_wait: ${HA_LOOP_WAIT:-2}
    retry_timeout: ${HA_RETRY_TIMEOUT:-4}
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    # A crashed primary fails over instead of being restarted in place.
    primary_start_timeout: 0
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_keep_size: 128MB
        # The replica's first try races the leader's slot: retry soon, not after 5 s.
        wal_retrieve_retry_interval: 500ms
  initdb:
    - encoding: UTF8
    - data-checksums
postgresql:
  listen: 127.0.0.1:$(pg_port "$node")
  connect_address: 127.0.0.1:$(pg_port "$node")
  data_dir: $node_dir/data
  bin_dir: $bin_dir
  pgpass: $node_dir/pgpass
  authentication:
    superuser: {username: postgres, password: pg}
    replication: {username: replicator, password: rep}
  parameters:
    unix_socket_directories: $node_dir
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication replicator 127.0.0.1/32 trust
EOF
  if ((EUID == 0)); then chown -R postgres: "$node_dir"; fi
}

# --- roles, by the REST API (patronictl costs 0.7 s of Python per call) -------

# role NODE: leader, sync, replica or down.
role() {
  local port
  port=$(rest_port "$1")
  probe() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/$1") == 200 ]]; }
  if probe primary; then
    echo leader
  elif probe sync; then
    echo sync
  elif probe replica; then
    echo replica
  else
    echo down
  fi
}

leader_node() {
  local node
  for node in "${nodes[@]}"; do
    [[ $(role "$node") == leader ]] && { echo "$node"; return 0; }
  done
  return 1
}

# One leader and one synchronous standby.
healthy() {
  local roles
  roles=$(for node in "${nodes[@]}"; do role "$node"; done | sort | tr '\n' ' ')
  [[ $roles == "leader sync " ]]
}

# --- the supervisor (runs in the background, parent of every process) --------

patroni_pid_file() { echo "$dir/$1/patroni.pid"; }
postmaster_pid() { head -n 1 "$dir/$1/data/postmaster.pid" 2>/dev/null || true; }

supervisor_start_node() {
  local node=$1
  running "$(cat "$(patroni_pid_file "$node")" 2>/dev/null)" && return 0
  # HOME: Patroni and libpq look for their dotfiles there, and /root is not postgres's.
  # The script re-invoked execs setpriv, which execs Patroni: $! is Patroni's pid.
  env HOME="$dir/$node" /bin/bash "$script" as_postgres_exec patroni "$dir/$node/patroni.yml" \
    >>"$dir/$node/patroni.log" 2>&1 &
  echo $! >"$(patroni_pid_file "$node")"
}

supervise() {
  local stopping=0 owner=${HA_OWNER_PID:-}
  trap 'stopping=1' TERM INT
  etcd --name n0 --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster "n0=http://127.0.0.1:$etcd_peer_port" --initial-cluster-state new \
    --listen-metrics-urls "http://127.0.0.1:$etcd_metrics_port" >"$dir/etcd.log" 2>&1 &
  local etcd_pid=$!
  echo "$etcd_pid" >"$dir/etcd.pid"
  await 30 "etcd health" curl -sf --max-time 1 "http://127.0.0.1:$etcd_port/health" -o /dev/null
  local node
  for node in "${nodes[@]}"; do supervisor_start_node "$node"; done
  exec 3<>"$dir/control"
  while ((!stopping)); do
    local request=""
    # Reading with a timeout keeps the loop turning: the stop flag, the owner
    # and the reaping of children (bash reaps on SIGCHLD) all get their turn.
    if read -r -t 1 -u 3 request; then
      case $request in
        start\ node1 | start\ node2) supervisor_start_node "${request#start }" ;;
        stop) stopping=1 ;;
        *) echo "supervisor: unknown request '$request'" >&2 ;;
      esac
    fi
    if [[ -n $owner ]] && ! running "$owner"; then
      echo "supervisor: owner $owner has exited: stopping" >&2
      stopping=1
    fi
  done
  # Patroni stops its PostgreSQL cleanly on SIGTERM; a postmaster without a
  # Patroni (after kill-primary without rejoin) is stopped directly.
  local pids=()
  for node in "${nodes[@]}"; do
    local pid
    pid=$(cat "$(patroni_pid_file "$node")" 2>/dev/null || true)
    if running "$pid"; then
      kill -TERM "$pid"
      pids+=("$pid")
    fi
  done
  local deadline=$((SECONDS + 60))
  for pid in "${pids[@]}"; do
    while running "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
    running "$pid" && kill -KILL "$pid"
    wait "$pid" 2>/dev/null || true
  done
  # A PostgreSQL that Patroni was still starting when it stopped outlives it
  # (seen once with ttl 5): every postmaster left, now or once it has written
  # its pid file, is stopped, and every process of this cluster adopted by
  # the supervisor is waited for; after 20 s the rest are killed.
  local bound=$((SECONDS + 20)) left
  kill -TERM "$etcd_pid" 2>/dev/null || true
  wait "$etcd_pid" 2>/dev/null || true
  while true; do
    for node in "${nodes[@]}"; do
      if running "$(postmaster_pid "$node")"; then
        as_postgres "$bin_dir/pg_ctl" -D "$dir/$node/data" stop -m immediate >/dev/null 2>&1 || true
      fi
    done
    wait || true
    # By name, not by command line: this shell's own subshells carry $dir too.
    left=$(pgrep -P $$ -x 'postgres|etcd|patroni' || true)
    [[ -z $left ]] && break
    if ((SECONDS >= bound)); then
      echo "supervisor: killing what is left: $(echo "$left" | tr '\n' ' ')" >&2
      for pid in $left; do kill -KILL "$pid" 2>/dev/null || true; done
      bound=$((SECONDS + 5))
    fi
    sleep 0.1
  done
  echo "supervisor: stopped" >&2
}

# --- commands -----------------------------------------------------------------

supervisor_pid() { cat "$dir/supervisor.pid" 2>/dev/null || true; }

request() {
  running "$(supervisor_pid)" || die "the cluster in $dir is not running"
  timeout 5 bash -c 'echo "$1" >"$2"' -- "$1" "$dir/control" || die "the supervisor did not take '$1'"
}

cmd_start() {
  command -v patroni >/dev/null && command -v etcd >/dev/null && [[ -x $bin_dir/postgres ]] ||
    die "needs postgresql-15, patroni, etcd-server (deploy/install-deps.sh)"
  if [[ -e $dir ]]; then
    [[ -z $(ls -A "$dir") ]] || die "$dir exists and is not empty"
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  # postgres must reach its node directories below it.
  chmod 0711 "$dir"
  choose_ports
  load_ports
  for node in "${nodes[@]}"; do write_node_config "$node"; done
  as_postgres test -r "$dir/node1/patroni.yml" ||
    die "user postgres cannot read $dir/node1: make its parent directories traversable (chmod o+x)"
  mkfifo "$dir/control"
  # The supervisor: own session (outlives this command), child subreaper
  # (orphaned postgres backends are reparented to it and reaped).
  setsid python3 -c 'import ctypes, os, sys
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
os.execv(sys.argv[1], sys.argv[1:])' /bin/bash "$script" _supervise "$dir" \
    </dev/null >>"$dir/supervisor.log" 2>&1 &
  echo $! >"$dir/supervisor.pid"
  local started=$SECONDS
  await 90 "Leader and Sync Standby (logs in $dir)" healthy_or_dead
  running "$(supervisor_pid)" || die "the supervisor exited: $(tail -n 5 "$dir/supervisor.log")"
  echo "pg-cluster: up in $((SECONDS - started)) s: $(conninfo)" >&2
  conninfo
}

healthy_or_dead() { healthy || ! running "$(supervisor_pid)"; }

cmd_stop() {
  local pid
  pid=$(supervisor_pid)
  if running "$pid"; then
    kill -TERM "$pid"
    await 90 "the supervisor to stop" eval '! running '"$pid"
  fi
}

cmd_status() {
  for node in "${nodes[@]}"; do
    echo "$node 127.0.0.1:$(pg_port "$node") $(role "$node")"
  done
}

dead_pids() {
  local pid
  for pid in "$@"; do running "$pid" && return 1; done
  return 0
}

cmd_kill_primary() {
  local leader patroni postmaster
  leader=$(leader_node) || die "no leader"
  patroni=$(cat "$(patroni_pid_file "$leader")")
  postmaster=$(postmaster_pid "$leader")
  # Both at once: a Patroni killed alone leaves an orphaned primary, and
  # restarting Patroni on it can release commits the new leader lacks.
  kill -KILL "$patroni" "$postmaster"
  await 10 "$leader's Patroni and postmaster to die" dead_pids "$patroni" "$postmaster"
  echo "$leader"
}

cmd_kill_postmaster() {
  local leader postmaster
  leader=$(leader_node) || die "no leader"
  postmaster=$(postmaster_pid "$leader")
  kill -KILL "$postmaster"
  await 10 "$leader's postmaster to die" dead_pids "$postmaster"
  echo "$leader"
}

cmd_rejoin() {
  local node
  for node in "${nodes[@]}"; do
    if ! running "$(cat "$(patroni_pid_file "$node")" 2>/dev/null)"; then
      # Fence first: never start Patroni on a live orphaned primary.
      if running "$(postmaster_pid "$node")"; then
        as_postgres "$bin_dir/pg_ctl" -D "$dir/$node/data" stop -m immediate >/dev/null
      fi
      request "start $node"
    fi
  done
  await 90 "Leader and Sync Standby after rejoin" healthy
}

# as_postgres_exec: the supervisor's way to start Patroni (exec, so $! is its pid).
if [[ ${1:-} == as_postgres_exec ]]; then
  shift
  if ((EUID == 0)); then
    exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  fi
  exec "$@"
fi

(($# == 2)) || die "usage: $0 start|stop|status|conninfo|leader|kill-primary|kill-postmaster|rejoin DIR"
command=$1
dir=$2
if [[ $command != start ]]; then
  dir=$(cd "$dir" && pwd) || die "no directory $dir"
  load_ports
fi
case $command in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  conninfo) conninfo ;;
  leader) leader_node ;;
  kill-primary) cmd_kill_primary ;;
  kill-postmaster) cmd_kill_postmaster ;;
  rejoin) cmd_rejoin ;;
  _supervise) supervise ;;
  *) die "unknown command $command" ;;
esac
