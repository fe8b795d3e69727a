// Unit tests of the audit core's pure parts: witness verifier keys, the
// withholding config, and how the disclosure overview groups, names and
// withholds exchanges.
#include "broker/audit/audit_core.h"
#include "broker/audit/disclosure.h"
#include "broker/ledger/crypto/ed25519.h"
#include "broker/ledger/note/note.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace wams::audit {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::wams::testing::StatusIs;

constexpr char kMunicipality[] = "00000001001234567000";
constexpr char kSchool[] = "00000003345678900000";
constexpr char kPolice[] = "00000001003214345000";

TEST(WithholdingTest, AcceptsPoliceAndJusticeWithADateAndAReason) {
  v1::DisclosureWithholding config;
  config.set_regime(v1::SECRECY_REGIME_JUSTICE_WJSG);
  config.set_until_date("2030-06-01");
  config.set_reason("Lopende strafzaak");
  absl::StatusOr<Withholding> parsed = ParseWithholding(config, "w");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(absl::ToUnixSeconds(parsed->until), 1906502400);  // 2030-06-01T00:00Z

  config.set_regime(v1::SECRECY_REGIME_MEDICAL);
  EXPECT_THAT(std::string(ParseWithholding(config, "w").status().message()), HasSubstr("w.regime"));
  config.set_regime(v1::SECRECY_REGIME_POLICE_WPG);
  config.set_until_date("1 juni 2030");
  EXPECT_THAT(std::string(ParseWithholding(config, "w").status().message()),
              HasSubstr("w.until_date"));
  config.set_until_date("2030-06-01");
  config.clear_reason();
  EXPECT_THAT(ParseWithholding(config, "w"), StatusIs(absl::StatusCode::kInvalidArgument));
}

class BuildDisclosureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::BrokerConfig config;
    auto add = [&](const char* oin, const char* name, v1::SecrecyRegime regime) {
      v1::Party* p = config.add_parties();
      p->set_oin(oin);
      p->set_name(name);
      p->set_secrecy_regime(regime);
    };
    add(kMunicipality, "Gemeente Voorbeeldstad", v1::SECRECY_REGIME_NONE);
    add(kSchool, "Voorbeeldcollege", v1::SECRECY_REGIME_NONE);
    add(kPolice, "Politie Eenheid Voorbeeld", v1::SECRECY_REGIME_POLICE_WPG);
    registry_ = std::make_unique<identity::PartyRegistry>(*identity::PartyRegistry::Create(config));
  }

  static SubjectReceipt Make(uint64_t leaf, v1::ReceiptKind kind, const char* target,
                             v1::ReceiptOutcome outcome, uint64_t decision_leaf = 0) {
    SubjectReceipt s;
    s.leaf_index = leaf;
    s.receipt.set_kind(kind);
    s.receipt.set_requester_oin(kMunicipality);
    s.receipt.set_target_oin(target);
    s.receipt.set_outcome(outcome);
    s.receipt.set_purpose(v1::PURPOSE_RESEARCH);
    s.receipt.add_categories("attendance");
    s.receipt.mutable_time()->set_seconds(1780000000 + static_cast<int64_t>(leaf));
    s.receipt.set_decision_leaf_index(decision_leaf);
    return s;
  }

  std::unique_ptr<identity::PartyRegistry> registry_;
};

TEST_F(BuildDisclosureTest, DecisionAndItsAnswerAreOneEntryAndCaseEventsAreLeftOut) {
  std::vector<SubjectReceipt> receipts = {
      Make(3, v1::RECEIPT_KIND_CASE_EVENT, "", v1::RECEIPT_OUTCOME_GRANTED),
      Make(4, v1::RECEIPT_KIND_DECISION, kSchool, v1::RECEIPT_OUTCOME_GRANTED),
      Make(5, v1::RECEIPT_KIND_PROVIDER_ANSWER, kSchool, v1::RECEIPT_OUTCOME_DELIVERED, 4),
      Make(6, v1::RECEIPT_KIND_AUDIT_QUERY, kSchool, v1::RECEIPT_OUTCOME_GRANTED),
      Make(7, v1::RECEIPT_KIND_DECISION, kSchool, v1::RECEIPT_OUTCOME_REFUSED),
  };
  v1::DisclosureResponse r = BuildDisclosure(
      receipts, *registry_, {}, absl::FromUnixSeconds(1790000000), v1::LANGUAGE_ENGLISH);
  ASSERT_EQ(r.entries_size(), 2);
  EXPECT_EQ(r.entries(0).outcome(), v1::RECEIPT_OUTCOME_DELIVERED);
  EXPECT_EQ(r.entries(0).target_name(), "Voorbeeldcollege");
  EXPECT_EQ(r.entries(1).outcome(), v1::RECEIPT_OUTCOME_REFUSED);
  EXPECT_THAT(r.document(), HasSubstr("1. "));
  EXPECT_THAT(r.document(), HasSubstr("2. "));
  EXPECT_THAT(r.document(), Not(HasSubstr("3. ")));
}

TEST_F(BuildDisclosureTest, PoliceEntriesAreWithheldOnlyUntilTheDate) {
  std::vector<SubjectReceipt> receipts = {
      Make(1, v1::RECEIPT_KIND_PROVIDER_ANSWER, kPolice, v1::RECEIPT_OUTCOME_DELIVERED),
      Make(2, v1::RECEIPT_KIND_PROVIDER_ANSWER, kSchool, v1::RECEIPT_OUTCOME_DELIVERED),
  };
  Withholding w{.regime = v1::SECRECY_REGIME_POLICE_WPG,
                .until = absl::FromUnixSeconds(1800000000),
                .reason = "Lopend onderzoek"};
  v1::DisclosureResponse before = BuildDisclosure(
      receipts, *registry_, {w}, absl::FromUnixSeconds(1799999999), v1::LANGUAGE_DUTCH);
  ASSERT_EQ(before.entries_size(), 1);
  EXPECT_EQ(before.entries(0).target_oin(), kSchool);
  ASSERT_EQ(before.withheld_size(), 1);
  EXPECT_EQ(before.withheld(0).entries(), 1u);
  EXPECT_EQ(before.withheld(0).until().seconds(), 1800000000);
  EXPECT_THAT(before.document(), HasSubstr("Lopend onderzoek"));
  EXPECT_THAT(before.document(), Not(HasSubstr("Politie")));

  v1::DisclosureResponse after = BuildDisclosure(
      receipts, *registry_, {w}, absl::FromUnixSeconds(1800000000), v1::LANGUAGE_DUTCH);
  EXPECT_EQ(after.entries_size(), 2);
  EXPECT_EQ(after.withheld_size(), 0);
  EXPECT_THAT(after.document(), HasSubstr("Politie Eenheid Voorbeeld"));
}

}  // namespace
}  // namespace wams::audit
