#!/usr/bin/env bash
# Static checks over the broker, policy, adapter and proto/wire sources (not
# the tests, not the generated *.pb.cc): clang-tidy 14 with the repository's
# .clang-tidy, and clang's thread-safety analysis (-Wthread-safety, the
# ABSL_GUARDED_BY annotations) in the same pass, so each file is parsed once.
# Every finding fails the run. Reads the compile commands of a configured and
# code-generated build (the generated *.pb.h must exist); tests/README.md,
# "Static checks".
#
# usage: tests/static/check-static.sh [build dir, default build/ci] [source regex]
#   e.g. tests/static/check-static.sh build/ci 'broker/ledger/.*\.cc$'   one folder only
#   WAMS_STATIC_JOBS=4   parallel clang-tidy processes (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build=${1:-build/ci}
# Our sources by default (not tests/, not the generated code under build/).
sources=${2:-"^$root/(broker|adapters|policy|proto/wire)/.*\.cc\$"}
if [[ ! -f $build/compile_commands.json ]]; then
  echo "check-static: no $build/compile_commands.json; configure and build first" >&2
  exit 2
fi
# The compile commands are GCC's: clang ignores the flags it does not know
# (-Wno-restrict), and -Werror is relaxed to the thread-safety warnings, since
# clang's other warnings belong to the clang-tsa preset's build.
clang_args=(-extra-arg=-Wno-unknown-warning-option -extra-arg=-Wno-error
            -extra-arg=-Wthread-safety -extra-arg=-Werror=thread-safety)
start=$SECONDS
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
run-clang-tidy-14 -p "$build" -j "${WAMS_STATIC_JOBS:-$(nproc)}" -quiet "${clang_args[@]}" \
  "$sources" >"$log" 2>&1 || status=$?
# Keep the findings, without colours (clang-tidy 14 colours even into a pipe);
# drop the invocations and clang-tidy's counts of the warnings it suppressed
# in other people's headers.
sed -i 's/\x1b\[[0-9;]*m//g' "$log"
grep -v -E '^clang-tidy-14 |^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter' "$log" || true
files=$(grep -c '^clang-tidy-14 ' "$log" || true)
if ((status != 0)) || grep -q -E ' (error|warning): ' "$log"; then
  echo "check-static: findings above (clang-tidy check or clang-diagnostic-thread-safety-*); $((SECONDS - start)) s" >&2
  exit 1
fi
echo "check-static: clean, ${files} files checked (clang-tidy and -Wthread-safety) in $((SECONDS - start)) s"
