// A real wams-broker process on PostgreSQL (storage { postgres { ... } }):
// it starts, is the writer, keeps its log in the database (exported and
// verified from there), releases the lease when stopped; a password file
// open to others is refused as a config error naming the field.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/storage/postgres/postgres_suite.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/client_case.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace wams::storage::postgres {
namespace {

using ::testing::HasSubstr;

class BrokerOnPostgresTest : public PostgresSuite {
 protected:
  // Points the fixture's config at this test's database.
  void UsePostgres(testing::BrokerFixture& broker, std::string_view extra = "") {
    ASSERT_EQ(broker.ReplaceInConfig(
                  "data_dir: \"../dev-data/broker\"",
                  absl::StrCat("storage { postgres { conninfo: \"", server().Conninfo(database()),
                               "\" node_name: \"broker-1\" ",
                               absl::string_view(extra.data(), extra.size()), " } }")),
              1);
  }
};

TEST_F(BrokerOnPostgresTest, KeepsItsLogInTheDatabaseAndReleasesTheLease) {
  testing::BrokerFixture broker;
  UsePostgres(broker);
  ASSERT_TRUE(broker.Start()) << testing::ReadFile(broker.log_path());
  EXPECT_EQ(Query("SELECT holder FROM wams.writer_lease"), "broker-1");
  // A receipted decision: the receipt and the case go into PostgreSQL.
  EXPECT_FALSE(testing::OpenClientCase(broker, "open-1", testing::kClientBsn,
                                       {testing::v1::DOMAIN_EDUCATION})
                   .empty());
  EXPECT_NE(Query("SELECT count(*) FROM wams.receipts"), "0");
  EXPECT_NE(Query("SELECT count(*) FROM wams.cases"), "0");
  EXPECT_EQ(broker.Stop(), 0);
  // A clean stop releases the lease: another broker may take it at once.
  EXPECT_EQ(Query("SELECT coalesce(holder, '') FROM wams.writer_lease"), "");
  // The log is read back from PostgreSQL and verifies.
  std::string output;
  EXPECT_EQ(broker.ExportAndVerify(broker.root() / "export", &output), 0) << output;
}

TEST_F(BrokerOnPostgresTest, PasswordFileOpenToOthersIsAConfigError) {
  testing::BrokerFixture broker;
  // Relative to the config file, like every other file it names.
  testing::WriteFile(broker.root() / "db-password", "secret\n", 0644);
  UsePostgres(broker, "password_file: \"../db-password\"");
  std::string output;
  const int code =
      testing::RunCommand({testing::BrokerBinary(), "--config", broker.config_path()}, &output);
  EXPECT_EQ(code, 2) << output;
  EXPECT_THAT(output, HasSubstr("storage.postgres.password_file"));
  EXPECT_THAT(output, HasSubstr("chmod 600"));
  EXPECT_THAT(output, ::testing::Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace wams::storage::postgres
