#!/usr/bin/env bash
# The walkthrough's first steps over the REST/JSON face, with curl and jq, as
# a municipal integrator would write them: open a case, record a consent, a
# granted data request, a refusal as problem+json with its rule ids, and
# that refusal's decision read from its receipt's resource.
#
# usage: rest_walkthrough.sh BASE_URL PKI_DIR
#   BASE_URL  e.g. https://127.0.0.1:8443 (the broker's rest_address)
#   PKI_DIR   the dev PKI (deploy/dev-pki.sh): ca.crt, municipality.{crt,key}
# Exits 0 when every step held, 1 naming the first that did not.
set -euo pipefail
readonly base=$1/api/v1 pki=$2
readonly bsn=111222333 ggz=00000003234567890000 police=00000001003214345000
readonly caseworker=wmo-consulent-12
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAILED: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# call METHOD PATH [JSON]: as the municipality's case worker; sets $status,
# $body and $headers (lower-case names).
call() {
  local method=$1 path=$2 data=${3:-}
  local args=(--silent --show-error --cacert "$pki/ca.crt" --cert "$pki/municipality.crt"
    --key "$pki/municipality.key" -X "$method" -H "x-wams-professional-id: $caseworker"
    -D "$work/headers" -o "$work/body" -w '%{http_code}')
  [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
  status=$(curl "${args[@]}" "$base$path")
  body=$(cat "$work/body")
  headers=$(tr -d '\r' <"$work/headers" | tr '[:upper:]' '[:lower:]')
  grep -q '^api-version: 1\.' <<<"$headers" || fail "$method $path: no API-Version header"
}
expect() {
  [[ $status == "$1" ]] || fail "$2: HTTP $status, expected $1: $body"
}

call GET /who-am-i
expect 200 "who am I"
[[ $(jq -r .party.oin <<<"$body") == 00000001001234567000 ]] || fail "who-am-i: $body"
ok "the municipality's certificate is its identity: $(jq -r .party.name <<<"$body")"

call POST /client-cases "{
  \"requestId\": \"rest-open-1\", \"clientBsn\": \"$bsn\",
  \"socialLaws\": [\"SOCIAL_LAW_WMO_2015\", \"SOCIAL_LAW_JEUGDWET\"],
  \"scope\": {\"domainsIn\": [\"DOMAIN_MENTAL_HEALTH\", \"DOMAIN_EDUCATION\"],
              \"domainsOut\": [\"DOMAIN_POLICE\"]}}"
expect 200 "open a case"
case_id=$(jq -r .case.caseId <<<"$body")
[[ $(jq -r .case.phase <<<"$body") == CASE_PHASE_RESEARCH ]] || fail "the case is not in research"
[[ $body != *"$bsn"* ]] || fail "the case shows the BSN"
ok "case $case_id opened, phase RESEARCH, no BSN in the answer"

call POST "/cases/$case_id/consents" "{
  \"subjectBsn\": \"$bsn\", \"providerOin\": \"$ggz\",
  \"categories\": [\"treatment_status\", \"care_contact\"]}"
expect 200 "record a consent"
ok "consent recorded for the GGZ"

call POST /data-requests "{
  \"requestId\": \"rest-ggz-1\", \"caseId\": \"$case_id\", \"subjectBsn\": \"$bsn\",
  \"providerOin\": \"$ggz\", \"purpose\": \"PURPOSE_RESEARCH\",
  \"categories\": [\"treatment_status\", \"care_contact\"],
  \"justification\": \"Onderzoek naar de samenhang van de problemen.\"}"
expect 200 "a granted request"
[[ $(jq -r .decision.allowed <<<"$body") == true ]] || fail "not allowed: $body"
[[ $(jq -r .status <<<"$body") == PROVIDER_ANSWER_STATUS_PROVIDED ]] || fail "not provided: $body"
ok "the GGZ answered: $(jq -r '[.data[].category] | join(", ")' <<<"$body")"

call POST /data-requests "{
  \"requestId\": \"rest-police-1\", \"caseId\": \"$case_id\", \"subjectBsn\": \"$bsn\",
  \"providerOin\": \"$police\", \"purpose\": \"PURPOSE_RESEARCH\",
  \"categories\": [\"police_contacts\"],
  \"justification\": \"Onderzoek naar de samenhang van de problemen.\"}"
expect 403 "a request outside the client's scope"
grep -q '^content-type: application/problem+json' <<<"$headers" || fail "not problem+json"
[[ $(jq -r '[keys[] | select(. != "type" and . != "title" and . != "status" and
     . != "detail" and . != "instance")] | length' <<<"$body") == 0 ]] ||
  fail "members beyond type, title, status, detail, instance: $body"
[[ $(jq -r .status <<<"$body") == 403 ]] || fail "status member: $body"
[[ $(jq -r .type <<<"$body") == /api/v1/problem-types/R* ]] || fail "type: $body"
[[ $(jq -r .detail <<<"$body") == *R04* ]] || fail "the detail does not cite R04: $body"
instance=$(jq -r .instance <<<"$body")
ok "refused: $(jq -r .detail <<<"$body")"

call GET "${instance#/api/v1}"
expect 200 "the refusal's receipt"
[[ $(jq -r '.decision.failedRuleIds | index("R04")' <<<"$body") != null ]] ||
  fail "the receipt's decision lacks R04: $body"
[[ $(jq -r '.decision.rules[] | select(.ruleId == "R04") | .article' <<<"$body") == art.* ]] ||
  fail "R04 without its article: $body"
[[ $(jq -r .receipt.outcome <<<"$body") == RECEIPT_OUTCOME_REFUSED ]] || fail "outcome: $body"
ok "receipt $instance: refused by $(jq -r '.decision.failedRuleIds | join(", ")' <<<"$body")"

type=$(jq -r .decision.failedRuleIds[0] <<<"$body")
call GET "/problem-types/$type"
expect 200 "the problem type"
ok "problem type $type: $(jq -r .titleEn <<<"$body") ($(jq -r .article <<<"$body"))"
echo "REST WALKTHROUGH PASSED"
