#!/usr/bin/env bash
# The main job, unattended: installs what is needed, builds, makes the dev
# PKI, starts the broker on 127.0.0.1 with the example config, shows how the
# broker sees each dev party over mutual TLS (and that an unknown party and a
# client without a certificate are refused), then stops the broker cleanly.
#
# usage: deploy/quickstart.sh   (needs root or sudo for apt-get)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Installing Debian packages"
bash deploy/install-deps.sh

step "Building (preset dev)"
cmake --preset dev >/dev/null
cmake --build --preset dev --target wams-broker wamsctl

step "Making the dev PKI in deploy/dev-pki"
bash deploy/dev-pki.sh deploy/dev-pki

bin="$root/build/dev/broker"
config="$root/deploy/config/broker.example.textproto"
log="$root/build/dev/quickstart-broker.log"

step "Starting wams-broker --config deploy/config/broker.example.textproto"
"$bin/wams-broker" --config "$config" >"$root/build/dev/quickstart-broker.out" 2>"$log" &
broker_pid=$!
trap 'kill "$broker_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "listening on" "$root/build/dev/quickstart-broker.out" 2>/dev/null && break
  kill -0 "$broker_pid" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
cat "$root/build/dev/quickstart-broker.out"

pki="$root/deploy/dev-pki"
as_party() {
  local name=$1
  shift
  "$bin/ctl/wamsctl" --broker 127.0.0.1:7443 --ca "$pki/ca.crt" \
    --cert "$pki/$name.crt" --key "$pki/$name.key" "$@"
}

for party in municipality neighbourhood-team ggz school police probation auditor; do
  step "wamsctl whoami as $party"
  as_party "$party" --professional "demo-$party" whoami
done

step "An unknown party (valid certificate, OIN not registered) is refused"
if as_party outsider whoami; then echo "UNEXPECTED: outsider accepted"; exit 1; fi

step "Stopping the broker with SIGTERM"
kill -TERM "$broker_pid"
wait "$broker_pid"
echo "wams-broker exited with code $?"
trap - EXIT
tail -n 3 "$log"
