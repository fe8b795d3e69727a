#!/usr/bin/env bash
# The e2e test of the quick start: runs deploy/walkthrough.sh against the real
# programs in a fresh temp dir (dev PKI made now, every port chosen by the
# kernel), then asserts on its output, on a clean stop of every process, and
# on an offline export of the stopped broker that must extend the online one.
#
# usage: run_walkthrough.sh SOURCE_DIR WAMS_BROKER WAMSCTL WAMS_AUDIT WAMS_ADAPTER
# Exit 0 when every assertion holds; otherwise the first failed one is named.
set -euo pipefail
if (($# != 5)); then
  echo "usage: $0 SOURCE_DIR WAMS_BROKER WAMSCTL WAMS_AUDIT WAMS_ADAPTER" >&2
  exit 2
fi
source_dir=$1
export WAMS_BROKER_BIN=$2 WAMSCTL=$3 WAMS_AUDIT_BIN=$4 WAMS_ADAPTER_BIN=$5

work=$(mktemp -d "${TMPDIR:-/tmp}/wams-e2e.XXXXXX")
# shellcheck source=../../deploy/demo-env.sh
source "$source_dir/deploy/demo-env.sh"
cleanup() {
  demo_stop || true
  if [[ ${keep:-0} == 1 ]]; then echo "e2e: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
keep=1 # until everything passed, keep the logs for the failure message

passes=0
failures=0
pass() {
  echo "e2e: ok      $*"
  passes=$((passes + 1))
}
failed() {
  echo "e2e: FAILED  $*"
  failures=$((failures + 1))
}
expect() { # expect "DESCRIPTION" PATTERN: the walkthrough output has a line matching PATTERN
  if grep -Eq -- "$2" "$work/walkthrough.out"; then pass "$1"; else failed "$1 (no line matching: $2)"; fi
}

demo_find_binaries ""
bash "$source_dir/deploy/dev-pki.sh" "$work/pki" >/dev/null
export WAMS_BROKER_PORT=0 WAMS_ADAPTER_BASE_PORT=0 WAMS_OUT=$work/audit
demo_start "$work/run" "$work/pki"

# The container's health probe (deploy/container/wams-healthcheck: gRPC health
# over mTLS, as Kubernetes' own probe cannot) sees the broker SERVING.
probe=(/usr/bin/python3 "$source_dir/deploy/container/wams-healthcheck" --broker "$WAMS_BROKER"
  --cert "$work/pki/broker.crt" --key "$work/pki/broker.key" --ca "$work/pki/ca.crt" --timeout 5)
probe_available=0
if /usr/bin/python3 -c 'import grpc' 2>/dev/null; then probe_available=1; fi
if ((probe_available)); then
  if "${probe[@]}"; then pass "the health probe sees the broker SERVING"; else failed "health probe"; fi
  # Liveness apart from readiness, and one service's readiness (serving_status.h).
  if "${probe[@]}" --alive; then pass "the liveness probe sees it alive"; else failed "liveness probe"; fi
  if "${probe[@]}" --service wams.broker.v1.AuditService; then
    pass "the AuditService is ready"
  else
    failed "AuditService readiness probe"
  fi
else
  echo "e2e: skipped the health probe check: python3-grpcio is not installed"
fi

walk_rc=0
bash "$source_dir/deploy/walkthrough.sh" >"$work/walkthrough.out" 2>"$work/walkthrough.err" ||
  walk_rc=$?
cat "$work/walkthrough.out"
if ((walk_rc != 0)); then
  echo "e2e: FAILED  the walkthrough exited $walk_rc:"
  cat "$work/walkthrough.err"
  for log in "$work"/run/logs/*.log; do
    echo "--- $log"
    tail -n 20 "$log"
  done
  exit 1
fi

echo
echo "e2e: assertions on the walkthrough output"
expect "a case under no social-domain law is refused citing R01" \
  "REFUSED  a case opened under no social-domain law  \[R01\]"
expect "the case opens in research" "GRANTED  case opened"
expect "consent for GGZ is recorded" "GRANTED  consent recorded for treatment_status, care_contact"
expect "GGZ answers, on the client's consent" "GRANTED  request to GGZ Voorbeeld"
expect "GGZ's decision rests on the consent (R17)" "R17 satisfied by the client's explicit consent"
expect "the school answers" "GRANTED  request to Voorbeeldcollege"
expect "the school provides attendance and support needs" "answer PROVIDED: attendance support_needs"
expect "the municipality shares with the school (R21)" "GRANTED  share with Voorbeeldcollege"
expect "the share lands in the school's inbox, 0600" "in the school's inbox: share-inbox/school/[0-9a-f-]+\.json \(mode 0600, categories youth_services\)"
expect "the housing corporation without details is refused citing R19" \
  "REFUSED  request to Woonstichting Voorbeeld with only the BSN  \[[^]]*R19"
expect "the housing corporation answers with the details" \
  "GRANTED  request to Woonstichting Voorbeeld with identifying details"
expect "R19 says the BSN was withheld" "R19: PASSED The party may not process the BSN; the BSN is withheld"
expect "the police request is refused citing R04" "REFUSED  request to the police  \[[^]]*R04"
expect "R04's reason is shown" "R04  FAILED  art\. 2\.3a\.1 Wmo 2015"
expect "the fishing request is refused citing R09" "REFUSED  request outside any case  \[[^]]*R09"
expect "the fraud-control request is refused citing R08" "REFUSED  request for fraud control  \[[^]]*R08"
expect "coordination starts" "GRANTED  coordinated approach started"
expect "coordination is a duty, by an involved party (R12, R13)" \
  "coordination DUTY \(R12\), coordinator of an INVOLVED_PARTY \(R13\)"
expect "the coordinator may ask in coordination" "GRANTED  coordination request to Voorbeeldcollege"
expect "the conference is convened (not skipped)" "GRANTED  conference convened"
expect "GGZ sees only its own minutes (R25)" "GGZ sees only: Afspraken GGZ$"
expect "the school sees only its own minutes (R25)" "the school sees only: Afspraken school$"
expect "a non-participant gets nothing" "REFUSED  the police, not a participant"
expect "onward use is refused before assent (R26)" "REFUSED  onward use by the school before .*\[R26"
expect "onward use is allowed after assent (R26)" "GRANTED  onward use by the school after assent"
expect "the case closes" "GRANTED  case closed"
expect "the late request is refused citing R10" "REFUSED  request on a closed case  \[[^]]*R10"
expect "the exported log verifies" "VERIFIED  [0-9]+ receipts"
expect "the walkthrough passed with the conference run" "WALKTHROUGH PASSED: .* conference run"
if grep -q 111222333 "$work/walkthrough.out"; then
  failed "the walkthrough output shows the client's BSN"
else
  pass "no BSN in the walkthrough output"
fi
if grep -l 111222333 "$work"/run/logs/* >/dev/null 2>&1; then
  failed "a process log shows the client's BSN: $(grep -l 111222333 "$work"/run/logs/*)"
else
  pass "no BSN in the broker's or the adapters' logs"
fi

echo
echo "e2e: every process stops cleanly (SIGTERM, exit 0)"
if demo_stop; then
  pass "broker and five adapters exited 0"
else
  failed "a process did not exit cleanly"
fi

if ((probe_available)); then
  if "${probe[@]}" 2>/dev/null; then
    failed "the health probe still passes after the broker stopped"
  else
    pass "the health probe fails once the broker has stopped"
  fi
fi

echo
echo "e2e: the stopped broker's offline export verifies and extends the online one"
if "$WAMS_BROKER_BIN" --config "$WAMS_BROKER_CONFIG" --export "$work/offline" >"$work/offline.out" 2>&1 &&
  "$WAMS_AUDIT_BIN" verify "$work/offline" >"$work/offline-verify.out" 2>&1; then
  pass "offline export verified ($(grep 'receipts verified' "$work/offline-verify.out"))"
else
  failed "offline export or its verification"
  cat "$work/offline.out" "$work/offline-verify.out" 2>/dev/null || true
fi
if "$WAMS_AUDIT_BIN" consistency "$work/audit/export" "$work/offline" >"$work/consistency.out" 2>&1; then
  pass "the walkthrough's export is a prefix of the offline export"
else
  failed "consistency between the walkthrough's export and the offline export"
  cat "$work/consistency.out"
fi

echo
echo "e2e: $passes passed, $failures failed"
((failures == 0)) || exit 1
keep=0
