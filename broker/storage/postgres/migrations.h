// migrations.h: the PostgreSQL schema, as versioned migrations shipped in
// the binary, and the start-up step that applies them.
//
// Migrate() takes a session advisory lock (one per schema), so brokers
// starting together apply each migration once: the others wait, then find
// it recorded in schema_migrations. Each migration runs in its own
// transaction together with its record. A database whose version is newer
// than this binary knows is refused: an older broker must not write into a
// layout it does not understand.
//
// Stateless functions; thread-safe.
#ifndef WAMS_BROKER_STORAGE_POSTGRES_MIGRATIONS_H_
#define WAMS_BROKER_STORAGE_POSTGRES_MIGRATIONS_H_

#include <span>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "broker/storage/postgres/pg_connection.h"

namespace wams::storage::postgres {

struct Migration {
  int version;                    // 1, 2, ...: applied in order, never changed once shipped
  absl::string_view description;  // recorded in schema_migrations
  absl::string_view sql;          // "{schema}" stands for the schema's name
};

// Every migration this binary knows, in version order.
std::span<const Migration> Migrations();
// The version a database has after Migrate().
int LatestSchemaVersion();

// Brings `schema` to LatestSchemaVersion() on `conn`. FAILED_PRECONDITION
// when the database is newer; UNAVAILABLE when it cannot be reached;
// INTERNAL when a migration fails (rolled back, named by its version).
absl::Status Migrate(PgConnection& conn, absl::string_view schema, Deadline deadline);

}  // namespace wams::storage::postgres

#endif  // WAMS_BROKER_STORAGE_POSTGRES_MIGRATIONS_H_
