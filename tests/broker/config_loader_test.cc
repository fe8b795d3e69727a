#include "broker/config/config_loader.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/temp_dir.h"

namespace wams::config {
namespace {

using ::testing::HasSubstr;

std::string ExampleConfigText() {
  return testing::ReadFile(testing::SourcePath("deploy/config/broker.example.textproto"));
}

TEST(ConfigLoader, ExampleConfigIsValid) {
  absl::StatusOr<v1::BrokerConfig> config = ParseBrokerConfig(ExampleConfigText());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(ValidateBrokerConfig(*config).ok()) << ValidateBrokerConfig(*config);
  EXPECT_EQ(config->parties_size(), 8);
}

TEST(ConfigLoader, RelativePathsAreResolvedAgainstTheConfigDirectory) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "etc");
  testing::WriteFile(dir.path() / "etc/broker.textproto", ExampleConfigText());

  absl::StatusOr<v1::BrokerConfig> config = LoadBrokerConfig(dir.File("etc/broker.textproto"));

  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server_tls().private_key_file(), dir.File("dev-pki/broker.key"));
  EXPECT_EQ(config->data_dir(), dir.File("dev-data/broker"));
  EXPECT_EQ(config->ledger().pseudonym_key_file(), dir.File("dev-pki/pseudonym.key"));
}

TEST(ConfigLoader, JsonIsAccepted) {
  absl::StatusOr<v1::BrokerConfig> config =
      ParseBrokerConfig(R"({"listenAddress": "127.0.0.1:1", "dataDir": "/tmp/x"})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen_address(), "127.0.0.1:1");
}

TEST(ConfigLoader, JsonUnknownFieldIsNamed) {
  absl::StatusOr<v1::BrokerConfig> config = ParseBrokerConfig(R"({"listenAdres": "x"})");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("listenAdres"));
}

TEST(ConfigLoader, TextprotoSyntaxErrorGivesLineAndColumn) {
  absl::StatusOr<v1::BrokerConfig> config =
      ParseBrokerConfig("listen_address: \"x\"\nparties {\n  oin: 12 34\n}\n");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("line 3:"));
}

TEST(ConfigLoader, ConfigWithoutMunicipalityIsRefused) {
  absl::StatusOr<v1::BrokerConfig> config = ParseBrokerConfig(ExampleConfigText());
  ASSERT_TRUE(config.ok());
  for (v1::Party& party : *config->mutable_parties()) {
    if (party.role() == v1::PARTY_ROLE_MUNICIPALITY) party.set_role(v1::PARTY_ROLE_AUDITOR);
  }
  EXPECT_THAT(ValidateBrokerConfig(*config).message(), HasSubstr("PARTY_ROLE_MUNICIPALITY"));
}

TEST(ConfigLoader, MissingFileIsNamed) {
  absl::StatusOr<v1::BrokerConfig> config = LoadBrokerConfig("/nonexistent/broker.textproto");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(config.status().message(), HasSubstr("/nonexistent/broker.textproto"));
}

}  // namespace
}  // namespace wams::config
