// Validation of the new config fields (broker/config/config_loader.h): the
// limits and the CRL sides, each error naming the field.
#include "broker/config/config_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/temp_dir.h"

namespace wams::config {
namespace {

using ::testing::HasSubstr;

v1::BrokerConfig ExampleConfig() {
  absl::StatusOr<v1::BrokerConfig> config = ParseBrokerConfig(
      testing::ReadFile(testing::SourcePath("deploy/config/broker.example.textproto")));
  EXPECT_TRUE(config.ok()) << config.status();
  return *config;
}

TEST(LimitsConfig, ProductionLimitsAreValid) {
  v1::BrokerConfig config = ExampleConfig();
  config.mutable_limits()->set_max_message_bytes(4 << 20);
  config.mutable_limits()->set_per_party_rate(50);
  config.mutable_limits()->set_per_party_burst(100);
  config.mutable_limits()->set_per_party_concurrency(20);
  EXPECT_TRUE(ValidateBrokerConfig(config).ok()) << ValidateBrokerConfig(config);
}

TEST(LimitsConfig, BurstWithoutARateIsRefused) {
  v1::BrokerConfig config = ExampleConfig();
  config.mutable_limits()->set_per_party_burst(10);
  absl::Status status = ValidateBrokerConfig(config);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("limits.per_party_burst"));
}

TEST(LimitsConfig, MessageSizeOutOfRangeIsRefused) {
  for (uint32_t bytes : {1u, 16383u, (1u << 30) + 1, 4'000'000'000u}) {
    v1::BrokerConfig config = ExampleConfig();
    config.mutable_limits()->set_max_message_bytes(bytes);
    absl::Status status = ValidateBrokerConfig(config);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bytes;
    EXPECT_THAT(status.message(), HasSubstr("limits.max_message_bytes")) << bytes;
  }
}

TEST(LimitsConfig, ServerAndClientCrlAreAccepted) {
  v1::BrokerConfig config = ExampleConfig();
  config.mutable_server_tls()->set_crl_file("ca.crl");
  EXPECT_TRUE(ValidateBrokerConfig(config).ok());

  *config.mutable_client_tls() = config.server_tls();
  EXPECT_TRUE(ValidateBrokerConfig(config).ok());
}

TEST(LimitsConfig, ConnectionLimitsOutOfRangeAreRefusedNamingTheField) {
  v1::BrokerConfig config = ExampleConfig();
  config.mutable_limits()->set_max_connections(1'000'001);
  absl::Status status = ValidateBrokerConfig(config);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("limits.max_connections"));

  for (int64_t millis : {0, 999, 120'001}) {
    config = ExampleConfig();
    config.mutable_limits()->mutable_handshake_timeout()->set_seconds(millis / 1000);
    config.mutable_limits()->mutable_handshake_timeout()->set_nanos(
        static_cast<int32_t>(millis % 1000 * 1'000'000));
    status = ValidateBrokerConfig(config);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << millis;
    EXPECT_THAT(status.message(), HasSubstr("limits.handshake_timeout")) << millis;
  }
}

}  // namespace
}  // namespace wams::config
