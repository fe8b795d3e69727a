#!/usr/bin/env bash
# A realistic Wams case, played against a running broker and its providers'
# adapters with wamsctl, then the receipt log exported and verified with
# wams-audit. Each step prints a Dutch / English headline and the decision
# with its rule IDs, and checks the decision itself: a step that gets another
# outcome than the law prescribes stops the walkthrough with exit 1 and a
# line starting "WALKTHROUGH FAILED".
#
#   source deploy/demo-env.sh && demo_find_binaries build/dev &&
#     demo_start "$run_dir" deploy/dev-pki && bash deploy/walkthrough.sh
#
# deploy/quickstart.sh and the e2e test (tests/e2e/run_walkthrough.sh) run it
# that way. Environment (demo_start exports all but WAMS_OUT):
#   WAMS_BROKER      broker address, HOST:PORT
#   WAMS_PKI         the dev PKI directory (deploy/dev-pki.sh): ca.crt, NAME.crt/.key
#   WAMSCTL, WAMS_AUDIT_BIN, WAMS_BROKER_BIN   the programs
#   WAMS_OUT         where the export and the report go (default $WAMS_RUN_DIR/audit)
#   WAMS_BROKER_CONFIG, WAMS_BROKER_PID        only for the offline export, used when
#                    the broker does not serve the audit export online: the broker
#                    is stopped (SIGTERM) and exported with `wams-broker --export`.
# Needs jq. Every BSN below is fictional (the dev adapters' demo records).
set -euo pipefail

: "${WAMS_BROKER:?set WAMS_BROKER (HOST:PORT), e.g. by demo_start in deploy/demo-env.sh}"
: "${WAMS_PKI:?set WAMS_PKI to the dev PKI directory}"
: "${WAMSCTL:?set WAMSCTL to the wamsctl program}"
: "${WAMS_AUDIT_BIN:?set WAMS_AUDIT_BIN to the wams-audit program}"
command -v jq >/dev/null || { echo "walkthrough: needs jq (apt-get install jq)" >&2; exit 1; }
out_dir=${WAMS_OUT:-${WAMS_RUN_DIR:-.}/audit}
mkdir -p "$out_dir"
export WAMS_CA=$WAMS_PKI/ca.crt

# The parties (OINs of deploy/config/broker.example.textproto) and the client.
readonly team=00000003123456780000 ggz=00000003234567890000 school=00000003345678900000
readonly police=00000001003214345000 housing=00000003567890120000
readonly client_bsn=111222333
readonly caseworker=wmo-consulent-12 coordinator=wijkteam-regisseur-7
readonly justification="Nodig om de samenhang van de problemen in kaart te brengen."

bold=$'\033[1m' green=$'\033[32m' red=$'\033[31m' plain=$'\033[0m'
if [[ ! -t 1 ]]; then bold='' green='' red='' plain=''; fi
step_no=0
checks=0

# step "Nederlandse kop" "English headline"
step() {
  step_no=$((step_no + 1))
  printf '\n%s%2d. %s / %s%s\n' "$bold" "$step_no" "$1" "$2" "$plain"
}
say() { printf '    %s\n' "$*"; }
ok() {
  checks=$((checks + 1))
  printf '    %s✔ %s%s\n' "$green" "$*" "$plain"
}
fail() {
  printf '    %s✘ %s%s\n' "$red" "$*" "$plain"
  printf 'WALKTHROUGH FAILED at step %d: %s\n' "$step_no" "$*" >&2
  if [[ -s ${last_err:-/dev/null} ]]; then sed 's/^/    wamsctl: /' "$last_err" >&2; fi
  exit 1
}

# as_party PARTY PROFESSIONAL wamsctl-args...: runs wamsctl --json as that party.
# Sets rc (exit code) and json (stdout); stderr goes to $last_err.
last_err=$out_dir/wamsctl.stderr
as_party() {
  local party=$1 professional=$2
  shift 2
  rc=0
  json=$("$WAMSCTL" --json --cert "$WAMS_PKI/$party.crt" --key "$WAMS_PKI/$party.key" \
    --professional "$professional" "$@" 2>"$last_err") || rc=$?
  if ((rc == 2)); then fail "wamsctl rejected the command line: $(cat "$last_err")"; fi
}
q() { jq -r "$@" <<<"$json"; }

