// RedactFor / OutsiderView: a decision shown to a party that may not know the
// case's facts is the same whatever those facts are (client or not, consent
// or not, scope, phase, case or none), while the case's municipality and its
// coordinator's party see it whole.
#include "policy/decision_view.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "policy/policy.h"
#include "tests/policy/policy_test_util.h"

namespace wams::policy {
namespace {

using testing::Scenario;
namespace t = ::wams::policy::testing;

// The school asking GGZ about the client of the research case.
Scenario SchoolAsks() {
  Scenario s;
  s.requester = t::PartyByOin(t::kSchoolOin);
  return s;
}

v1::Decision Shown(const Scenario& s) {
  const v1::Decision full = t::TestPolicy().Decide(s.Input());
  return RedactFor(full, s.has_case ? &s.case_snapshot : nullptr, &s.requester, RoleRuleOf(s.kind));
}

std::vector<std::string> FailedIds(const v1::Decision& decision) {
  return {decision.failed_rule_ids().begin(), decision.failed_rule_ids().end()};
}

TEST(DecisionViewTest, OutsiderSeesTheSameWhateverTheCaseHolds) {
  const v1::Decision client = Shown(SchoolAsks());
  Scenario stranger = SchoolAsks();
  stranger.subject_bsn = t::kStrangerBsn;
  Scenario no_consent = SchoolAsks();
  no_consent.case_snapshot.clear_consents();
  Scenario excluded = SchoolAsks();
  excluded.case_snapshot.mutable_scope()->add_domains_out(v1::DOMAIN_MENTAL_HEALTH);
  Scenario closed = SchoolAsks();
  closed.case_snapshot.set_phase(v1::CASE_PHASE_CLOSED);
  Scenario no_case = SchoolAsks();
  no_case.has_case = false;
  for (const Scenario* other : {&stranger, &no_consent, &excluded, &closed, &no_case}) {
    EXPECT_EQ(Shown(*other).SerializeAsString(), client.SerializeAsString())
        << Shown(*other).DebugString();
  }
  EXPECT_FALSE(client.allowed());
  EXPECT_EQ(FailedIds(client), (std::vector<std::string>{"R09", "R10"}));
  EXPECT_TRUE(client.consent_basis().empty());
  EXPECT_TRUE(client.obligations().empty());
  // Rules about the request itself stay, in ID order.
  std::vector<std::string> ids;
  for (const v1::RuleResult& rule : client.rules()) ids.push_back(rule.rule_id());
  EXPECT_EQ(ids, (std::vector<std::string>{"R06", "R07", "R08", "R09", "R10", "R19", "R27"}));
}

TEST(DecisionViewTest, OutsiderStillLearnsWhatIsWrongWithItsOwnRequest) {
  Scenario fraud = SchoolAsks();
  fraud.purpose = v1::PURPOSE_FRAUD_CONTROL;
  EXPECT_EQ(FailedIds(Shown(fraud)), (std::vector<std::string>{"R07", "R08", "R09", "R10"}));
}

TEST(DecisionViewTest, TheCasesMunicipalityAndCoordinatorPartySeeTheWholeDecision) {
  Scenario municipality;  // the research case's own municipality
  const v1::Decision full = t::TestPolicy().Decide(municipality.Input());
  EXPECT_EQ(Shown(municipality).SerializeAsString(), full.SerializeAsString());
  EXPECT_EQ(full.consent_basis_size(), 1);

  Scenario coordinator;
  coordinator.MakeCoordination();
  EXPECT_TRUE(MayKnowCaseFacts(&coordinator.case_snapshot, &coordinator.requester));
  EXPECT_EQ(Shown(coordinator).SerializeAsString(),
            t::TestPolicy().Decide(coordinator.Input()).SerializeAsString());
}

TEST(DecisionViewTest, AnotherMunicipalityAndNoCaseAreOutsiders) {
  const v1::Case c = t::ResearchCase();
  v1::Party other = t::PartyByOin(t::kMunicipalityOin);
  other.set_oin(t::kOtherMunicipalityOin);
  EXPECT_FALSE(MayKnowCaseFacts(&c, &other));
  const v1::Party& own = t::PartyByOin(t::kMunicipalityOin);
  EXPECT_TRUE(MayKnowCaseFacts(&c, &own));
  EXPECT_FALSE(MayKnowCaseFacts(nullptr, &own));
  EXPECT_FALSE(MayKnowCaseFacts(&c, nullptr));
}

TEST(DecisionViewTest, ConveneOutsiderSeesR22) {
  const v1::Decision full = t::TestPolicy().DecideConvene({.case_snapshot = t::ResearchCase(),
                                                           .requester = &t::PartyByOin(t::kGgzOin),
                                                           .professional_id = "prof-9",
                                                           .language = v1::LANGUAGE_ENGLISH});
  const v1::Decision none = t::TestPolicy().DecideConvene({.case_snapshot = v1::Case(),
                                                           .requester = &t::PartyByOin(t::kGgzOin),
                                                           .professional_id = "prof-9",
                                                           .language = v1::LANGUAGE_ENGLISH});
  EXPECT_EQ(OutsiderView(full, RuleId::kR22).SerializeAsString(),
            OutsiderView(none, RuleId::kR22).SerializeAsString());
  EXPECT_EQ(FailedIds(OutsiderView(full, RuleId::kR22)), (std::vector<std::string>{"R09", "R22"}));
}

// The exchange names no rule: the policy says which role rule an outsider
// of a data request, its dry run or a share sees refused.
TEST(DecisionViewTest, RequestsAndSharesShowTheirOutsidersR10) {
  EXPECT_EQ(RoleRuleOf(RequestKind::kDataRequest), RuleId::kR10);
  EXPECT_EQ(RoleRuleOf(RequestKind::kShareData), RuleId::kR10);
  Scenario share = SchoolAsks();
  share.kind = RequestKind::kShareData;
  // R06 too: the school does not offer the categories it would share.
  EXPECT_EQ(FailedIds(Shown(share)), (std::vector<std::string>{"R06", "R09", "R10"}));
}

}  // namespace
}  // namespace wams::policy
