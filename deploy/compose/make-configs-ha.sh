#!/usr/bin/env bash
# Writes the configs of the high-availability compose demo (compose.ha.yaml):
# everything make-configs.sh writes, and
#   broker-1.textproto, broker-2.textproto  the broker config with storage in
#       PostgreSQL instead of data_dir: both brokers on the same database
#       (db-1 and db-2, whichever accepts writes), each with its node_name;
#   db-password   the broker's database password (password_file, mode 0600);
#   db.env        every database password, for `docker compose --env-file`
#                 (mode 0600): Patroni's superuser and replication users, and
#                 the broker's role, made by patroni/post-bootstrap.sh.
# Passwords are random and kept when the files exist already (a database
# initialised with them needs the same ones).
#
# usage: deploy/compose/make-configs-ha.sh [OUT_DIR]   (after deploy/dev-pki.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/generated}
secrets_kept=""
if [[ -f $out/db.env && -f $out/db-password ]]; then
  secrets_kept=$(mktemp -d)
  cp -p "$out/db.env" "$out/db-password" "$secrets_kept/"
fi
bash "$here/make-configs.sh" "$@" >/dev/null

if [[ -n $secrets_kept ]]; then
  cp -p "$secrets_kept/db.env" "$secrets_kept/db-password" "$out/"
  rm -rf "$secrets_kept"
else
  password() { openssl rand -hex 24; }
  (
    umask 077
    password >"$out/db-password"
    {
      echo "WAMS_DB_SUPERUSER_PASSWORD=$(password)"
      echo "WAMS_DB_REPLICATION_PASSWORD=$(password)"
      echo "WAMS_DB_PASSWORD=$(cat "$out/db-password")"
    } >"$out/db.env"
  )
fi

# node NAME: the compose broker config, data_dir replaced by the database.
for node in 1 2; do
  awk -v node="broker-$node" '
    /^# RocksDB database/ { next }
    /^data_dir:/ {
      print "# The receipt log and cases in PostgreSQL (compose.ha.yaml): db-1 and db-2,"
      print "# whichever accepts writes. Both brokers share it; one writes at a time."
      print "storage {"
      print "  postgres {"
      print "    conninfo: \"host=db-1,db-2 port=5432,5432 dbname=wams user=wams target_session_attrs=read-write\""
      print "    password_file: \"/etc/wams/config/db-password\""
      print "    node_name: \"" node "\""
      print "  }"
      print "}"
      replaced = 1
      next
    }
    { print }
    END { if (!replaced) exit 1 }
  ' "$out/broker.textproto" >"$out/broker-$node.textproto" ||
    { echo "make-configs-ha: no data_dir in $out/broker.textproto" >&2; exit 1; }
done
echo "make-configs-ha: configs in $out"