# The decision of the last call: from the response, or from a refusal's details.
decision_json() { q '(.decision // (.details // [] | map(select(."@type" | endswith(".Decision"))) | first)) // {}'; }
failed_rules() { decision_json | jq -r '[.failed_rule_ids // [] | .[]] | join(" ")'; }
failed_lines() {
  decision_json | jq -r '.rules // [] | .[] | select(.outcome == "RULE_OUTCOME_FAILED") |
    "\(.rule_id)  FAILED  \(.article)  \(.message)"'
}
# A signed receipt, or (for a party that may not read it, e.g. about a case
# that does not exist) a ReceiptReference to it.
receipt_line() {
  q '[.. | objects | select((has("receipt_bytes") and has("signature")) or
                            (has("receipt_id") and has("leaf_index"))) | (.leaf_index // "0")] |
     if length > 0 then "receipt leaf " + join(", ") else empty end'
}

# expect_granted WHAT: the call succeeded and, when it carried a decision, the
# decision allowed it.
expect_granted() {
  ((rc == 0)) || fail "$1: expected GRANTED, got exit $rc ($(head -c 300 "$last_err"))"
  if [[ $(q 'has("decision")') == true && $(q '.decision.allowed') != true ]]; then
    fail "$1: expected GRANTED, the decision says not allowed [$(failed_rules)]"
  fi
  local receipts
  receipts=$(receipt_line)
  ok "GRANTED  $1${receipts:+  ($receipts)}"
}

# expect_refused RULE CODE WHAT: refused with the gRPC code CODE, the decision
# citing RULE among its failed rules, and a receipt of the refusal.
expect_refused() {
  local rule=$1 code=$2 what=$3
  ((rc == 1)) || fail "$what: expected REFUSED citing $rule, got exit $rc"
  [[ $(q '.code // ""') == "$code" ]] ||
    fail "$what: expected $code, the broker answered $(q '.code // "?"'): $(q '.message // ""')"
  local rules
  rules=$(failed_rules)
  [[ " $rules " == *" $rule "* ]] || fail "$what: expected $rule among the failed rules, got [$rules]"
  failed_lines | sed 's/^/      /'
  [[ -n $(receipt_line) ]] || fail "$what: the refusal carries no receipt"
  ok "REFUSED  $what  [$rules]  ($(receipt_line))"
}

request() { # request PARTY PROFESSIONAL CASE PROVIDER PURPOSE CATEGORY...
  local party=$1 professional=$2 case_id=$3 provider=$4 purpose=$5
  shift 5
  local categories=()
  for c in "$@"; do categories+=(--category "$c"); done
  as_party "$party" "$professional" request --case "$case_id" --bsn "$client_bsn" --provider "$provider" \
    --purpose "$purpose" "${categories[@]}" --justification "$justification" --lang en
}
expect_answer() { # expect_answer STATUS CATEGORY...: the provider's answer
  local status
  status=$(q '.status // "" | sub("PROVIDER_ANSWER_STATUS_"; "")')
  [[ $status == "$1" ]] || fail "expected the provider's answer $1, got '$status'"
  shift
  local got
  got=$(q '[.data // [] | .[].category] | sort | join(" ")')
  [[ $got == "$(printf '%s\n' "$@" | sort | paste -sd' ')" ]] ||
    fail "expected data for [$*], got [$got]"
  say "answer $status: $got"
  q '.conditions // [] | .[] | "condition: " + .' | sed 's/^/    /'
  q '.decision.consent_basis // [] | .[] | select(.consent_id != null) |
     "consent basis: \(.category) (consent \(.consent_id))"' | sed 's/^/    /'
}

printf '%sWams Broker walkthrough%s: broker %s, PKI %s\n' "$bold" "$plain" "$WAMS_BROKER" "$WAMS_PKI"

