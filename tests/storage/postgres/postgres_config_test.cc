// PostgresStorage settings: validation naming the field, the password file,
// TLS to the database.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/storage/postgres/postgres_suite.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace wams::storage::postgres {
namespace {

using ::testing::HasSubstr;
using wams::broker::v1::PostgresStorage;

using ::wams::testing::StatusIs;

PostgresStorage ValidConfig() {
  PostgresStorage config;
  config.set_conninfo("host=127.0.0.1 port=5 dbname=wams");
  config.set_node_name("node-a");
  return config;
}

void ExpectRefused(const PostgresStorage& config, absl::StatusCode code, std::string_view field) {
  auto options = PostgresOptionsFromConfig(config);
  ASSERT_THAT(options, StatusIs(code));
  EXPECT_THAT(std::string(options.status().message()), HasSubstr(std::string(field)));
}

TEST(PostgresConfigTest, DefaultsFromAMinimalConfig) {
  auto options = PostgresOptionsFromConfig(ValidConfig());
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->lease_ttl, absl::Seconds(3));
  EXPECT_EQ(options->commit_timeout, absl::Seconds(10));
  EXPECT_EQ(options->read_connections, 4);
  EXPECT_EQ(options->schema, "wams");
}

TEST(PostgresConfigTest, RefusesWrongValuesNamingTheField) {
  PostgresStorage config = ValidConfig();
  config.clear_node_name();
  ExpectRefused(config, absl::StatusCode::kInvalidArgument, "storage.postgres.node_name");
  config = ValidConfig();
  config.clear_conninfo();
  ExpectRefused(config, absl::StatusCode::kInvalidArgument, "storage.postgres.conninfo");
  config = ValidConfig();
  config.set_conninfo("host=db password=secret");
  ExpectRefused(config, absl::StatusCode::kInvalidArgument, "storage.postgres.conninfo");
  config = ValidConfig();
  config.set_conninfo("host=db nonsense");
  ExpectRefused(config, absl::StatusCode::kInvalidArgument, "storage.postgres.conninfo");
  config = ValidConfig();
  config.mutable_lease_ttl()->set_seconds(61);
  ExpectRefused(config, absl::StatusCode::kInvalidArgument, "storage.postgres.lease_ttl");
  config = ValidConfig();
  config.mutable_commit_timeout()->set_nanos(500'000'000);
  ExpectRefused(config, absl::StatusCode::kInvalidArgument, "storage.postgres.commit_timeout");
  config = ValidConfig();
  config.set_read_connections(65);
  ExpectRefused(config, absl::StatusCode::kInvalidArgument, "storage.postgres.read_connections");
  config = ValidConfig();
  config.set_schema("Wams; DROP");
  ExpectRefused(config, absl::StatusCode::kInvalidArgument, "storage.postgres.schema");
  config = ValidConfig();
  config.set_conninfo("host=db sslmode=require");
  config.set_server_ca_file("/dev/null");
  ExpectRefused(config, absl::StatusCode::kInvalidArgument, "storage.postgres.server_ca_file");
}

TEST(PostgresConfigTest, RefusesAPasswordFileOthersCanRead) {
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "password", "secret\n", 0644);
  PostgresStorage config = ValidConfig();
  config.set_password_file(dir.File("password"));
  ExpectRefused(config, absl::StatusCode::kFailedPrecondition, "storage.postgres.password_file");
  auto options = PostgresOptionsFromConfig(config);
  EXPECT_THAT(std::string(options.status().message()), ::testing::Not(HasSubstr("secret")));
}

class PostgresPasswordTest : public PostgresSuite {};

TEST_F(PostgresPasswordTest, LogsInWithThePasswordFromTheFile) {
  ASSERT_TRUE(server().CreatePasswordRole(database(), "s3cret-pw").ok());
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "password", "s3cret-pw\nignored\n", 0600);
  PostgresStorage config;
  config.set_conninfo(server().Conninfo(database(), "wams_pw"));
  config.set_node_name("node-a");
  config.set_password_file(dir.File("password"));
  auto backend = OpenPostgresBackend(config);
  ASSERT_TRUE(backend.ok()) << backend.status();
  WriteBatch batch;
  batch.Put(Family::kCases, "c", "v");
  EXPECT_TRUE((*backend)->Write(batch).ok());

  testing::WriteFile(dir.path() / "password", "wrong\n", 0600);
  auto wrong = PostgresOptionsFromConfig(config);
  ASSERT_TRUE(wrong.ok());
  auto refused = PostgresBackend::Create(*wrong);
  ASSERT_THAT(refused, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("password authentication failed"));
  EXPECT_THAT(std::string(refused.status().message()), ::testing::Not(HasSubstr("wrong")));
}

// TLS: the server's certificate from one dev PKI; verify-full against that
// CA works, against another CA fails clearly.
class PostgresTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    right_ = new testing::TempDir();
    wrong_ = new testing::TempDir();
    testing::MakeDevPki(right_->path());
    testing::MakeDevPki(wrong_->path());
    auto started = testing::PostgresServer::Start({.tls_pki_dir = right_->path()});
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = started->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete right_;
    delete wrong_;
  }
  static PostgresOptions TlsOptions(const std::filesystem::path& ca) {
    PostgresOptions options;
    options.conninfo = server_->Conninfo("postgres");
    options.node_name = "node-a";
    options.server_ca_file = (ca / "ca.crt").string();
    return options;
  }
  static inline testing::TempDir* right_ = nullptr;
  static inline testing::TempDir* wrong_ = nullptr;
  static inline testing::PostgresServer* server_ = nullptr;
};

TEST_F(PostgresTlsTest, VerifyFullAgainstTheServersCaConnects) {
  auto backend = PostgresBackend::Create(TlsOptions(right_->path()));
  ASSERT_TRUE(backend.ok()) << backend.status();
  EXPECT_EQ(server_->Query("postgres",
                           "SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) "
                           "WHERE ssl AND application_name LIKE 'wams-broker%'")
                    .value_or("0") != "0",
            true);
}

TEST_F(PostgresTlsTest, AnotherCaIsRefusedClearly) {
  auto refused = PostgresBackend::Create(TlsOptions(wrong_->path()));
  ASSERT_THAT(refused, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("SSL error"));
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("storage.postgres.server_ca_file"));
}

}  // namespace
}  // namespace wams::storage::postgres
