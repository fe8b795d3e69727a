#include "tests/testing/postgres_server.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certificates.h"

namespace wams::testing {
namespace {

constexpr absl::string_view kBin = "/usr/lib/postgresql/15/bin/";

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

void ChownToPostgres(const std::filesystem::path& path) {
  if (::geteuid() != 0) return;
  if (const passwd* pw = ::getpwnam("postgres"); pw != nullptr) {
    if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      // Left to initdb to complain: it cannot write there.
    }
  }
}

}  // namespace

absl::Status PostgresServer::RunAsPostgres(std::vector<std::string> argv) const {
  if (::geteuid() == 0) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  std::string output;
  int code = RunCommand(argv, &output);
  if (code != 0) {
    return absl::UnavailableError(
        absl::StrCat(argv[argv[0] == "runuser" ? 4 : 0], " failed (", code, "): ", output));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start(
    const PostgresServerOptions& options) {
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  std::string pattern = (std::filesystem::temp_directory_path() / "wams-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return absl::UnavailableError("mkdtemp failed");
  server->dir_ = pattern;
  ChownToPostgres(server->dir_);
  std::filesystem::path data = server->dir_ / "data";
  if (absl::Status init =
          server->RunAsPostgres({absl::StrCat(kBin, "initdb"), "-D", data.string(), "-U",
                                 "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"});
      !init.ok()) {
    return init;
  }
  server->port_ = FreePort();
  std::string conf = absl::StrCat(
      "\n# wams test server\nlisten_addresses = '127.0.0.1'\nport = ", server->port_,
      "\nunix_socket_directories = '", server->dir_.string(),
      "'\nfsync = on\nsynchronous_commit = on\nmax_connections = 60\nshared_buffers = 32MB\n"
      "log_min_messages = warning\n");
  std::string hba =
      "local all all trust\n"
      "host all wams_pw 127.0.0.1/32 scram-sha-256\n"
      "host all all 127.0.0.1/32 trust\n";
  if (!options.tls_pki_dir.empty()) {
    IssueCertificate(options.tls_pki_dir,
                     {.name = "postgres-server", .oin = "00000009999999999999"});
    for (const char* ext : {"crt", "key"}) {
      std::filesystem::path to = data / absl::StrCat("server.", ext);
      WriteFile(to, ReadFile(options.tls_pki_dir / absl::StrCat("postgres-server.", ext)), 0600);
      ChownToPostgres(to);
    }
    absl::StrAppend(&conf, "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
  }
  {
    std::string existing = ReadFile(data / "postgresql.conf");
    WriteFile(data / "postgresql.conf", existing + conf, 0600);
    WriteFile(data / "pg_hba.conf", hba, 0600);
    ChownToPostgres(data / "postgresql.conf");
    ChownToPostgres(data / "pg_hba.conf");
  }
  if (absl::Status started = server->Restart(); !started.ok()) return started;
  return server;
}

PostgresServer::~PostgresServer() {
  if (running_) Stop(/*immediate=*/true).IgnoreError();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

absl::Status PostgresServer::Restart() {
  std::filesystem::path data = dir_ / "data";
  absl::Status started = RunAsPostgres({absl::StrCat(kBin, "pg_ctl"), "-D", data.string(), "-l",
                                        (dir_ / "server.log").string(), "-w", "-t", "60", "start"});
  if (!started.ok()) {
    return absl::UnavailableError(
        absl::StrCat(started.message(), "\nserver.log:\n", ReadFile(dir_ / "server.log")));
  }
  running_ = true;
  return absl::OkStatus();
}

absl::Status PostgresServer::Stop(bool immediate) {
  running_ = false;
  return RunAsPostgres({absl::StrCat(kBin, "pg_ctl"), "-D", (dir_ / "data").string(), "-w", "-t",
                        "60", "-m", immediate ? "immediate" : "fast", "stop"});
}

std::string PostgresServer::Conninfo(std::string_view database, std::string_view user) const {
  return absl::StrCat("host=127.0.0.1 port=", port_,
                      " user=", absl::string_view(user.data(), user.size()),
                      " dbname=", absl::string_view(database.data(), database.size()));
}

std::string PostgresServer::CreateDatabase() {
  std::string name = absl::StrCat("t", ++databases_);
  absl::StatusOr<std::string> created = Query("postgres", absl::StrCat("CREATE DATABASE ", name));
  if (!created.ok()) ADD_FAILURE() << "CREATE DATABASE " << name << ": " << created.status();
  return name;
}

absl::Status PostgresServer::CreatePasswordRole(std::string_view database,
                                                std::string_view password) {
  absl::string_view db(database.data(), database.size());
  absl::string_view pw(password.data(), password.size());
  absl::StatusOr<std::string> made =
      Query("postgres", absl::StrCat("CREATE ROLE wams_pw LOGIN PASSWORD '", pw,
                                     "'; ALTER DATABASE ", db, " OWNER TO wams_pw"));
  return made.status();
}

absl::StatusOr<std::string> PostgresServer::Query(std::string_view database,
                                                  std::string_view sql) const {
  PGconn* conn = PQconnectdb(Conninfo(database).c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn);
    PQfinish(conn);
    return absl::UnavailableError(error);
  }
  PGresult* result = PQexec(conn, std::string(sql).c_str());
  absl::StatusOr<std::string> out;
  ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_TUPLES_OK) {
    out = PQntuples(result) > 0 ? std::string(PQgetvalue(result, 0, 0)) : std::string();
  } else if (status == PGRES_COMMAND_OK) {
    out = std::string();
  } else {
    out = absl::InternalError(PQresultErrorMessage(result));
  }
  PQclear(result);
  PQfinish(conn);
  return out;
}

}  // namespace wams::testing
