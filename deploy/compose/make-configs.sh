#!/usr/bin/env bash
# Writes the configs of the compose demo into deploy/compose/generated/ from
# the example broker config and the reference adapter configs, changed only
# where containers differ from one machine: listen on all interfaces, reach
# each adapter by its network alias (NAME.wams.test, a name in the dev
# certificates), and the container paths of the mounts in compose.yaml.
# Also makes deploy/compose/data/ for the broker's data and deploy/compose/share-inbox/
# for the adapters' share inboxes (bind mounts, so the containers run as your
# own uid: see deploy/README.md).
#
# usage: deploy/compose/make-configs.sh [OUT_DIR]   (after deploy/dev-pki.sh)
# OUT_DIR defaults to deploy/compose/generated (what compose.yaml mounts).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
out=${1:-$here/generated}
rm -rf "$out"
mkdir -p "$out"
[[ $# -gt 0 ]] || mkdir -p "$here/data" "$here/share-inbox"

# NAME|PORT: the party's endpoint in deploy/config/broker.example.textproto.
adapters=(neighbourhood-team\|7451 ggz\|7452 school\|7453 police\|7454 probation\|7455 housing\|7456)

sed -e 's|^listen_address: "[^"]*"|listen_address: "[::]:7443"|' \
  -e 's|"\.\./dev-pki/|"/etc/wams/tls/|g' \
  -e 's|^data_dir: "[^"]*"|data_dir: "/var/lib/wams/broker"|' \
  -e 's|^  per_party_rate: 5000 |  per_party_rate: 50 |' \
  -e 's|^  per_party_burst: 5000 |  per_party_burst: 100 |' \
  -e 's|^  per_party_concurrency: 256 |  per_party_concurrency: 20 |' \
  "$source_dir/deploy/config/broker.example.textproto" >"$out/broker.textproto"
# The production per-party limits, as deploy/demo-env.sh.
grep -q '^  per_party_rate: 50 ' "$out/broker.textproto" ||
  { echo "make-configs: no per_party_rate in the example config" >&2; exit 1; }

for entry in "${adapters[@]}"; do
  IFS='|' read -r name port <<<"$entry"
  sed -i "s|endpoint: \"127.0.0.1:$port\"|endpoint: \"$name.wams.test:$port\"|" "$out/broker.textproto"
  grep -q "endpoint: \"$name.wams.test:$port\"" "$out/broker.textproto" ||
    { echo "make-configs: no endpoint 127.0.0.1:$port in the example config" >&2; exit 1; }
  sed -e "s|^listen_address: \"[^\"]*\"|listen_address: \"0.0.0.0:$port\"|" \
    -e 's|"\.\./\.\./deploy/dev-pki/|"/etc/wams/tls/|g' \
    -e 's|records_file: "records/|records_file: "/etc/wams/records/|' \
    -e 's|share_inbox_dir: "share-inbox/|share_inbox_dir: "/var/lib/wams/share-inbox/|' \
    "$source_dir/adapters/config/$name.textproto" >"$out/$name.textproto"
done
echo "make-configs: configs in $out"
