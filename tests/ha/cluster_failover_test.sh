#!/usr/bin/env bash
# Proves the HA harness (pg-cluster.sh) with real processes: etcd and two
# PostgreSQL 15 nodes under Patroni with a synchronous standby. A writer
# inserts one row per psql call through the multi-host conninfo
# (target_session_attrs=read-write) and records each row the database
# acknowledged. Two rounds: kill -9 the primary's Patroni and postmaster
# ("node death"), then the primary's postmaster alone; each round measures the
# seconds from the kill until a write succeeds again and rejoins the old
# primary as the synchronous standby. Afterwards every acknowledged row must be
# on the leader and on the standby, and `stop` must leave no process behind.
#
# usage: cluster_failover_test.sh        exit 77 (skipped) without the packages
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
harness=$here/pg-cluster.sh

for tool in patroni etcd psql curl /usr/lib/postgresql/15/bin/postgres; do
  command -v "$tool" >/dev/null || {
    echo "ha: $tool is not installed (deploy/install-deps.sh): skipped"
    exit 77
  }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/wams-ha.XXXXXX")
# The nodes run as user postgres, which must reach the cluster below.
chmod 0711 "$work"
cluster=$work/cluster
writer_pid=""
finish() {
  local code=$?
  if [[ -n $writer_pid ]]; then
    kill "$writer_pid" 2>/dev/null || true
    wait "$writer_pid" 2>/dev/null || true
  fi
  if [[ -f $cluster/ports ]]; then "$harness" stop "$cluster" || code=1; fi
  if ((code != 0)); then
    echo "--- supervisor, node logs (last lines)"
    tail -n 20 "$cluster"/supervisor.log "$cluster"/node*/patroni.log 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$code"
}
trap finish EXIT

fail() {
  echo "ha: FAILED: $*"
  exit 1
}

# await SECONDS DESCRIPTION COMMAND...: polls until COMMAND succeeds.
await() {
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    ((SECONDS < deadline)) || fail "gave up waiting for $what"
    sleep 0.1
  done
}

started=$SECONDS
conninfo=$(HA_OWNER_PID=$$ "$harness" start "$cluster")
echo "ha: cluster up in $((SECONDS - started)) s"
psql "$conninfo" -q -c "CREATE TABLE acked (v bigint PRIMARY KEY)"

# The writer: one autocommit INSERT per call, bounded from outside (a
# synchronous-commit wait must never be cancelled: it would commit locally).
# Each line: START_TIME END_TIME OK|ERR VALUE.
writes=$work/writes
writer() {
  local v=0
  while true; do
    v=$((v + 1))
    local start=$EPOCHREALTIME result
    if result=$(timeout 3 psql "$conninfo" -Atq -c "INSERT INTO acked VALUES ($v) RETURNING v" 2>/dev/null) &&
      [[ $result == "$v" ]]; then
      echo "$start $EPOCHREALTIME OK $v" >>"$writes"
    else
      echo "$start $EPOCHREALTIME ERR $v" >>"$writes"
      sleep 0.1
    fi
  done
}
: >"$writes"
writer &
writer_pid=$!

# The leader's node name once there is one: Patroni may be between leaders
# (a crashed primary restarting in place) when a round asks.
current_leader() {
  local deadline=$((SECONDS + 30)) name
  until name=$("$harness" leader "$cluster"); do
    if ((SECONDS >= deadline)); then
      echo "ha: FAILED: no leader for 30 s: $("$harness" status "$cluster")" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "$name"
}

oks_after() { awk -v t="$1" '$3 == "OK" && $1 > t' "$writes" | wc -l; }
at_least_oks_after() { (($(oks_after "$1") >= $2)); }

# round NAME COMMAND: kill, measure, check the new leader, rejoin.
round() {
  local name=$1 command=$2 before after killed_at back_at seconds
  await 30 "20 acknowledged writes before $name" at_least_oks_after 0 20
  before=$(current_leader)
  killed_at=$EPOCHREALTIME
  "$harness" "$command" "$cluster" >/dev/null
  await 60 "a write after $name" at_least_oks_after "$killed_at" 1
  back_at=$(awk -v t="$killed_at" '$3 == "OK" && $1 > t { print $2; exit }' "$writes")
  seconds=$(awk -v a="$killed_at" -v b="$back_at" 'BEGIN { printf "%.1f", b - a }')
  after=$(current_leader)
  if [[ $after != "$before" ]]; then
    echo "ha: $name of $before: writes refused for $seconds s, $after took over"
  elif [[ $command == kill-postmaster ]]; then
    # Patroni fails over only to a standby it finds healthy at that moment;
    # otherwise it restarts the crashed primary in place (seen once in 4 runs).
    echo "ha: $name of $before: writes refused for $seconds s, $before restarted in place"
  else
    fail "$name: $before is still the leader"
  fi
  started=$SECONDS
  "$harness" rejoin "$cluster"
  echo "ha: $before rejoined as synchronous standby in $((SECONDS - started)) s"
  local now=$EPOCHREALTIME
  await 30 "20 acknowledged writes after rejoining $before" at_least_oks_after "$now" 20
}

round "kill -9 of Patroni and postmaster" kill-primary
round "kill -9 of the postmaster" kill-postmaster

kill "$writer_pid"
wait "$writer_pid" 2>/dev/null || true
writer_pid=""

# Every acknowledged row is on the leader and, once replayed, on the standby.
# comm(1) compares in the collation order of sort(1), not numerically.
awk '$3 == "OK" { print $4 }' "$writes" | sort >"$work/acked"
acked=$(wc -l <"$work/acked")
psql "$conninfo" -Atq -c "SELECT v FROM acked" | sort >"$work/leader-rows"
lost=$(comm -23 "$work/acked" "$work/leader-rows" | wc -l)
((lost == 0)) || fail "$lost of $acked acknowledged rows are missing on the leader: $(comm -23 "$work/acked" "$work/leader-rows" | head -n 5 | tr '\n' ' ')"
standby_port=$("$harness" status "$cluster" | awk '$3 == "sync" { sub(/.*:/, "", $2); print $2 }')
[[ -n $standby_port ]] || fail "no synchronous standby: $("$harness" status "$cluster")"
standby_has_all() {
  psql "host=127.0.0.1 port=$standby_port user=postgres dbname=postgres" -Atq \
    -c "SELECT v FROM acked" 2>/dev/null | sort >"$work/standby-rows" &&
    [[ -z $(comm -23 "$work/acked" "$work/standby-rows") ]]
}
await 30 "the standby to hold every acknowledged row" standby_has_all
echo "ha: $acked acknowledged rows, none lost (leader and standby)"

stop_started=$SECONDS
"$harness" stop "$cluster"
echo "ha: stopped in $((SECONDS - stop_started)) s"
if pgrep -f "$cluster" >/dev/null; then
  fail "processes left after stop: $(pgrep -af "$cluster" | head -n 3)"
fi
