// Validation of the new config fields (broker/config/config_loader.h): the
// limits and the CRL sides, each error naming the field.
#include "broker/config/config_loader.h"
#include "broker/services/admission.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/subprocess.h"
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
  config.mutable_limits()->set_per_party_rate(0);
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

TEST(LimitsConfig, ReceiptSizeAndExportIdleTimeoutOutOfRangeAreRefused) {
  for (uint32_t bytes : {1u, 4095u, (1u << 20) + 1}) {
    v1::BrokerConfig config = ExampleConfig();
    config.mutable_limits()->set_max_receipt_bytes(bytes);
    absl::Status status = ValidateBrokerConfig(config);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bytes;
    EXPECT_THAT(status.message(), HasSubstr("limits.max_receipt_bytes")) << bytes;
  }
  v1::BrokerConfig config = ExampleConfig();
  config.mutable_limits()->mutable_export_idle_timeout()->set_seconds(0);
  config.mutable_limits()->mutable_export_idle_timeout()->set_nanos(500'000'000);
  absl::Status status = ValidateBrokerConfig(config);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("limits.export_idle_timeout"));
}

// Every config the project ships carries per-party rate, burst, concurrency
// and export-stream limits, an export idle timeout and a receipt maximum;
// those that face the world (production, Kubernetes, the compose demo) carry
// the production values. Without them one party made 23,373 receipted
// refusals in 15 s and 150 idle export streams took 2 GB.
void ExpectLimits(const std::string& name, const std::string& text, bool production) {
  absl::StatusOr<v1::BrokerConfig> config = ParseBrokerConfig(text);
  ASSERT_TRUE(config.ok()) << name << ": " << config.status();
  EXPECT_TRUE(ValidateBrokerConfig(*config).ok()) << name << ": " << ValidateBrokerConfig(*config);
  const v1::Limits& limits = config->limits();
  EXPECT_GT(limits.per_party_rate(), 0u) << name;
  EXPECT_GT(limits.per_party_burst(), 0u) << name;
  EXPECT_GT(limits.per_party_concurrency(), 0u) << name;
  EXPECT_GT(limits.per_party_export_streams(), 0u) << name;
  EXPECT_TRUE(limits.has_export_idle_timeout()) << name;
  EXPECT_GT(limits.max_receipt_bytes(), 0u) << name;
  if (production) {
    EXPECT_LE(limits.per_party_rate(), 50u) << name;
    EXPECT_LE(limits.per_party_burst(), 100u) << name;
    EXPECT_LE(limits.per_party_concurrency(), 20u) << name;
    EXPECT_LE(limits.per_party_export_streams(), 2u) << name;
    EXPECT_LE(limits.max_receipt_bytes(), 65536u) << name;
  }
}

TEST(ShippedConfigs, CarryPerPartyExportAndReceiptLimits) {
  using testing::ReadFile;
  using testing::SourcePath;
  ExpectLimits("example", ReadFile(SourcePath("deploy/config/broker.example.textproto")), false);
  ExpectLimits("production", ReadFile(SourcePath("deploy/config/broker.production.textproto")),
               true);
  ExpectLimits("kubernetes",
               ReadFile(SourcePath("deploy/kubernetes/voorbeeldstad/broker.textproto")), true);
  // The compose demo's generated config (deploy/demo-env.sh applies the same
  // substitutions and checks them when it starts).
  testing::TempDir out;
  std::string output;
  ASSERT_EQ(
      testing::RunCommand(
          {"bash", SourcePath("deploy/compose/make-configs.sh"), out.path().string()}, &output),
      0)
      << output;
  ExpectLimits("compose", ReadFile(out.path() / "broker.textproto"), true);
}

TEST(ShippedConfigs, ExportStreamsAreLimitedEvenWhenUnset) {
  EXPECT_EQ(services::AdmissionOptions::FromLimits(v1::Limits()).export_streams,
            services::kDefaultExportStreams);
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
