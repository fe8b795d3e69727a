// postgres_server.h: a throwaway PostgreSQL 15 cluster for tests: initdb into
// a temp dir, its own port on 127.0.0.1 and its own socket dir, fsync on,
// run as user `postgres` (via runuser) when the test runs as root; stopped
// and removed when destroyed. Start one per test suite and make a fresh
// database per test.
//
//   static PostgresServer* server = PostgresServer::Start().value().release();
//   std::string db = server->CreateDatabase();
//   options.conninfo = server->Conninfo(db);
//   server->Query(db, "SELECT pg_terminate_backend(...)");
//
// Uses /usr/lib/postgresql/15/bin (Debian postgresql-15). The superuser
// `postgres` connects without a password (trust); the role `wams_pw` (made by
// CreatePasswordRole) must give its password (scram-sha-256).
//
// Not thread-safe: one test thread drives it (Query may be called from any
// thread: it opens its own connection).
#ifndef WAMS_TESTS_TESTING_POSTGRES_SERVER_H_
#define WAMS_TESTS_TESTING_POSTGRES_SERVER_H_

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace wams::testing {

struct PostgresServerOptions {
  // When set, the server speaks TLS (ssl = on) with a certificate for
  // 127.0.0.1 and localhost issued by this dev PKI's CA (IssueCertificate).
  // Default: no TLS.
  std::filesystem::path tls_pki_dir;
};

class PostgresServer {
 public:
  // initdb and start. UNAVAILABLE (with the tools' output) when it fails.
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start(
      const PostgresServerOptions& options = {});
  ~PostgresServer();  // stops the server (immediate) and removes its files
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  // "host=127.0.0.1 port=N user=<user> dbname=<database>" (TCP).
  std::string Conninfo(std::string_view database, std::string_view user = "postgres") const;
  // Creates an empty database with a new name and returns the name.
  std::string CreateDatabase();
  // Creates the login role `wams_pw` with `password`, owner of `database`.
  absl::Status CreatePasswordRole(std::string_view database, std::string_view password);
  // Runs `sql` as the superuser in `database`; the first column of the first
  // row as text ("" when no row), or the server's error as INTERNAL.
  absl::StatusOr<std::string> Query(std::string_view database, std::string_view sql) const;

  // Stops the server (pg_ctl -m fast, or -m immediate: a crash) and starts
  // it again on the same port and data.
  absl::Status Stop(bool immediate);
  absl::Status Restart();

 private:
  PostgresServer() = default;
  absl::Status RunAsPostgres(std::vector<std::string> argv) const;

  std::filesystem::path dir_;
  int port_ = 0;
  int databases_ = 0;
  bool running_ = false;
};

}  // namespace wams::testing

#endif  // WAMS_TESTS_TESTING_POSTGRES_SERVER_H_
