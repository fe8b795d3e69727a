#!/usr/bin/env bash
# rest.openapi_lint: lints the generated OpenAPI document with Spectral and
# adr-ruleset.yaml (the Dutch API Design Rules on top of spectral:oas):
#   1. the ruleset can fail: on bad-openapi.json every adr-* rule of the
#      ruleset reports at least once;
#   2. the generated document passes: no finding of any severity.
# Usage: openapi_lint.sh <openapi.json>
# Node.js and npm come from deploy/install-deps.sh; @stoplight/spectral-cli is
# installed here by `npm ci` from package-lock.json on the first run.
set -euo pipefail

document=${1:?usage: openapi_lint.sh <openapi.json>}
here=$(cd "$(dirname "$0")" && pwd)
ruleset=$here/adr-ruleset.yaml
failures=0
failed() { echo "FAIL: $*"; failures=$((failures + 1)); }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "FAIL: node and npm are needed to lint the OpenAPI document (run deploy/install-deps.sh)"
  exit 1
fi
if [[ ! -x $here/node_modules/.bin/spectral ]]; then
  log=$(mktemp)
  if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
    cat "$log"
    rm -f "$log"
    echo "FAIL: npm ci in $here could not install @stoplight/spectral-cli"
    exit 1
  fi
  rm -f "$log"
fi
if [[ ! -f $document ]]; then
  echo "FAIL: $document does not exist (build the target wams_openapi_document)"
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Spectral's findings on $1 as lines "<rule id> <severity> <path>: <message>".
lint() {
  # Spectral exits 1 when it finds something; the findings are what counts.
  "$here/node_modules/.bin/spectral" lint --quiet --ruleset "$ruleset" --format json \
    --output "$work/out.json" "$1" >"$work/spectral.log" 2>&1 || true
  if [[ ! -s $work/out.json ]]; then
    cat "$work/spectral.log"
    echo "FAIL: spectral wrote no report for $1"
    exit 1
  fi
  node -e '
    const names = ["error", "warn", "info", "hint"];
    for (const r of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")))
      console.log(`${r.code} ${names[r.severity]} ${r.path.join(".")}: ${r.message}`);
  ' "$work/out.json"
}

# 1. Each of our rules fails the bad document.
mapfile -t rules < <(sed -n 's/^  \(adr-[a-z0-9-]*\):$/\1/p' "$ruleset")
if ((${#rules[@]} == 0)); then failed "no adr-* rule found in $ruleset"; fi
lint "$here/bad-openapi.json" >"$work/bad.txt"
for rule in "${rules[@]}"; do
  if grep -q "^$rule " "$work/bad.txt"; then
    echo "ok: $rule reports on bad-openapi.json"
  else
    failed "$rule does not report on bad-openapi.json"
  fi
done

# 2. The generated document has no finding at all.
lint "$document" >"$work/good.txt"
if [[ -s $work/good.txt ]]; then
  cat "$work/good.txt"
  failed "$(wc -l <"$work/good.txt") findings on $document"
else
  echo "ok: no finding on $document (${#rules[@]} ADR rules and spectral:oas)"
fi

if ((failures > 0)); then
  echo "openapi-lint: $failures failures"
  exit 1
fi
echo "openapi-lint: passed"