# ---------------------------------------------------------------------------
step "Wie is wie" "Who is who: each party's certificate as the broker sees it"
for party in municipality neighbourhood-team ggz school police; do
  as_party "$party" "demo-$party" whoami
  ((rc == 0)) || fail "whoami as $party failed: $(cat "$last_err")"
  say "$(q '"\(.party.name // .name // "?")  \(.party.oin // .oin // "")"')"
done
as_party outsider demo whoami
((rc == 1)) || fail "a party with a valid certificate but an unregistered OIN was accepted"
ok "an unregistered party (outsider) is refused: $(q '.code // "refused"')"

# ---------------------------------------------------------------------------
step "Een inwoner vraagt om hulp" "A resident asks the municipality for help (R01)"
say "Help is asked under a social-domain law: a case opened under none is refused."
as_party municipality "$caseworker" case open --bsn "$client_bsn" --in WELFARE
expect_refused R01 PERMISSION_DENIED "a case opened under no social-domain law"
say "Wmo 2015 and Jeugdwet; the client includes mental health, education and welfare,"
say "which are also the adjacent domains involved (R12), and excludes police data (R04)."
as_party municipality "$caseworker" case open --bsn "$client_bsn" --law WMO_2015 --law JEUGDWET \
  --in MENTAL_HEALTH --in EDUCATION --in WELFARE --out POLICE \
  --adjacent MENTAL_HEALTH --adjacent EDUCATION --adjacent WELFARE
expect_granted "case opened"
case_id=$(q '.case.case_id')
[[ $(q '.case.phase') == CASE_PHASE_RESEARCH ]] || fail "the new case is not in research"
[[ $(q '.case.scope.domains_out | join(",")') == DOMAIN_POLICE ]] || fail "police not excluded"
[[ $(q '.case.adjacent_domains | length') == 3 ]] || fail "the adjacent domains were not kept"
[[ $(q '.case.coordination_ground') == COORDINATION_GROUND_DUTY ]] ||
  fail "two social-domain laws, yet coordination is '$(q '.case.coordination_ground')', not a duty"
[[ $json != *"$client_bsn"* ]] || fail "the case shows the BSN"
say "case $case_id, phase RESEARCH, client by pseudonym only"
say "coordination: a duty (two social-domain laws, R12)"

step "Toestemming voor de GGZ" "The client consents to GGZ sharing treatment data (R17)"
as_party municipality "$caseworker" case consent --case "$case_id" --bsn "$client_bsn" \
  --provider "$ggz" --category treatment_status --category care_contact
expect_granted "consent recorded for treatment_status, care_contact"

# ---------------------------------------------------------------------------
step "Onderzoek bij de GGZ" "Research: the municipality asks the GGZ institution"
request municipality "$caseworker" "$case_id" "$ggz" research treatment_status care_contact
expect_granted "request to GGZ Voorbeeld"
expect_answer PROVIDED care_contact treatment_status
[[ $(q '[.decision.consent_basis[]? | select(.consent_id != null)] | length') == 2 ]] ||
  fail "the GGZ decision does not rest on the recorded consent"
ok "R17 satisfied by the client's explicit consent"

step "Onderzoek bij de school" "Research: the municipality asks the school"
request municipality "$caseworker" "$case_id" "$school" research attendance support_needs
expect_granted "request to Voorbeeldcollege"
expect_answer PROVIDED attendance support_needs

step "De gemeente deelt met de school" "The municipality shares the youth care with the school (R21)"
as_party municipality "$caseworker" share --case "$case_id" --bsn "$client_bsn" --recipient "$school" \
  --purpose research --category youth_services \
  --data 'youth_services={"jeugdhulp": "ambulante begeleiding, 2 uur per week"}' \
  --justification "De school stemt haar begeleiding af op de lopende jeugdhulp." --lang en
expect_granted "share with Voorbeeldcollege"
[[ $(q '.acknowledged // false') == true ]] ||
  fail "the school did not acknowledge the share: $(q '.refusal_reasons // "no reason given"')"
share_file=$(q '.transaction_id').json
say "acknowledged: Voorbeeldcollege's adapter took the data"
# Where the school's adapter filed it: share_inbox_dir of its config, next to
# the config demo_start wrote.
school_inbox=${WAMS_RUN_DIR:+$WAMS_RUN_DIR/config/share-inbox/school}
if [[ -n $school_inbox ]]; then
  [[ -f $school_inbox/$share_file ]] || fail "the share is not in the school's inbox ($school_inbox)"
  [[ $(stat -c %a "$school_inbox/$share_file") == 600 ]] || fail "the inbox file is not mode 0600"
  [[ $(stat -c %a "$school_inbox") == 700 ]] || fail "the school's inbox is not mode 0700"
  ok "in the school's inbox: share-inbox/school/$share_file (mode 0600, categories" \
    "$(jq -r '.categories | join(", ")' "$school_inbox/$share_file"))"
else
  say "the school's adapter filed it as $share_file in its share inbox"
fi

step "Onderzoek bij het wijkteam" "Research: the municipality asks the neighbourhood team"
request municipality "$caseworker" "$case_id" "$team" research support_plan
expect_granted "request to Wijkteam Voorbeeldstad (the team is now involved)"
expect_answer PROVIDED support_plan

step "Woningcorporatie zonder BSN" "Research: the housing corporation, which may not process the BSN (R19)"
say "The team's plan mentions rent arrears; the client adds housing to the research (R04)."
as_party municipality "$caseworker" case scope --case "$case_id" --in MENTAL_HEALTH --in EDUCATION \
  --in WELFARE --in HOUSING --out POLICE --adjacent MENTAL_HEALTH --adjacent EDUCATION \
  --adjacent WELFARE --adjacent HOUSING
expect_granted "housing added to the client's scope"
request municipality "$caseworker" "$case_id" "$housing" research rent_arrears
expect_refused R19 PERMISSION_DENIED "request to Woonstichting Voorbeeld with only the BSN"
say "with the tenant's name, date of birth and address instead (never the BSN):"
as_party municipality "$caseworker" request --case "$case_id" --bsn "$client_bsn" \
  --provider "$housing" --purpose research --category rent_arrears \
  --justification "$justification" --lang en --family-name "de Vries" \
  --date-of-birth 1984-06-02 --postal-code "3511 AB" --house-number 12
expect_granted "request to Woonstichting Voorbeeld with identifying details"
expect_answer PROVIDED rent_arrears
r19=$(decision_json | jq -r '.rules[] | select(.rule_id == "R19") | "\(.outcome) \(.message)"')
[[ $r19 == "RULE_OUTCOME_PASSED "*withheld* ]] || fail "R19 should pass with the BSN withheld, got: $r19"
say "R19: ${r19#RULE_OUTCOME_}"
ok "the corporation found its tenant by the details; the BSN was not sent"

# ---------------------------------------------------------------------------
step "Politie: door de cliënt uitgesloten" "Police data the client excluded is refused"
request municipality "$caseworker" "$case_id" "$police" research police_contacts
expect_refused R04 PERMISSION_DENIED "request to the police"

step "Hengelen zonder casus" "A fishing request without a case is refused"
request municipality "$caseworker" 01890000-0000-7000-8000-000000000000 "$school" research attendance
expect_refused R09 PERMISSION_DENIED "request outside any case"

step "Fraudecontrole" "A request for fraud control is refused"
request municipality "$caseworker" "$case_id" "$school" fraud_control attendance
expect_refused R08 PERMISSION_DENIED "request for fraud control"

# ---------------------------------------------------------------------------
step "Coördinatie" "Coordination: a coordinator from the neighbourhood team (R12, R13)"
as_party municipality "$caseworker" case coordinate --case "$case_id" \
  --coordinator-oin "$team" --coordinator-id "$coordinator"
expect_granted "coordinated approach started"
[[ $(q '.case.phase') == CASE_PHASE_COORDINATION ]] || fail "the case is not in coordination"
ground=$(q '.case.coordination_ground // "" | sub("COORDINATION_GROUND_"; "")')
coordinator_kind=$(q '.case.coordinator_kind // "" | sub("COORDINATOR_KIND_"; "")')
[[ $ground == DUTY ]] || fail "coordination should be a duty (two social-domain laws), got '$ground'"
[[ $coordinator_kind == INVOLVED_PARTY ]] ||
  fail "the coordinator should be an involved party's, got '$coordinator_kind'"
q '.decision.rules // [] | .[] | select(.rule_id == "R12" or .rule_id == "R13") |
   "\(.rule_id)  \(.outcome | sub("RULE_OUTCOME_"; ""))  \(.message)"' | sed 's/^/      /'
ok "coordination $ground (R12), coordinator of an $coordinator_kind (R13)"
say "coordinator $coordinator of Wijkteam Voorbeeldstad"

step "De regisseur vraagt de school" "The coordinator asks the school (coordination purpose)"
request neighbourhood-team "$coordinator" "$case_id" "$school" coordination attendance
expect_granted "coordination request to Voorbeeldcollege"
expect_answer PROVIDED attendance

# ---------------------------------------------------------------------------
step "Casusoverleg" "Case conference: convened by the coordinator (R22)"
as_party neighbourhood-team "$coordinator" conference convene --case "$case_id" \
  --subject "Afstemming aanpak" --at 2026-03-03T14:00:00+01:00
conference_state=run
if ((rc == 1)) && [[ $(q '.code // ""') == UNIMPLEMENTED ]]; then
  say "not available yet: this broker answers UNIMPLEMENTED for case conferences; steps skipped"
  conference_state=skipped
fi
if [[ $conference_state == run ]]; then
  expect_granted "conference convened"
  conference_id=$(q '.conference.conference_id // .conference_id // empty')
  [[ -n $conference_id ]] || fail "no conference id in the answer"

  step "Uitnodigen" "Invitations, each with why the party is needed (R23)"
  as_party neighbourhood-team "$coordinator" conference invite --conference "$conference_id" \
    --party "$ggz" --reason "Behandelt de cliënt; crisisafspraken nodig."
  expect_granted "GGZ Voorbeeld invited"
  as_party neighbourhood-team "$coordinator" conference invite --conference "$conference_id" \
    --party "$school" --reason "Verzuim en begeleiding op school."
  expect_granted "Voorbeeldcollege invited"
  as_party neighbourhood-team "$coordinator" conference client-invitation --conference "$conference_id" \
    --invited
  expect_granted "the client invited"

  step "Verslag op maat" "Minutes on measure: each participant its own part (R25)"
  as_party neighbourhood-team "$coordinator" conference share-item --conference "$conference_id" \
    --audience "$ggz" --title "Afspraken GGZ" --content "GGZ houdt het crisisplan actueel."
  expect_granted "minutes for GGZ shared"
  ggz_item=$(q '.item.item_id // .item_id // empty')
  as_party neighbourhood-team "$coordinator" conference share-item --conference "$conference_id" \
    --audience "$school" --title "Afspraken school" \
    --content "Mentor bespreekt verzuim wekelijks met de zorgcoördinator."
  expect_granted "minutes for the school shared"
  school_item=$(q '.item.item_id // .item_id // empty')
  [[ -n $ggz_item && -n $school_item ]] || fail "no item ids in the answers"

  as_party ggz demo-ggz conference fetch --conference "$conference_id"
  expect_granted "GGZ fetches its minutes"
  [[ $(q '[.items[]?.title] | join("|")') == "Afspraken GGZ" ]] ||
    fail "GGZ should see only 'Afspraken GGZ', got [$(q '[.items[]?.title] | join(", ")')]"
  ok "GGZ sees only: Afspraken GGZ"
  as_party school demo-school conference fetch --conference "$conference_id"
  expect_granted "the school fetches its minutes"
  [[ $(q '[.items[]?.title] | join("|")') == "Afspraken school" ]] ||
    fail "the school should see only 'Afspraken school', got [$(q '[.items[]?.title] | join(", ")')]"
  ok "the school sees only: Afspraken school"
  as_party police demo-police conference fetch --conference "$conference_id"
  if ((rc != 1)) || [[ $(q '.code') != PERMISSION_DENIED ]]; then
    fail "the police, not invited, could fetch (exit $rc)"
  fi
  ok "REFUSED  the police, not a participant, gets nothing ($(q '.code'))"

  step "Verder gebruik" "Onward use needs the supplier's assent (R26)"
  as_party school demo-school conference onward-use --conference "$conference_id" --item "$school_item"
  ((rc == 1)) || fail "onward use without assent was allowed"
  [[ " $(failed_rules) " == *" R26 "* ]] ||
    fail "onward use without assent: expected R26 among the failed rules, got [$(failed_rules)]"
  failed_lines | sed 's/^/      /'
  ok "REFUSED  onward use by the school before the coordinator assents  [$(failed_rules)]"
  as_party neighbourhood-team "$coordinator" conference assent --conference "$conference_id" \
    --item "$school_item" --party "$school"
  expect_granted "the coordinator (supplier) assents for the school"
  as_party school demo-school conference onward-use --conference "$conference_id" --item "$school_item"
  expect_granted "onward use by the school after assent"
fi

# ---------------------------------------------------------------------------
step "De casus wordt gesloten" "The case is closed"
as_party municipality "$caseworker" case close --case "$case_id" --reason "Aanpak loopt; coördinatie niet langer nodig."
expect_granted "case closed"
[[ $(q '.case.phase') == CASE_PHASE_CLOSED ]] || fail "the case is not closed"

step "Een verzoek te laat" "A late request after closing is refused"
request municipality "$caseworker" "$case_id" "$school" research attendance
expect_refused R10 PERMISSION_DENIED "request on a closed case"

# ---------------------------------------------------------------------------
step "Verantwoording" "Accountability: export the receipt log and verify it"
export_dir=$out_dir/export
rm -rf "$export_dir"
fetch_rc=0
"$WAMS_AUDIT_BIN" fetch --broker "$WAMS_BROKER" --ca "$WAMS_CA" \
  --cert "$WAMS_PKI/auditor.crt" --key "$WAMS_PKI/auditor.key" --professional fg-1 \
  "$export_dir" >"$out_dir/fetch.out" 2>&1 || fetch_rc=$?
if ((fetch_rc == 0)); then
  say "fetched online as the auditor: wams-audit fetch"
elif [[ -n ${WAMS_BROKER_CONFIG:-} && -n ${WAMS_BROKER_PID:-} && -n ${WAMS_BROKER_BIN:-} ]]; then
  say "online fetch not available ($(tail -n 1 "$out_dir/fetch.out")); offline export instead"
  kill -TERM "$WAMS_BROKER_PID"
  for _ in $(seq 1 300); do kill -0 "$WAMS_BROKER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$WAMS_BROKER_PID" 2>/dev/null && fail "the broker did not stop for the offline export"
  rm -rf "$export_dir"
  "$WAMS_BROKER_BIN" --config "$WAMS_BROKER_CONFIG" --export "$export_dir" >"$out_dir/export.out" 2>&1 ||
    fail "wams-broker --export failed: $(tail -n 3 "$out_dir/export.out")"
  say "broker stopped; exported with wams-broker --config ... --export"
else
  fail "wams-audit fetch failed: $(tail -n 3 "$out_dir/fetch.out")"
fi
"$WAMS_AUDIT_BIN" verify "$export_dir" >"$out_dir/verify.out" 2>&1 ||
  fail "wams-audit verify failed: $(cat "$out_dir/verify.out")"
sed 's/^/      /' "$out_dir/verify.out"
receipts=$(sed -n 's/^receipts verified: //p' "$out_dir/verify.out")
((receipts >= step_no)) || fail "only '$receipts' receipts verified"
if grep -q "$client_bsn" -r "$export_dir"; then fail "the export contains the BSN"; fi
ok "VERIFIED  $receipts receipts, signatures and Merkle tree; no BSN in the export"

if "$WAMS_AUDIT_BIN" report --help 2>&1 | grep -q 'wams-audit report'; then
  party_names=()
  [[ -n ${WAMS_BROKER_CONFIG:-} ]] && party_names=(--config "$WAMS_BROKER_CONFIG")
  if "$WAMS_AUDIT_BIN" report "${party_names[@]}" --out "$out_dir/report.html" "$export_dir" \
    >"$out_dir/report.out" 2>&1; then
    ok "HTML audit report (period): $out_dir/report.html"
  else
    fail "wams-audit report failed: $(tail -n 3 "$out_dir/report.out")"
  fi
  if "$WAMS_AUDIT_BIN" report "${party_names[@]}" --case "$case_id" \
    --out "$out_dir/case-report.html" "$export_dir" >"$out_dir/case-report.out" 2>&1; then
    ok "HTML audit report (case timeline): $out_dir/case-report.html"
  else
    fail "wams-audit report --case failed: $(tail -n 3 "$out_dir/case-report.out")"
  fi
else
  say "HTML audit report: not available yet in this wams-audit"
fi

# Logboek Dataverwerkingen: one record per receipt, the processing activity from the
# config's processing_register, the subject pseudonymised (broker/tools/README.md).
if [[ -n ${WAMS_BROKER_CONFIG:-} ]] && grep -q processing_register "$WAMS_BROKER_CONFIG" &&
  "$WAMS_AUDIT_BIN" ldv-export --help >/dev/null 2>&1; then
  "$WAMS_AUDIT_BIN" ldv-export --config "$WAMS_BROKER_CONFIG" --out "$out_dir/ldv.jsonl" \
    "$export_dir" >"$out_dir/ldv.out" 2>&1 || fail "wams-audit ldv-export failed: $(cat "$out_dir/ldv.out")"
  records=$(wc -l <"$out_dir/ldv.jsonl")
  ((records == receipts)) || fail "ldv-export wrote $records records for $receipts receipts"
  if grep -q "$client_bsn" "$out_dir/ldv.jsonl"; then fail "the LDV records contain the BSN"; fi
  ok "Logboek Dataverwerkingen: $records records, no BSN: $out_dir/ldv.jsonl"
fi

printf '\n%sWALKTHROUGH PASSED%s: %d steps, %d checks, conference %s, export in %s\n' \
  "$bold" "$plain" "$step_no" "$checks" "$conference_state" "$export_dir"
