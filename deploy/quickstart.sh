#!/usr/bin/env bash
# The main job, unattended: installs what is needed, builds, makes the dev
# PKI, starts the broker and the reference adapters of the neighbourhood team,
# GGZ, school, police, probation and housing on 127.0.0.1, plays a realistic Wams case
# through them (deploy/walkthrough.sh: every decision with its rule IDs, each
# checked), exports and verifies the receipt log, plays the first steps again
# through the REST/JSON face with curl (tests/rest/rest_walkthrough.sh),
# verifies the log once more, and stops everything.
#
# usage: deploy/quickstart.sh   (needs root or sudo for apt-get)
# Ports: 7443 for the broker (7444 its REST face), 7451..7456 for the adapters, as in
# deploy/config/broker.example.textproto; WAMS_BROKER_PORT=0 and
# WAMS_ADAPTER_BASE_PORT=0 let the kernel choose free ones instead.
# Each run starts from an empty log in build/dev/quickstart/ (configs, data,
# logs, the export); the dev PKI in deploy/dev-pki is kept between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Installing Debian packages"
bash deploy/install-deps.sh

step "Building (preset dev)"
cmake --preset dev >/dev/null
cmake --build --preset dev --target wams-broker wamsctl wams-audit wams-adapter

step "Making the dev PKI in deploy/dev-pki"
bash deploy/dev-pki.sh deploy/dev-pki

run_dir=$root/build/dev/quickstart
rm -rf "$run_dir"
# shellcheck source=demo-env.sh
source deploy/demo-env.sh
demo_find_binaries "$root/build/dev"

step "Starting wams-broker and five reference adapters (logs in build/dev/quickstart/logs)"
trap 'demo_stop || true' EXIT
demo_start "$run_dir" deploy/dev-pki

step "The walkthrough: one Wams case from request to closing"
bash deploy/walkthrough.sh

step "The same house through its REST/JSON face: the first steps again, with curl"
bash tests/rest/rest_walkthrough.sh "$WAMS_REST_URL" deploy/dev-pki

step "Accountability once more: the log with the REST calls in it verifies"
"$WAMS_AUDIT_BIN" fetch --broker "$WAMS_BROKER" --ca "$WAMS_CA" --cert "$WAMS_PKI/auditor.crt" \
  --key "$WAMS_PKI/auditor.key" --professional fg-1 "$run_dir/export-after-rest" >/dev/null
"$WAMS_AUDIT_BIN" verify "$run_dir/export-after-rest"

step "Stopping everything with SIGTERM"
demo_stop
trap - EXIT
echo "broker and adapters exited cleanly; logs, configs and the export are in $run_dir"
