// postgres_options.h: the PostgreSQL backend's settings, validated once from
// the broker config (storage.postgres), and the libpq connection parameters
// built from them.
//
//   WAMS_ASSIGN_OR_RETURN(PostgresOptions options, PostgresOptionsFromConfig(cfg.postgres()));
//   WAMS_ASSIGN_OR_RETURN(auto backend, PostgresBackend::Create(options));
//
// Plain values; no thread-safety concerns.
#ifndef WAMS_BROKER_STORAGE_POSTGRES_POSTGRES_OPTIONS_H_
#define WAMS_BROKER_STORAGE_POSTGRES_POSTGRES_OPTIONS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "wams/broker/v1/config.pb.h"

namespace wams::storage::postgres {

struct PostgresOptions {
  // libpq connection string (keyword=value or URI) without a password.
  std::string conninfo;
  // The database password (first line of password_file). Default: none.
  std::string password;
  // TLS files (libpq sslrootcert, sslcert, sslkey). Default: none.
  std::string server_ca_file;
  std::string client_cert_file;
  std::string client_key_file;
  // This broker's name in the writer lease. Required.
  std::string node_name;
  // Default: 3 s. The writer renews every third of it.
  absl::Duration lease_ttl = absl::Seconds(3);
  // Bound on a commit (and on every statement). Default: 10 s.
  absl::Duration commit_timeout = absl::Seconds(10);
  // Read connections in the pool. Default: 4.
  int read_connections = 4;
  // Schema holding the tables. Default: "wams".
  std::string schema = "wams";
  // Take part in the writer lease. False for tools that only read (the
  // offline export, the source of wams-storage copy): they never write and
  // never take the lease, so they cannot take it from a live broker that
  // runs under the same node_name. Default: true.
  bool writer = true;
};

// Validates `config` and reads its password file. Errors name the field
// ("storage.postgres.node_name: ..."): INVALID_ARGUMENT for a wrong value,
// FAILED_PRECONDITION / NOT_FOUND for an unreadable or too open file.
absl::StatusOr<PostgresOptions> PostgresOptionsFromConfig(
    const wams::broker::v1::PostgresStorage& config);

// The checks of PostgresOptionsFromConfig that need no file and no database
// (for the config loader): values and ranges, naming the field.
absl::Status ValidatePostgresStorage(const wams::broker::v1::PostgresStorage& config);

// Checks what PostgresOptionsFromConfig checks, for options built in code.
absl::Status ValidatePostgresOptions(const PostgresOptions& options);

// libpq keyword/value pairs for one connection, in order.
using ConnectionParams = std::vector<std::pair<std::string, std::string>>;

// The parameters for a connection of this broker: the conninfo's own, plus
// the password, TLS files (sslmode=verify-full with a server CA), TCP
// keepalives, connect_timeout (5 s unless given) and
// target_session_attrs=read-write unless given. INVALID_ARGUMENT when the
// conninfo does not parse or holds a password.
absl::StatusOr<ConnectionParams> BuildConnectionParams(const PostgresOptions& options,
                                                       absl::string_view application_name);

}  // namespace wams::storage::postgres

#endif  // WAMS_BROKER_STORAGE_POSTGRES_POSTGRES_OPTIONS_H_
