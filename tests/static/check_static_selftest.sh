#!/usr/bin/env bash
# Self-test of tests/static/check-static.sh (ctest house.static_selftest): each
# planted fault in tests/static/selftest must fail it, naming the check that
# found it, and the same code done right (clean.cc) must pass. Runs without a
# build: it writes its own compile commands (GCC's flags, as the ci preset's)
# into a temp dir. About 15 s.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
selftest=$here/selftest
db=$(mktemp -d)
trap 'rm -rf "$db"' EXIT

python3 - "$selftest" "$db/compile_commands.json" <<'PY'
import json, sys
folder, out = sys.argv[1], sys.argv[2]
entries = [{"directory": folder, "file": f"{folder}/{name}",
            "command": f"/usr/bin/c++ -std=c++20 -Wall -Wextra -Werror -Wno-restrict -c {folder}/{name}"}
           for name in ("use_after_move.cc", "unguarded_read.cc", "clean.cc")]
json.dump(entries, open(out, "w"), indent=1)
PY

failures=0
# expect <file> <exit code> [text the output must hold]
expect() {
  local file=$1 want=$2 text=${3:-} output code=0
  output=$(WAMS_STATIC_JOBS=1 "$here/check-static.sh" "$db" "/selftest/$file\$" 2>&1) || code=$?
  if [[ $code != "$want" ]] || [[ -n $text && $output != *"$text"* ]]; then
    echo "FAIL $file: exit $code (want $want)${text:+, want \"$text\" in the output}:"
    echo "$output"
    failures=$((failures + 1))
  else
    echo "ok   $file: exit $code${text:+, \"$text\"}"
  fi
}
expect use_after_move.cc 1 "[bugprone-use-after-move"
expect unguarded_read.cc 1 "[clang-diagnostic-thread-safety-analysis"
expect clean.cc 0
if ((failures > 0)); then
  echo "check-static-selftest: $failures of 3 cases wrong" >&2
  exit 1
fi
echo "check-static-selftest: 3 cases as expected"
