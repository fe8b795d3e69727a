#!/bin/sh
# Patroni's post_bootstrap (compose/patroni/patroni.yml): run once, on the
# node that initialised the cluster, with a superuser connection URL as $1.
# Makes the broker's role and database; the password comes from
# WAMS_DB_PASSWORD (generated/db.env), the same as generated/db-password,
# which the brokers read (storage.postgres.password_file).
set -eu
psql "$1" -v ON_ERROR_STOP=1 -v password="$WAMS_DB_PASSWORD" <<'SQL'
CREATE ROLE wams LOGIN PASSWORD :'password';
CREATE DATABASE wams OWNER wams;
SQL
