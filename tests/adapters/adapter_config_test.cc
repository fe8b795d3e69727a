// The reference adapter's config: every reference config is valid, and a
// mistake is refused naming the field.
#include "adapters/reference/adapter_config.h"

#include <functional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/temp_dir.h"

namespace wams::adapters {
namespace {

using ::testing::HasSubstr;

class ReferenceConfigTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ReferenceConfigTest, LoadsAndBuilds) {
  std::string path =
      testing::SourcePath(std::string("adapters/config/") + GetParam() + ".textproto");
  absl::StatusOr<AdapterConfig> config = LoadAdapterConfig(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->broker_oin(), "00000001001234567100");
  EXPECT_TRUE(config->tls().private_key_file().starts_with(testing::SourcePath("deploy/dev-pki")))
      << "relative paths resolve against the config's directory";
  // Building opens the share inbox (creating it): not in the source tree.
  testing::TempDir inbox;
  if (!config->file_backend().share_inbox_dir().empty()) {
    EXPECT_TRUE(config->file_backend().share_inbox_dir().starts_with(
        testing::SourcePath("adapters/config/share-inbox/")));
    config->mutable_file_backend()->set_share_inbox_dir(inbox.File("inbox"));
  }
  absl::StatusOr<AdapterParts> parts = BuildAdapter(*config);
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_NE(parts->backend, nullptr);
  EXPECT_EQ(parts->options.policy.categories.size(),
            static_cast<size_t>(config->categories_size()));
}

INSTANTIATE_TEST_SUITE_P(All, ReferenceConfigTest,
                         ::testing::Values("neighbourhood-team", "ggz", "school", "school-http",
                                           "police", "probation", "housing"));

constexpr char kValid[] = R"pb(
  party_name: "P"
  listen_address: "127.0.0.1:0"
  broker_oin: "00000001001234567100"
  tls { certificate_file: "a.crt" private_key_file: "a.key" ca_bundle_file: "ca.crt" }
  categories { name: "attendance" regime: SECRECY_REGIME_NONE }
  file_backend { records_file: "r.json" }
)pb";

TEST(AdapterConfigTest, ValidMinimalConfig) {
  absl::StatusOr<AdapterConfig> config = ParseAdapterConfig(kValid);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(ValidateAdapterConfig(*config).ok()) << ValidateAdapterConfig(*config);
}

TEST(AdapterConfigTest, MistakesNameTheField) {
  struct Case {
    std::function<void(AdapterConfig&)> change;
    std::string field;
  };
  auto add_category = [](AdapterConfig& c, const std::string& name,
                         broker::v1::SecrecyRegime regime) {
    adapter::v1::CategoryRule* rule = c.add_categories();
    rule->set_name(name);
    rule->set_regime(regime);
  };
  std::vector<Case> cases = {
      {[](AdapterConfig& c) { c.set_broker_oin("123"); }, "broker_oin"},
      {[](AdapterConfig& c) { c.clear_listen_address(); }, "listen_address"},
      {[](AdapterConfig& c) { c.set_metrics_address("localhost"); }, "metrics_address"},
      {[](AdapterConfig& c) { c.set_metrics_address("127.0.0.1:99999"); }, "metrics_address"},
      {[](AdapterConfig& c) { c.mutable_connection_limits()->set_max_connections(2'000'000); },
       "connection_limits.max_connections"},
      {[](AdapterConfig& c) {
         c.mutable_connection_limits()->mutable_handshake_timeout()->set_seconds(600);
       },
       "connection_limits.handshake_timeout"},
      {[](AdapterConfig& c) { c.mutable_tls()->clear_private_key_file(); }, "tls.private_key_file"},
      {[&](AdapterConfig& c) {
         add_category(c, "crisis_plan", broker::v1::SECRECY_REGIME_MEDICAL);
       },
       "categories[1].without_consent"},
      {[&](AdapterConfig& c) {
         add_category(c, "incident_summary", broker::v1::SECRECY_REGIME_POLICE_WPG);
       },
       "categories[1].legal_basis"},
      {[](AdapterConfig& c) {
         (*c.mutable_http_backend()->mutable_url_templates())["attendance"] = "ftp://x/{bsn}";
       },
       "http_backend.url_templates['attendance']"},
      {[](AdapterConfig& c) {
         (*c.mutable_http_backend()->mutable_url_templates())["other"] = "http://x/{bsn}";
       },
       "http_backend.url_templates"},
      {[](AdapterConfig& c) { c.clear_file_backend(); }, "backend"},
      {[](AdapterConfig& c) { c.add_accepts_shares()->set_category("youth_services"); },
       "file_backend.share_inbox_dir"},
      {[](AdapterConfig& c) {
         c.mutable_file_backend()->set_share_inbox_dir("inbox");
         c.add_accepts_shares()->set_category("youth_services");
         c.add_accepts_shares()->set_category("youth_services");
       },
       "accepts_shares[1]"},
      {[](AdapterConfig& c) {
         c.mutable_file_backend()->set_share_inbox_dir("inbox");
         c.add_accepts_shares()->set_category("Youth Services");
       },
       "accepts_shares[0]"},
      {[](AdapterConfig& c) {
         (*c.mutable_http_backend()->mutable_url_templates())["attendance"] = "http://x/{bsn}";
         c.add_accepts_shares()->set_category("youth_services");
       },
       "http_backend.share_url"},
      {[](AdapterConfig& c) {
         (*c.mutable_http_backend()->mutable_url_templates())["attendance"] = "http://x/{bsn}";
         c.mutable_http_backend()->set_share_url("file:///etc/passwd");
       },
       "http_backend.share_url"},
      // Every field's kind, as in the broker's config (proto/wire/config_checks.h).
      {[](AdapterConfig& c) {
         c.mutable_connection_limits()->mutable_handshake_timeout()->set_seconds(0);
       },
       "connection_limits.handshake_timeout: must be a positive duration"},
      {[](AdapterConfig& c) {
         c.mutable_http_backend()->mutable_timeout()->set_seconds(-2);
         (*c.mutable_http_backend()->mutable_url_templates())["attendance"] = "http://x/{bsn}";
       },
       "http_backend.timeout: must be a positive duration"},
      {[](AdapterConfig& c) {
         c.mutable_http_backend()->set_max_body_bytes(3'000'000'000u);
         (*c.mutable_http_backend()->mutable_url_templates())["attendance"] = "http://x/{bsn}";
       },
       "http_backend.max_body_bytes: at most 2147483647"},
      {[](AdapterConfig& c) { c.mutable_categories(0)->add_conditions("Alleen \xff intern"); },
       "categories[0].conditions[0]: not valid UTF-8"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    absl::StatusOr<AdapterConfig> config = ParseAdapterConfig(kValid);
    ASSERT_TRUE(config.ok()) << config.status();
    cases[i].change(*config);
    absl::Status status = ValidateAdapterConfig(*config);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << "case " << i;
    EXPECT_THAT(status.message(), HasSubstr(cases[i].field)) << "case " << i;
  }
}

TEST(AdapterConfigTest, SyntaxErrorNamesLine) {
  absl::StatusOr<AdapterConfig> config = ParseAdapterConfig("party_name: \"P\"\nnonsense: 1\n");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("line 2"));
}

}  // namespace
}  // namespace wams::adapters
