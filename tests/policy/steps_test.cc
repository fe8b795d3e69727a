// Table tests for the case-management and conference decisions: a client's
// request under a social-domain law (R01), professional request grounds (R02),
// start coordination (R12, R13), convene (R22), invite (R23), share an item
// (R24, R25) and onward use (R26); and the coordination facts a case shows
// (CoordinationGroundOf, CoordinatorKindOf).
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "policy/policy.h"
#include "policy/subject_key.h"
#include "tests/policy/policy_test_util.h"

namespace wams::policy {
namespace {

namespace t = ::wams::policy::testing;

constexpr v1::RuleOutcome kPassed = v1::RULE_OUTCOME_PASSED;
constexpr v1::RuleOutcome kFailed = v1::RULE_OUTCOME_FAILED;
constexpr v1::RuleOutcome kNotApplicable = v1::RULE_OUTCOME_NOT_APPLICABLE;
constexpr v1::Language kEn = v1::LANGUAGE_ENGLISH;

struct StepCase {
  std::string name;
  std::function<v1::Decision(const Policy&)> run;
  std::string rule_id;
  v1::RuleOutcome outcome;
  bool allowed;
};

// Test names, not bytes, in failure output.
void PrintTo(const StepCase& row, std::ostream* os) { *os << row.name; }

v1::ProfessionalGrounds Grounds(bool a, bool b, bool c, std::string reasons) {
  v1::ProfessionalGrounds grounds;
  grounds.set_persistent_problems(a);
  grounds.set_nuisance_or_danger(b);
  grounds.set_coordinated_approach_expected(c);
  grounds.set_reasons(std::move(reasons));
  return grounds;
}

v1::Decision Grounded(const Policy& p, v1::ProfessionalGrounds grounds) {
  return p.DecideProfessionalRequest({.requester = &t::PartyByOin(t::kSchoolOin),
                                      .professional_id = "mentor-3",
                                      .grounds = grounds,
                                      .language = kEn});
}

v1::Decision ClientRequest(const Policy& p, std::vector<int> laws,
                           const v1::Party* requester = &t::PartyByOin(t::kMunicipalityOin)) {
  google::protobuf::RepeatedField<int> social_laws(laws.begin(), laws.end());
  return p.DecideClientRequest({.requester = requester,
                                .professional_id = t::kProfessional,
                                .social_laws = social_laws,
                                .language = kEn});
}

v1::Coordination Designated(std::string oin, std::string professional) {
  v1::Coordination coordination;
  coordination.mutable_designated()->set_party_oin(std::move(oin));
  coordination.mutable_designated()->set_professional_id(std::move(professional));
  return coordination;
}

v1::Decision Start(const Policy& p, const v1::Case& c, const v1::Coordination& coordination,
                   const v1::Party* requester = &t::PartyByOin(t::kMunicipalityOin)) {
  return p.DecideStartCoordination({.case_snapshot = c,
                                    .requester = requester,
                                    .professional_id = t::kProfessional,
                                    .coordination = coordination,
                                    .language = kEn});
}

v1::Conference ConferenceOf(const v1::Case& c, std::string convener,
                            std::vector<std::string> invited) {
  v1::Conference conference;
  conference.set_conference_id("conf-1");
  conference.set_case_id(c.case_id());
  conference.set_convener_oin(std::move(convener));
  conference.set_subject("Afstemming schulden en behandeling");
  for (std::string& oin : invited) {
    v1::Invitation* invitation = conference.add_invitations();
    invitation->set_party_oin(std::move(oin));
    invitation->set_necessity_reason("Behandelaar van de cliënt");
  }
  conference.set_client_invited(true);
  return conference;
}

v1::Invitation InvitationOf(std::string oin, std::string reason) {
  v1::Invitation invitation;
  invitation.set_party_oin(std::move(oin));
  invitation.set_necessity_reason(std::move(reason));
  return invitation;
}

v1::ConferenceItem Item(std::string supplier, std::vector<std::string> audience,
                        std::vector<std::string> categories) {
  v1::ConferenceItem item;
  item.set_item_id("item-1");
  item.set_supplier_oin(std::move(supplier));
  for (std::string& oin : audience) item.add_audience_oins(std::move(oin));
  for (std::string& category : categories) item.add_categories(std::move(category));
  item.set_title("Afspraken");
  return item;
}

std::vector<StepCase> Cases() {
  const v1::Case research = t::ResearchCase();
  const v1::Case coordination = t::CoordinationCase();
  const v1::Conference research_conf =
      ConferenceOf(research, t::kMunicipalityOin, {t::kGgzOin, t::kSchoolOin});
  const v1::Party& municipality = t::PartyByOin(t::kMunicipalityOin);
  const v1::Party& ggz = t::PartyByOin(t::kGgzOin);
  const v1::Party& school = t::PartyByOin(t::kSchoolOin);
  const v1::Party& police = t::PartyByOin(t::kPoliceOin);
  const v1::Party& auditor = t::PartyByOin(t::kAuditorOin);
  return {
      // R01: help is asked under one of the four social-domain laws.
      {"AcceptsClientRequestUnderOneLaw",
       [](const Policy& p) { return ClientRequest(p, {v1::SOCIAL_LAW_JEUGDWET}); }, "R01", kPassed,
       true},
      {"RejectsClientRequestWithoutLaw", [](const Policy& p) { return ClientRequest(p, {}); },
       "R01", kFailed, false},
      {"RejectsClientRequestWithOnlyUnspecifiedOrUnknownLaws",
       [](const Policy& p) {
         return ClientRequest(p, {v1::SOCIAL_LAW_UNSPECIFIED, 99});
       },
       "R01", kFailed, false},
      {"RejectsClientRequestOfUnknownRequester",
       [](const Policy& p) { return ClientRequest(p, {v1::SOCIAL_LAW_WMO_2015}, nullptr); }, "R27",
       kFailed, false},

      // R02 grounds: (c) and ((a) or (b)), with reasons.
      {"AcceptsGroundsCAndA",
       [](const Policy& p) { return Grounded(p, Grounds(true, false, true, "Verzuim")); }, "R02",
       kPassed, true},
      {"AcceptsGroundsCAndB",
       [](const Policy& p) { return Grounded(p, Grounds(false, true, true, "Overlast")); }, "R02",
       kPassed, true},
      {"RejectsGroundsWithoutC",
       [](const Policy& p) { return Grounded(p, Grounds(true, true, false, "Verzuim")); }, "R02",
       kFailed, false},
      {"RejectsGroundsWithOnlyC",
       [](const Policy& p) { return Grounded(p, Grounds(false, false, true, "Verzuim")); }, "R02",
       kFailed, false},
      {"RejectsGroundsWithoutReasons",
       [](const Policy& p) { return Grounded(p, Grounds(true, false, true, "  ")); }, "R02",
       kFailed, false},
      {"RejectsProfessionalRequestByAuditor",
       [&auditor](const Policy& p) {
         return p.DecideProfessionalRequest({.requester = &auditor,
                                             .professional_id = "x",
                                             .grounds = Grounds(true, false, true, "r"),
                                             .language = kEn});
       },
       "R27", kFailed, false},

      // Start coordination: R12 duty/power, R13 coordinator.
      {"StartsCoordinationWithMunicipalCoordinator",
       [research](const Policy& p) {
         return Start(p, research, Designated(t::kMunicipalityOin, "coord-1"));
       },
       "R13", kPassed, true},
      {"StartsCoordinationWithCoordinatorOfInvolvedParty",
       [research](const Policy& p) {
         return Start(p, research, Designated(t::kSchoolOin, t::kCoordinator));
       },
       "R13", kPassed, true},
      {"RejectsCoordinatorOfUninvolvedParty",
       [research](const Policy& p) {
         return Start(p, research, Designated(t::kPoliceOin, "agent-1"));
       },
       "R13", kFailed, false},
      {"RejectsCoordinatorWithoutProfessional",
       [research](const Policy& p) { return Start(p, research, Designated(t::kSchoolOin, "")); },
       "R13", kFailed, false},
      {"AcceptsSelfCoordination",
       [research](const Policy& p) {
         v1::Coordination self;
         self.mutable_self()->set_by("client");
         return Start(p, research, self);
       },
       "R13", kPassed, true},
      {"RejectsStartWithoutCoordinatorChoice",
       [research](const Policy& p) { return Start(p, research, v1::Coordination()); }, "R13",
       kFailed, false},
      {"StartsCoordinationUnderDuty",
       [research](const Policy& p) {
         return Start(p, research, Designated(t::kMunicipalityOin, "coord-1"));
       },
       "R12", kPassed, true},
      {"RejectsCoordinationWhereWamsDoesNotApply",
       [research](const Policy& p) {
         v1::Case c = research;
         c.clear_social_laws();
         c.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
         c.clear_adjacent_domains();
         return Start(p, c, Designated(t::kMunicipalityOin, "coord-1"));
       },
       "R12", kFailed, false},
      {"RejectsStartByProvider",
       [research, &school](const Policy& p) {
         return Start(p, research, Designated(t::kMunicipalityOin, "coord-1"), &school);
       },
       "R10", kFailed, false},
      {"RejectsStartOutsideResearch",
       [coordination](const Policy& p) {
         return Start(p, coordination, Designated(t::kMunicipalityOin, "coord-1"));
       },
       "R10", kFailed, false},

      // R22: who convenes.
      {"MunicipalityConvenesInResearch",
       [research, &municipality](const Policy& p) {
         return p.DecideConvene({.case_snapshot = research,
                                 .requester = &municipality,
                                 .professional_id = t::kProfessional,
                                 .language = kEn});
       },
       "R22", kPassed, true},
      {"ProviderCannotConveneInResearch",
       [research, &ggz](const Policy& p) {
         return p.DecideConvene({.case_snapshot = research,
                                 .requester = &ggz,
                                 .professional_id = "behandelaar",
                                 .language = kEn});
       },
       "R22", kFailed, false},
      {"CoordinatorConvenesInCoordination",
       [coordination, &school](const Policy& p) {
         return p.DecideConvene({.case_snapshot = coordination,
                                 .requester = &school,
                                 .professional_id = t::kCoordinator,
                                 .language = kEn});
       },
       "R22", kPassed, true},
      {"MunicipalityCannotConveneInCoordinationWhenOtherCoordinator",
       [coordination, &municipality](const Policy& p) {
         return p.DecideConvene({.case_snapshot = coordination,
                                 .requester = &municipality,
                                 .professional_id = t::kProfessional,
                                 .language = kEn});
       },
       "R22", kFailed, false},
      {"NoConferenceInClosedCase",
       [research, &municipality](const Policy& p) {
         v1::Case c = research;
         c.set_phase(v1::CASE_PHASE_CLOSED);
         return p.DecideConvene({.case_snapshot = c,
                                 .requester = &municipality,
                                 .professional_id = t::kProfessional,
                                 .language = kEn});
       },
       "R09", kFailed, false},

      // R23: who attends.
      {"InvitesPartyWithNecessityReason",
       [research, research_conf, &municipality, &police](const Policy& p) {
         return p.DecideInvite({.case_snapshot = research,
                                .conference = research_conf,
                                .requester = &municipality,
                                .professional_id = t::kProfessional,
                                .invitation = InvitationOf(t::kPoliceOin, "Meldingen van overlast"),
                                .invitee = &police,
                                .language = kEn});
       },
       "R23", kPassed, true},
      {"RejectsInvitationWithoutNecessityReason",
       [research, research_conf, &municipality, &police](const Policy& p) {
         return p.DecideInvite({.case_snapshot = research,
                                .conference = research_conf,
                                .requester = &municipality,
                                .professional_id = t::kProfessional,
                                .invitation = InvitationOf(t::kPoliceOin, ""),
                                .invitee = &police,
                                .language = kEn});
       },
       "R23", kFailed, false},
      {"RejectsInvitationOfAuditor",
       [research, research_conf, &municipality, &auditor](const Policy& p) {
         return p.DecideInvite({.case_snapshot = research,
                                .conference = research_conf,
                                .requester = &municipality,
                                .professional_id = t::kProfessional,
                                .invitation = InvitationOf(t::kAuditorOin, "Toezicht"),
                                .invitee = &auditor,
                                .language = kEn});
       },
       "R23", kFailed, false},
      {"RejectsInvitationByNonConvener",
       [research, research_conf, &ggz, &police](const Policy& p) {
         return p.DecideInvite({.case_snapshot = research,
                                .conference = research_conf,
                                .requester = &ggz,
                                .professional_id = "behandelaar",
                                .invitation = InvitationOf(t::kPoliceOin, "Meldingen"),
                                .invitee = &police,
                                .language = kEn});
       },
       "R22", kFailed, false},
      {"InvitesClient",
       [research, research_conf, &municipality](const Policy& p) {
         return p.DecideClientInvitation({.case_snapshot = research,
                                          .conference = research_conf,
                                          .requester = &municipality,
                                          .professional_id = t::kProfessional,
                                          .invited = true,
                                          .weighty_interests = "",
                                          .language = kEn});
       },
       "R23", kPassed, true},
      {"LeavesClientOutWithWeightyInterestsRecorded",
       [research, research_conf, &municipality](const Policy& p) {
         return p.DecideClientInvitation({.case_snapshot = research,
                                          .conference = research_conf,
                                          .requester = &municipality,
                                          .professional_id = t::kProfessional,
                                          .invited = false,
                                          .weighty_interests = "Veiligheid van een gezinslid",
                                          .language = kEn});
       },
       "R23", kPassed, true},
      {"RejectsLeavingClientOutWithoutReason",
       [research, research_conf, &municipality](const Policy& p) {
         return p.DecideClientInvitation({.case_snapshot = research,
                                          .conference = research_conf,
                                          .requester = &municipality,
                                          .professional_id = t::kProfessional,
                                          .invited = false,
                                          .weighty_interests = "",
                                          .language = kEn});
       },
       "R23", kFailed, false},

      // R25: audience named and invited.
      {"SharesItemWithInvitedAudience",
       [research, research_conf, &school](const Policy& p) {
         return p.DecideShareItem(
             {.case_snapshot = research,
              .conference = research_conf,
              .supplier = &school,
              .professional_id = "mentor-3",
              .item = Item(t::kSchoolOin, {t::kMunicipalityOin}, {"attendance"}),
              .language = kEn});
       },
       "R25", kPassed, true},
      {"RejectsItemWithoutAudience",
       [research, research_conf, &school](const Policy& p) {
         return p.DecideShareItem({.case_snapshot = research,
                                   .conference = research_conf,
                                   .supplier = &school,
                                   .professional_id = "mentor-3",
                                   .item = Item(t::kSchoolOin, {}, {"attendance"}),
                                   .language = kEn});
       },
       "R25", kFailed, false},
      {"RejectsItemForUninvitedRecipient",
       [research, research_conf, &school](const Policy& p) {
         return p.DecideShareItem({.case_snapshot = research,
                                   .conference = research_conf,
                                   .supplier = &school,
                                   .professional_id = "mentor-3",
                                   .item = Item(t::kSchoolOin, {t::kGgzOin, t::kPoliceOin}, {}),
                                   .language = kEn});
       },
       "R25", kFailed, false},
      {"RejectsItemFromNonParticipant",
       [research, research_conf, &police](const Policy& p) {
         return p.DecideShareItem({.case_snapshot = research,
                                   .conference = research_conf,
                                   .supplier = &police,
                                   .professional_id = "agent-1",
                                   .item = Item(t::kPoliceOin, {t::kGgzOin}, {"incidents"}),
                                   .language = kEn});
       },
       "R25", kFailed, false},

      // R24: R17/R18 apply to care, police and justice suppliers.
      {"AppliesR17ToCareSupplierInConference",
       [research, research_conf, &ggz](const Policy& p) {
         return p.DecideShareItem(
             {.case_snapshot = research,
              .conference = research_conf,
              .supplier = &ggz,
              .professional_id = "behandelaar",
              .item = Item(t::kGgzOin, {t::kMunicipalityOin}, {"treatment_summary"}),
              .language = kEn});
       },
       "R24", kPassed, true},
      {"R24DoesNotApplyToOrdinaryData",
       [research, research_conf, &school](const Policy& p) {
         return p.DecideShareItem(
             {.case_snapshot = research,
              .conference = research_conf,
              .supplier = &school,
              .professional_id = "mentor-3",
              .item = Item(t::kSchoolOin, {t::kMunicipalityOin}, {"attendance"}),
              .language = kEn});
       },
       "R24", kNotApplicable, true},

      // R26: onward use needs the supplier's assent.
      {"AllowsOnwardUseWithAssent",
       [&ggz](const Policy& p) {
         v1::ConferenceItem item = Item(t::kSchoolOin, {t::kGgzOin}, {});
         item.add_onward_use_assented_oins(t::kGgzOin);
         return p.DecideOnwardUse(
             {.item = item, .requester = &ggz, .professional_id = "behandelaar", .language = kEn});
       },
       "R26", kPassed, true},
      {"DeniesOnwardUseWithoutAssent",
       [&ggz](const Policy& p) {
         v1::ConferenceItem item = Item(t::kSchoolOin, {t::kGgzOin}, {});
         item.add_onward_use_assented_oins(t::kMunicipalityOin);
         return p.DecideOnwardUse(
             {.item = item, .requester = &ggz, .professional_id = "behandelaar", .language = kEn});
       },
       "R26", kFailed, false},
      {"SharesItemWithAssentForItsAudience",
       [research, research_conf, &school](const Policy& p) {
         v1::ConferenceItem item = Item(t::kSchoolOin, {t::kGgzOin}, {"attendance"});
         item.add_onward_use_assented_oins(t::kGgzOin);
         return p.DecideShareItem({.case_snapshot = research,
                                   .conference = research_conf,
                                   .supplier = &school,
                                   .professional_id = "mentor-3",
                                   .item = item,
                                   .language = kEn});
       },
       "R26", kPassed, true},
      {"RejectsItemWithAssentOutsideItsAudience",
       [research, research_conf, &school](const Policy& p) {
         v1::ConferenceItem item = Item(t::kSchoolOin, {t::kGgzOin}, {"attendance"});
         item.add_onward_use_assented_oins(t::kMunicipalityOin);
         return p.DecideShareItem({.case_snapshot = research,
                                   .conference = research_conf,
                                   .supplier = &school,
                                   .professional_id = "mentor-3",
                                   .item = item,
                                   .language = kEn});
       },
       "R26", kFailed, false},
      {"ItemWithoutAssentLeavesR26Open",
       [research, research_conf, &school](const Policy& p) {
         return p.DecideShareItem({.case_snapshot = research,
                                   .conference = research_conf,
                                   .supplier = &school,
                                   .professional_id = "mentor-3",
                                   .item = Item(t::kSchoolOin, {t::kGgzOin}, {"attendance"}),
                                   .language = kEn});
       },
       "R26", kNotApplicable, true},

      // R11: a consent is recorded for a client of the case only.
      {"RecordsConsentOfAClient",
       [research](const Policy& p) {
         return p.DecideRecordConsent({.subject = &research.clients(0), .language = kEn});
       },
       "R11", kPassed, true},
      {"RejectsConsentOfSomeoneNotInTheCase",
       [](const Policy& p) { return p.DecideRecordConsent({.subject = nullptr, .language = kEn}); },
       "R11", kFailed, false},
      {"DeniesOnwardUseOfItemNotAddressedToParty",
       [&police](const Policy& p) {
         v1::ConferenceItem item = Item(t::kSchoolOin, {t::kGgzOin}, {});
         item.add_onward_use_assented_oins(t::kPoliceOin);
         return p.DecideOnwardUse(
             {.item = item, .requester = &police, .professional_id = "agent-1", .language = kEn});
       },
       "R25", kFailed, false},
  };
}

class StepRuleTest : public ::testing::TestWithParam<StepCase> {};

TEST_P(StepRuleTest, RuleOutcome) {
  const StepCase& row = GetParam();
  const v1::Decision decision = row.run(t::TestPolicy());
  const v1::RuleResult* rule = t::FindRule(decision, row.rule_id);
  ASSERT_NE(rule, nullptr) << row.rule_id << " not cited in " << decision.DebugString();
  EXPECT_EQ(rule->outcome(), row.outcome) << rule->message();
  EXPECT_FALSE(rule->message().empty());
  EXPECT_FALSE(rule->article().empty());
  EXPECT_EQ(t::HasFailed(decision, row.rule_id), row.outcome == v1::RULE_OUTCOME_FAILED);
  EXPECT_EQ(decision.allowed(), row.allowed) << decision.DebugString();
  EXPECT_EQ(decision.policy_version(), t::TestPolicy().version());
}

INSTANTIATE_TEST_SUITE_P(Steps, StepRuleTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<StepCase>& row_info) {
                           return row_info.param.name;
                         });

TEST(ShareItemTest, PlacesGoodCareObligationWithoutConsentAndLegalBasisForPolice) {
  v1::Case c = t::ResearchCase();
  c.clear_consents();
  const v1::Conference conference =
      ConferenceOf(c, t::kMunicipalityOin, {t::kGgzOin, t::kPoliceOin});
  const v1::Decision care = t::TestPolicy().DecideShareItem(
      {.case_snapshot = c,
       .conference = conference,
       .supplier = &t::PartyByOin(t::kGgzOin),
       .professional_id = "behandelaar",
       .item = Item(t::kGgzOin, {t::kMunicipalityOin}, {"treatment_summary", "appointments"}),
       .language = kEn});
  ASSERT_TRUE(care.allowed()) << care.DebugString();
  const v1::Obligation* good_care =
      t::FindObligation(care, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT);
  ASSERT_NE(good_care, nullptr);
  ASSERT_EQ(good_care->categories_size(), 1);
  EXPECT_EQ(good_care->categories(0), "treatment_summary");

  const v1::Decision police =
      t::TestPolicy().DecideShareItem({.case_snapshot = c,
                                       .conference = conference,
                                       .supplier = &t::PartyByOin(t::kPoliceOin),
                                       .professional_id = "agent-1",
                                       .item = Item(t::kPoliceOin, {t::kGgzOin}, {"incidents"}),
                                       .language = kEn});
  ASSERT_TRUE(police.allowed());
  EXPECT_EQ(t::FindRule(police, "R18")->outcome(), v1::RULE_OUTCOME_PASSED);
  EXPECT_NE(t::FindObligation(police, v1::OBLIGATION_KIND_LEGAL_BASIS), nullptr);
}

TEST(ShareItemTest, ConsentOfPrimaryClientRemovesGoodCareObligation) {
  const v1::Case c = t::ResearchCase();  // holds consent-1 for GGZ treatment summaries
  const v1::Conference conference = ConferenceOf(c, t::kMunicipalityOin, {t::kGgzOin});
  const v1::Decision decision = t::TestPolicy().DecideShareItem(
      {.case_snapshot = c,
       .conference = conference,
       .supplier = &t::PartyByOin(t::kGgzOin),
       .professional_id = "behandelaar",
       .item = Item(t::kGgzOin, {t::kMunicipalityOin}, {"treatment_summary"}),
       .language = kEn});
  ASSERT_TRUE(decision.allowed());
  EXPECT_EQ(t::FindObligation(decision, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT), nullptr);
  ASSERT_EQ(decision.consent_basis_size(), 1);
  EXPECT_EQ(decision.consent_basis(0).consent_id(), "consent-1");
}

// The case as the broker stores it: no BSN, only pseudonyms. The primary
// client's consent is still found, matched pseudonym to pseudonym
// (SubjectKey), and a pseudonym never matches a consent's BSN field.
TEST(ShareItemTest, ConsentOfPrimaryClientIsMatchedOnItsPseudonymInAStoredCase) {
  v1::Case c = t::ResearchCase();
  for (v1::CaseClient& client : *c.mutable_clients()) {
    client.set_subject_pseudonym("pseudonym-of-" + client.bsn());
    client.clear_bsn();
  }
  for (v1::Consent& consent : *c.mutable_consents()) {
    consent.set_subject_pseudonym("pseudonym-of-" + consent.subject_bsn());
    consent.clear_subject_bsn();
  }
  const v1::Conference conference = ConferenceOf(c, t::kMunicipalityOin, {t::kGgzOin});
  auto share = [&](const v1::Case& stored) {
    return t::TestPolicy().DecideShareItem(
        {.case_snapshot = stored,
         .conference = conference,
         .supplier = &t::PartyByOin(t::kGgzOin),
         .professional_id = "behandelaar",
         .item = Item(t::kGgzOin, {t::kMunicipalityOin}, {"treatment_summary"}),
         .language = kEn});
  };
  const v1::Decision matched = share(c);
  ASSERT_TRUE(matched.allowed()) << matched.DebugString();
  ASSERT_EQ(matched.consent_basis_size(), 1);
  EXPECT_EQ(matched.consent_basis(0).consent_id(), "consent-1");
  EXPECT_EQ(t::FindObligation(matched, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT), nullptr);

  // The pseudonym put where a BSN belongs (what the broker once did) is not
  // matched: the consent holds no pseudonym of that person any more.
  for (v1::Consent& consent : *c.mutable_consents()) {
    consent.set_subject_bsn(consent.subject_pseudonym());
    consent.clear_subject_pseudonym();
  }
  const v1::Decision unmatched = share(c);
  ASSERT_EQ(unmatched.consent_basis_size(), 1);
  EXPECT_FALSE(unmatched.consent_basis(0).explicit_consent());
  EXPECT_NE(t::FindObligation(unmatched, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT), nullptr);
}

TEST(SubjectKeyTest, ComparesOnTheFieldOfItsKind) {
  v1::Consent consent;
  consent.set_subject_bsn("111222333");
  consent.set_subject_pseudonym("p-1");
  EXPECT_TRUE(SubjectKey::Bsn("111222333").Matches(consent));
  EXPECT_TRUE(SubjectKey::Pseudonym("p-1").Matches(consent));
  EXPECT_FALSE(SubjectKey::Pseudonym("111222333").Matches(consent));
  EXPECT_FALSE(SubjectKey::Bsn("p-1").Matches(consent));

  v1::CaseClient stored;
  stored.set_subject_pseudonym("p-1");
  EXPECT_EQ(SubjectKey::Of(stored).kind(), SubjectKey::Kind::kPseudonym);
  EXPECT_TRUE(SubjectKey::Of(stored).Matches(consent));
  v1::CaseClient reidentified = stored;
  reidentified.set_bsn("111222333");
  EXPECT_EQ(SubjectKey::Of(reidentified).kind(), SubjectKey::Kind::kBsn);
  EXPECT_TRUE(SubjectKey::Of(reidentified).Matches(reidentified));
}

TEST(SubjectKeyTest, AnEmptyKeyMatchesNobody) {
  v1::Consent anonymous;  // neither a BSN nor a pseudonym
  v1::CaseClient nobody;
  EXPECT_FALSE(SubjectKey().Matches(anonymous));
  EXPECT_FALSE(SubjectKey::Bsn("").Matches(anonymous));
  EXPECT_FALSE(SubjectKey::Pseudonym("").Matches(nobody));
  EXPECT_FALSE(SubjectKey::Of(nobody).Matches(nobody));
}

}  // namespace
}  // namespace wams::policy

