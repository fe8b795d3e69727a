#!/usr/bin/env bash
# Long fuzzing runs of the libFuzzer targets, outside ctest. Builds the
# `fuzz` preset when needed, fuzzes each target in turn with a work corpus
# kept outside the repo (so runs build on each other), reports crashes, and
# can merge new coverage back into the repo corpus.
#
# usage: tests/fuzz/run-long.sh [options] [TARGET...]
#   TARGET          config, request, receipt, note, proof (default: all)
#   -t SECONDS      time per target (default 600)
#   -j JOBS         parallel fuzzing processes per target (default 1; the
#                   build machine is shared, raise it on your own)
#   -w DIR          work directory (default build/fuzz/long): DIR/corpus/<t>,
#                   DIR/artifacts/<t>, DIR/logs/<t>.log
#   -m              afterwards, merge the work corpus into tests/fuzz/corpus/<t>
#                   (libFuzzer -merge=1 -use_counters=0: only inputs reaching
#                   new edges go in), dropping any input that holds a
#                   9-digit number passing the elfproef other than the dev
#                   test BSNs (a mutated number could be a real person's)
#   -n              do not build (use the binaries in build/fuzz as they are)
#   -h              this help
#
# Exit status: 0 when no target crashed, 1 otherwise (each crash is listed
# with the command that reproduces it).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

seconds=600 jobs=1 work="$repo/build/fuzz/long" merge=0 build=1
all_targets=(config request receipt note proof)
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while getopts "t:j:w:mnh" opt; do
  case $opt in
    t) seconds=$OPTARG ;;
    j) jobs=$OPTARG ;;
    w) work=$OPTARG ;;
    m) merge=1 ;;
    n) build=0 ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "unknown target: $t" >&2; exit 2; }
done

if [[ $build -eq 1 ]]; then
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j2
fi

# Dev test BSNs the seeds use (make_seeds.cc, policy tests); any other
# 9-digit number that passes the elfproef could be a real person's.
dev_bsns=" 111222333 123456782 999990019 578230859 799642630 "
elfproef() {
  local n=$1 sum=0 i
  [[ $n == 000000000 ]] && return 1
  for i in 0 1 2 3 4 5 6 7; do sum=$((sum + (9 - i) * ${n:i:1})); done
  (((sum - ${n:8:1}) % 11 == 0))
}
# Removes corpus files holding a BSN-like number that is not a dev test BSN:
# a mutated number may be a real person's, and the corpus is committed.
drop_bsn_like() {
  local file n
  for file in "$1"/*; do
    for n in $(grep -aoP '(?<![0-9])[0-9]{9}(?![0-9])' "$file" | sort -u); do
      if [[ $dev_bsns != *" $n "* ]] && elfproef "$n"; then
        echo "   dropped $(basename "$file"): holds a BSN-like number"
        rm -f "$file"
        break
      fi
    done
  done
}

crashed=()
for t in "${targets[@]}"; do
  bin="$repo/build/fuzz/tests/fuzz/${t}_fuzzer"
  corpus="$work/corpus/$t" artifacts="$work/artifacts/$t" log="$work/logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  before=$(find "$artifacts" -type f | wc -l)
  echo "== $t: ${seconds}s, $jobs job(s); work corpus $corpus"
  # The repo corpus is read-only input (second dir); new inputs go to the work corpus.
  status=0
  if [[ $jobs -gt 1 ]]; then
    (cd "$work/logs" && "$bin" -max_total_time="$seconds" -jobs="$jobs" -workers="$jobs" \
      -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
      "$corpus" "$repo/tests/fuzz/corpus/$t") >"$log" 2>&1 || status=$?
    cat "$work/logs"/fuzz-*.log >>"$log" 2>/dev/null || true
    rm -f "$work/logs"/fuzz-*.log
  else
    "$bin" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$corpus" "$repo/tests/fuzz/corpus/$t" >"$log" 2>&1 ||
      status=$?
  fi
  grep -E '^(stat::|Done|#[0-9]+.*(DONE|cov:))' "$log" | tail -4 || true
  after=$(find "$artifacts" -type f | wc -l)
  if [[ $status -ne 0 || $after -gt $before ]]; then
    crashed+=("$t")
    echo "!! $t: exit $status; new artifacts in $artifacts (log: $log)"
    find "$artifacts" -type f | sort | while read -r f; do echo "   reproduce: $bin $f"; done
  fi
  if [[ $merge -eq 1 ]]; then
    before_files=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
    # Edge coverage only (-use_counters=0): hit counts would pull in hundreds
    # of near-copies and the repo corpus is to stay small.
    "$bin" -merge=1 -use_counters=0 "tests/fuzz/corpus/$t" "$corpus" >"$work/logs/$t.merge.log" 2>&1
    drop_bsn_like "tests/fuzz/corpus/$t"
    after_files=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
    echo "   merged: tests/fuzz/corpus/$t has $after_files files (was $before_files)"
  fi
done

if [[ ${#crashed[@]} -gt 0 ]]; then
  echo "CRASHED: ${crashed[*]}"
  exit 1
fi
echo "no crashes"
