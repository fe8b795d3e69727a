#!/usr/bin/env bash
# One short libFuzzer run, as ctest runs it in the `fuzz` preset: fuzzes a
# copy of the target's corpus (the repo corpus is never written), and fails
# when the target crashes, leaks, times out or breaks an invariant. The
# crashing input is kept in ARTIFACT_DIR.
#
# usage: tests/fuzz/run-short.sh FUZZER CORPUS_DIR SECONDS ARTIFACT_DIR
set -euo pipefail

if [[ $# -ne 4 ]]; then
  echo "usage: $0 FUZZER CORPUS_DIR SECONDS ARTIFACT_DIR" >&2
  exit 2
fi
fuzzer=$1 corpus=$2 seconds=$3 artifacts=$4

work=$(mktemp -d "${TMPDIR:-/tmp}/wams-fuzz-short.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r "$corpus" "$work/corpus"
mkdir -p "$artifacts"

# -timeout: one input may take at most 25 s (sanitizers, a slow shared box);
# -rss_limit_mb: the targets hold a few MB, so 2 GB means a real leak.
status=0
"$fuzzer" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "$work/corpus" || status=$?
if [[ $status -ne 0 ]]; then
  echo "FAILED: $(basename "$fuzzer") exited with $status; input(s) kept in $artifacts:" >&2
  ls -l "$artifacts" >&2 || true
  echo "Reproduce: $fuzzer $artifacts/<file>; add it to $corpus as a regression (README.md)." >&2
fi
exit "$status"