namespace wams::policy {
namespace {

namespace t = ::wams::policy::testing;

struct GroundCase {
  std::string name;
  std::vector<v1::SocialLaw> laws;
  std::vector<v1::Domain> adjacent;
  v1::CoordinationGround ground;
};

void PrintTo(const GroundCase& row, std::ostream* os) { *os << row.name; }

class CoordinationGroundTest : public ::testing::TestWithParam<GroundCase> {};

// The same reading of R12 as DecideStartCoordination: a ground passes R12,
// COORDINATION_GROUND_NONE fails it.
TEST_P(CoordinationGroundTest, GroundOfTheCaseAgreesWithR12) {
  v1::Case c = t::ResearchCase();
  c.clear_social_laws();
  c.clear_adjacent_domains();
  for (v1::SocialLaw law : GetParam().laws) c.add_social_laws(law);
  for (v1::Domain domain : GetParam().adjacent) c.add_adjacent_domains(domain);
  EXPECT_EQ(CoordinationGroundOf(c), GetParam().ground);
  v1::Coordination coordination;
  coordination.mutable_designated()->set_party_oin(t::kMunicipalityOin);
  coordination.mutable_designated()->set_professional_id("coord-1");
  const v1::Decision decision =
      t::TestPolicy().DecideStartCoordination({.case_snapshot = c,
                                               .requester = &t::PartyByOin(t::kMunicipalityOin),
                                               .professional_id = t::kProfessional,
                                               .coordination = coordination,
                                               .language = v1::LANGUAGE_ENGLISH});
  EXPECT_EQ(t::HasFailed(decision, "R12"), GetParam().ground == v1::COORDINATION_GROUND_NONE);
}

INSTANTIATE_TEST_SUITE_P(Grounds, CoordinationGroundTest,
                         ::testing::Values(GroundCase{"TwoLawsAreADuty",
                                                      {v1::SOCIAL_LAW_WMO_2015, v1::SOCIAL_LAW_WGS},
                                                      {},
                                                      v1::COORDINATION_GROUND_DUTY},
                                           GroundCase{"OneLawTwiceIsNoDuty",
                                                      {v1::SOCIAL_LAW_WGS, v1::SOCIAL_LAW_WGS},
                                                      {},
                                                      v1::COORDINATION_GROUND_NONE},
                                           GroundCase{"OneLawAndAnAdjacentDomainAreAPower",
                                                      {v1::SOCIAL_LAW_WGS},
                                                      {v1::DOMAIN_HOUSING},
                                                      v1::COORDINATION_GROUND_POWER},
                                           GroundCase{"TheSocialDomainIsNoAdjacentDomain",
                                                      {v1::SOCIAL_LAW_WGS},
                                                      {v1::DOMAIN_SOCIAL},
                                                      v1::COORDINATION_GROUND_NONE},
                                           GroundCase{"AdjacentDomainsWithoutALawAreNoGround",
                                                      {},
                                                      {v1::DOMAIN_HOUSING, v1::DOMAIN_EDUCATION},
                                                      v1::COORDINATION_GROUND_NONE}),
                         [](const ::testing::TestParamInfo<GroundCase>& row_info) {
                           return row_info.param.name;
                         });

TEST(CoordinatorKindTest, FollowsTheCoordinationOfTheCase) {
  v1::Case c = t::ResearchCase();
  EXPECT_EQ(CoordinatorKindOf(c), v1::COORDINATOR_KIND_UNSPECIFIED);
  c.mutable_coordination()->mutable_designated()->set_party_oin(c.municipality_oin());
  EXPECT_EQ(CoordinatorKindOf(c), v1::COORDINATOR_KIND_MUNICIPALITY);
  c.mutable_coordination()->mutable_designated()->set_party_oin(t::kSchoolOin);
  EXPECT_EQ(CoordinatorKindOf(c), v1::COORDINATOR_KIND_INVOLVED_PARTY);
  c.mutable_coordination()->mutable_self()->set_by("mantelzorger");
  EXPECT_EQ(CoordinatorKindOf(c), v1::COORDINATOR_KIND_SELF);
}

}  // namespace
}  // namespace wams::policy
