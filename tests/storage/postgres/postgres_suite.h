// postgres_suite.h: a test suite with one throwaway PostgreSQL server
// (tests/testing/postgres_server.h) for all its tests, a fresh database per
// test, and options for a PostgresBackend on it.
//
//   class WriteTest : public PostgresSuite {};
//   TEST_F(WriteTest, ...) { auto backend = Open(Options("node-a")); ... }
#ifndef WAMS_TESTS_STORAGE_POSTGRES_POSTGRES_SUITE_H_
#define WAMS_TESTS_STORAGE_POSTGRES_POSTGRES_SUITE_H_

#include <libpq-fe.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "broker/storage/postgres/postgres_backend.h"
#include "gtest/gtest.h"
#include "tests/testing/postgres_server.h"

namespace wams::storage::postgres {

// A plain session of the superuser, for holding locks across statements.
class SqlSession {
 public:
  explicit SqlSession(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    EXPECT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
  }
  ~SqlSession() { PQfinish(conn_); }
  // Runs `sql`; the first column of the first row, "" when none.
  std::string Run(const std::string& sql) {
    PGresult* result = PQexec(conn_, sql.c_str());
    ExecStatusType status = PQresultStatus(result);
    EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        << sql << ": " << PQresultErrorMessage(result);
    std::string out =
        status == PGRES_TUPLES_OK && PQntuples(result) > 0 ? PQgetvalue(result, 0, 0) : "";
    PQclear(result);
    return out;
  }

 private:
  PGconn* conn_;
};

// Polls `condition` (a state in the database that no call reports) until it
// holds or `timeout` passes.
inline bool Eventually(const std::function<bool()>& condition,
                       absl::Duration timeout = absl::Seconds(20)) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

class PostgresSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = testing::PostgresServer::Start();
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = started->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    database_ = server_->CreateDatabase();
  }

  static testing::PostgresServer& server() { return *server_; }
  const std::string& database() const { return database_; }

  PostgresOptions Options(std::string node_name) const {
    PostgresOptions options;
    options.conninfo = server_->Conninfo(database_);
    options.node_name = std::move(node_name);
    options.lease_ttl = absl::Seconds(3);
    options.commit_timeout = absl::Seconds(5);
    options.read_connections = 2;
    return options;
  }
  static std::unique_ptr<PostgresBackend> Open(const PostgresOptions& options) {
    auto backend = PostgresBackend::Create(options);
    EXPECT_TRUE(backend.ok()) << backend.status();
    return backend.ok() ? std::move(*backend) : nullptr;
  }
  // True when a session of the broker waits for a lock in a statement
  // starting with `query_prefix`.
  bool BrokerWaitsForALock(std::string_view query_prefix = "") const {
    return Query(absl::StrCat("SELECT count(*) FROM pg_stat_activity WHERE application_name "
                              "LIKE 'wams-broker%' AND wait_event_type = 'Lock' AND query LIKE '",
                              absl::string_view(query_prefix.data(), query_prefix.size()), "%'")) !=
           "0";
  }
  // The first column of the first row of `sql`, run as the superuser.
  std::string Query(std::string_view sql) const {
    auto result = server_->Query(database_, sql);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : "";
  }

 private:
  static inline testing::PostgresServer* server_ = nullptr;
  std::string database_;
};

}  // namespace wams::storage::postgres

#endif  // WAMS_TESTS_STORAGE_POSTGRES_POSTGRES_SUITE_H_
