#include "broker/storage/postgres/migrations.h"

#include <charconv>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "broker/base/status_macros.h"

namespace wams::storage::postgres {
namespace {

// Version 1: one table per family (backend.h; bytea compares bytewise, as
// the key codec needs), the writer lease and its fence.
//
// fence() is the first statement of every write transaction: it locks the
// lease row FOR SHARE, so a broker taking the lease over (an UPDATE of that
// row) waits for writes in flight, and it raises WL001 unless the caller
// still holds the lease at its epoch, which rolls the whole write back. A
// function lets the write go in one round trip (a pipeline) and still stop
// at the fence.
constexpr absl::string_view kV1 = R"sql(
CREATE TABLE {schema}.meta (k bytea PRIMARY KEY, v bytea NOT NULL);
CREATE TABLE {schema}.receipts (k bytea PRIMARY KEY, v bytea NOT NULL);
CREATE TABLE {schema}.nodes (k bytea PRIMARY KEY, v bytea NOT NULL);
CREATE TABLE {schema}.checkpoints (k bytea PRIMARY KEY, v bytea NOT NULL);
CREATE TABLE {schema}.idx_case (k bytea PRIMARY KEY, v bytea NOT NULL);
CREATE TABLE {schema}.idx_subject (k bytea PRIMARY KEY, v bytea NOT NULL);
CREATE TABLE {schema}.idx_party (k bytea PRIMARY KEY, v bytea NOT NULL);
CREATE TABLE {schema}.idx_time (k bytea PRIMARY KEY, v bytea NOT NULL);
CREATE TABLE {schema}.cases (k bytea PRIMARY KEY, v bytea NOT NULL);
CREATE TABLE {schema}.idempotency (k bytea PRIMARY KEY, v bytea NOT NULL);
CREATE TABLE {schema}.writer_lease (
  id integer PRIMARY KEY CHECK (id = 1),
  holder text,
  epoch bigint NOT NULL,
  expires_at timestamptz NOT NULL,
  acquired_at timestamptz
);
INSERT INTO {schema}.writer_lease (id, holder, epoch, expires_at) VALUES (1, NULL, 0, '-infinity');
CREATE FUNCTION {schema}.fence(p_holder text, p_epoch bigint) RETURNS void
LANGUAGE plpgsql AS $fence$
BEGIN
  PERFORM 1 FROM {schema}.writer_lease
    WHERE id = 1 AND holder = p_holder AND epoch = p_epoch FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'not the writer' USING ERRCODE = 'WL001';
  END IF;
END
$fence$;
)sql";

// Version 2: the subject key table (broker/subjects, crypto-shredding).
constexpr absl::string_view kV2 = R"sql(
CREATE TABLE {schema}.subject_keys (k bytea PRIMARY KEY, v bytea NOT NULL);
)sql";

constexpr Migration kMigrations[] = {
    {1, "families, writer lease and fence", kV1},
    {2, "subject keys", kV2},
};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

absl::Status Migrate(PgConnection& conn, absl::string_view schema, Deadline deadline) {
  const std::string lock_name = absl::StrCat("wams-migrations:", schema);
  WAMS_RETURN_IF_ERROR(conn.Exec("migrations: lock",
                                 "SELECT pg_advisory_lock(hashtextextended($1, 0))",
                                 {PgParam::Text(lock_name)}, deadline, false)
                           .status());
  WAMS_RETURN_IF_ERROR(conn.ExecScript(
      "migrations: schema",
      absl::StrCat("CREATE SCHEMA IF NOT EXISTS ", schema, "; CREATE TABLE IF NOT EXISTS ", schema,
                   ".schema_migrations (version integer PRIMARY KEY, description text NOT NULL, "
                   "applied_at timestamptz NOT NULL DEFAULT now())"),
      deadline));
  WAMS_ASSIGN_OR_RETURN(PgResult current,
                        conn.Exec("migrations: version",
                                  absl::StrCat("SELECT coalesce(max(version), 0) FROM ", schema,
                                               ".schema_migrations"),
                                  {}, deadline, false));
  int version = 0;
  absl::string_view text = current.Value(0, 0);
  std::from_chars(text.data(), text.data() + text.size(), version);
  if (version > LatestSchemaVersion()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database schema ", schema, " is at version ", version, ", newer than this broker knows (",
        LatestSchemaVersion(), "); upgrade the broker"));
  }
  for (const Migration& migration : kMigrations) {
    if (migration.version <= version) continue;
    // One simple query with several statements runs as one transaction: the
    // migration and its record commit together or not at all.
    std::string sql =
        absl::StrCat(absl::StrReplaceAll(migration.sql, {{"{schema}", schema}}), "\nINSERT INTO ",
                     schema, ".schema_migrations (version, description) VALUES (",
                     migration.version, ", '", migration.description, "');");
    absl::Status applied =
        conn.ExecScript(absl::StrCat("migration ", migration.version), sql, deadline);
    if (!applied.ok()) return applied;
  }
  return conn
      .Exec("migrations: unlock", "SELECT pg_advisory_unlock(hashtextextended($1, 0))",
            {PgParam::Text(lock_name)}, deadline, false)
      .status();
}

}  // namespace wams::storage::postgres
