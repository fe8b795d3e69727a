// Tests for Catalogue::Create validation (each error names the field) and the
// regime lookup, and for the policy version digest.
#include "policy/catalogue.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <ostream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "policy/policy.h"
#include "tests/policy/policy_test_util.h"
#include "tests/testing/status_matchers.h"

namespace wams::policy {
namespace {

namespace t = ::wams::policy::testing;

using ::wams::testing::StatusIs;

struct BadConfig {
  std::string name;
  std::function<void(v1::BrokerConfig&)> change;
  std::string message;
};

// Test names, not bytes, in failure output.
void PrintTo(const BadConfig& row, std::ostream* os) { *os << row.name; }

class CatalogueErrorTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(CatalogueErrorTest, RejectsNamingTheField) {
  v1::BrokerConfig config = t::MakeConfig();
  GetParam().change(config);
  absl::StatusOr<Catalogue> catalogue = Catalogue::Create(config.catalogs(), config.parties());
  ASSERT_THAT(catalogue, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(catalogue.status().message(), GetParam().message);
  // Policy::Create reports the same error.
  EXPECT_EQ(Policy::Create(config).status(), catalogue.status());
}

INSTANTIATE_TEST_SUITE_P(
    Config, CatalogueErrorTest,
    ::testing::Values(
        BadConfig{"PartyOffersCategoryOutsideItsCatalogue",
                  [](v1::BrokerConfig& c) { c.mutable_parties(2)->add_data_categories("xyz"); },
                  "parties[2].data_categories[2]: \"xyz\" is not in the catalogue of "
                  "DOMAIN_EDUCATION"},
        BadConfig{
            "PartyOffersCategoryOfAnotherDomain",
            [](v1::BrokerConfig& c) { c.mutable_parties(2)->set_data_categories(1, "incidents"); },
            "parties[2].data_categories[1]: \"incidents\" is not in the catalogue of "
            "DOMAIN_EDUCATION"},
        BadConfig{"UnknownCatalogDomain",
                  [](v1::BrokerConfig& c) {
                    c.mutable_catalogs(1)->set_domain(static_cast<v1::Domain>(99));
                  },
                  "catalogs[1].domain: unknown domain 99"},
        BadConfig{
            "UnsetCatalogDomain",
            [](v1::BrokerConfig& c) { c.mutable_catalogs(0)->set_domain(v1::DOMAIN_UNSPECIFIED); },
            "catalogs[0].domain: unknown domain 0"},
        BadConfig{"DuplicateCatalog",
                  [](v1::BrokerConfig& c) {
                    c.mutable_catalogs(2)->set_domain(v1::DOMAIN_MENTAL_HEALTH);
                  },
                  "catalogs[2].domain: DOMAIN_MENTAL_HEALTH has more than one catalogue"},
        BadConfig{"DuplicateCategoryName",
                  [](v1::BrokerConfig& c) {
                    c.mutable_catalogs(1)->mutable_categories(1)->set_name("treatment_summary");
                  },
                  "catalogs[1].categories[1].name: \"treatment_summary\" appears twice in the "
                  "catalogue of DOMAIN_MENTAL_HEALTH"},
        BadConfig{"MalformedCategoryName",
                  [](v1::BrokerConfig& c) {
                    c.mutable_catalogs(0)->mutable_categories(0)->set_name("Benefits History");
                  },
                  "catalogs[0].categories[0].name: \"Benefits History\" is not a "
                  "lower_snake_case name (a letter, then letters, digits or '_')"},
        BadConfig{"WildcardCategoryName",
                  [](v1::BrokerConfig& c) {
                    c.mutable_catalogs(0)->mutable_categories(0)->set_name("all");
                  },
                  "catalogs[0].categories[0].name: \"all\" reads as a wildcard and cannot name "
                  "a category"},
        BadConfig{"BadPartyOin", [](v1::BrokerConfig& c) { c.mutable_parties(1)->set_oin("123"); },
                  "parties[1].oin: OIN must have exactly 20 digits, got 3 characters"},
        BadConfig{"DuplicatePartyOin",
                  [](v1::BrokerConfig& c) { c.mutable_parties(3)->set_oin(t::kGgzOin); },
                  "parties[3].oin: another party has the same OIN"},
        BadConfig{
            "UnsetPartyDomain",
            [](v1::BrokerConfig& c) { c.mutable_parties(1)->set_domain(v1::DOMAIN_UNSPECIFIED); },
            "parties[1].domain: unknown or unset domain 0"},
        BadConfig{
            "UnsetPartyRole",
            [](v1::BrokerConfig& c) { c.mutable_parties(1)->set_role(v1::PARTY_ROLE_UNSPECIFIED); },
            "parties[1].role: unknown or unset role 0"},
        BadConfig{"UnsetPartyRegime",
                  [](v1::BrokerConfig& c) {
                    c.mutable_parties(1)->set_secrecy_regime(v1::SECRECY_REGIME_UNSPECIFIED);
                  },
                  "parties[1].secrecy_regime: unknown or unset regime 0 (use "
                  "SECRECY_REGIME_NONE)"},
        BadConfig{
            "CategoryListedTwiceByParty",
            [](v1::BrokerConfig& c) { c.mutable_parties(1)->add_data_categories("appointments"); },
            "parties[1].data_categories[2]: \"appointments\" is listed twice"}),
    [](const ::testing::TestParamInfo<BadConfig>& row_info) { return row_info.param.name; });

TEST(CatalogueTest, EffectiveRegimeIsCategoryRegimeElsePartyRegime) {
  const Catalogue& catalogue = t::TestPolicy().catalogue();
  const v1::Party& ggz = t::PartyByOin(t::kGgzOin);
  const v1::Party& school = t::PartyByOin(t::kSchoolOin);
  EXPECT_EQ(catalogue.EffectiveRegime(ggz, "treatment_summary"), v1::SECRECY_REGIME_MEDICAL);
  EXPECT_EQ(catalogue.EffectiveRegime(ggz, "appointments"), v1::SECRECY_REGIME_NONE);
  EXPECT_EQ(catalogue.EffectiveRegime(school, "care_plan"), v1::SECRECY_REGIME_YOUTH_CARE_SKJ);
  EXPECT_EQ(catalogue.EffectiveRegime(school, "attendance"), v1::SECRECY_REGIME_NONE);
}

TEST(CatalogueTest, OffersOnlyListedCategoriesInTheCatalogue) {
  const Catalogue& catalogue = t::TestPolicy().catalogue();
  v1::Party ggz = t::PartyByOin(t::kGgzOin);
  EXPECT_TRUE(catalogue.Offers(ggz, "appointments"));
  EXPECT_FALSE(catalogue.Offers(ggz, "attendance"));
  ggz.add_data_categories("diagnosis");  // listed, but not in the catalogue
  EXPECT_FALSE(catalogue.Offers(ggz, "diagnosis"));
  EXPECT_NE(catalogue.Find(v1::DOMAIN_POLICE, "incidents"), nullptr);
  EXPECT_EQ(catalogue.Find(v1::DOMAIN_POLICE, "attendance"), nullptr);
  EXPECT_EQ(catalogue.Find(static_cast<v1::Domain>(77), "incidents"), nullptr);
}

TEST(PolicyVersionTest, IsDigestPrefixedWithEngineRevision) {
  const Policy& policy = t::TestPolicy();
  EXPECT_EQ(policy.digest_hex().size(), 64u);
  EXPECT_EQ(policy.version(), "wams-policy-1/" + policy.digest_hex().substr(0, 16));
}

TEST(PolicyVersionTest, DoesNotDependOnConfigurationOrder) {
  v1::BrokerConfig config = t::MakeConfig();
  std::reverse(config.mutable_parties()->begin(), config.mutable_parties()->end());
  std::reverse(config.mutable_catalogs()->begin(), config.mutable_catalogs()->end());
  config.mutable_catalogs(0)->mutable_categories(0)->set_description("reworded");
  absl::StatusOr<Policy> reordered = Policy::Create(config);
  ASSERT_TRUE(reordered.ok()) << reordered.status();
  EXPECT_EQ(reordered->version(), t::TestPolicy().version());
}

TEST(PolicyVersionTest, ChangesWhenARegimeChanges) {
  v1::BrokerConfig config = t::MakeConfig();
  config.mutable_catalogs(1)->mutable_categories(1)->set_regime(v1::SECRECY_REGIME_MEDICAL);
  absl::StatusOr<Policy> changed = Policy::Create(config);
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(changed->version(), t::TestPolicy().version());
}

TEST(PolicyVersionTest, ChangesWhenBsnPermissionChanges) {
  v1::BrokerConfig config = t::MakeConfig();
  config.mutable_parties(2)->set_may_process_bsn(true);
  absl::StatusOr<Policy> changed = Policy::Create(config);
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(changed->version(), t::TestPolicy().version());
}

}  // namespace
}  // namespace wams::policy

namespace wams::policy {
namespace {

// The shipped example configuration must build a policy (the broker creates
// its Policy from the same BrokerConfig at start-up).
TEST(ExampleConfigTest, BuildsAPolicyFromTheDeployExample) {
  std::ifstream file(WAMS_EXAMPLE_CONFIG);
  if (!file) GTEST_SKIP() << "no example config at " << WAMS_EXAMPLE_CONFIG;
  std::stringstream text;
  text << file.rdbuf();
  v1::BrokerConfig config;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text.str(), &config));
  absl::StatusOr<Policy> policy = Policy::Create(config);
  EXPECT_TRUE(policy.ok()) << policy.status();
}

}  // namespace
}  // namespace wams::policy
