// Table tests for Policy::Decide: for each rule, cases where it passes, fails
// or does not apply, asserting the rule ID and its outcome (not only the
// overall verdict).
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "policy/policy.h"
#include "tests/policy/policy_test_util.h"

namespace wams::policy {
namespace {

using testing::Scenario;
namespace t = ::wams::policy::testing;

struct RuleCase {
  std::string name;
  std::function<void(Scenario&)> change;
  std::string rule_id;
  v1::RuleOutcome outcome;
  bool allowed;
};

// Test names, not bytes, in failure output.
void PrintTo(const RuleCase& row, std::ostream* os) { *os << row.name; }

void Professional(Scenario& s, bool accepted, bool informed) {
  s.case_snapshot.set_origin(v1::CASE_ORIGIN_PROFESSIONAL_REQUEST);
  v1::ProfessionalRequest* request = s.case_snapshot.mutable_professional_request();
  request->set_requester_oin(t::kSchoolOin);
  request->set_professional_id("mentor-3");
  request->mutable_grounds()->set_persistent_problems(true);
  request->mutable_grounds()->set_coordinated_approach_expected(true);
  request->mutable_grounds()->set_reasons("Verzuim en signalen van schulden");
  if (accepted) {
    request->mutable_decision()->set_accepted(true);
    request->mutable_decision()->set_reason("Voldoet aan de criteria");
  }
  s.case_snapshot.set_client_informed(informed);
}

constexpr v1::RuleOutcome kPassed = v1::RULE_OUTCOME_PASSED;
constexpr v1::RuleOutcome kFailed = v1::RULE_OUTCOME_FAILED;
constexpr v1::RuleOutcome kNotApplicable = v1::RULE_OUTCOME_NOT_APPLICABLE;

std::vector<RuleCase> Cases() {
  return {
      // R02: a professional-initiated case needs acceptance and an informed client.
      {"AllowsProfessionalCaseAcceptedAndClientInformed",
       [](Scenario& s) { Professional(s, true, true); }, "R02", kPassed, true},
      {"DeniesProfessionalCaseNotYetAccepted", [](Scenario& s) { Professional(s, false, true); },
       "R02", kFailed, false},
      {"DeniesProfessionalCaseClientNotInformed", [](Scenario& s) { Professional(s, true, false); },
       "R02", kFailed, false},
      {"R02DoesNotApplyToClientCase", [](Scenario&) {}, "R02", kNotApplicable, true},

      // R04: the client's scope.
      {"AllowsTargetDomainInClientScope", [](Scenario&) {}, "R04", kPassed, true},
      {"DeniesRequestOutsideClientScope",
       [](Scenario& s) {
         s.case_snapshot.mutable_scope()->clear_domains_in();
         s.case_snapshot.mutable_scope()->add_domains_in(v1::DOMAIN_POLICE);
       },
       "R04", kFailed, false},
      {"DeniesRequestToExcludedDomainEvenWhenAlsoIncluded",
       [](Scenario& s) {
         s.case_snapshot.mutable_scope()->add_domains_out(v1::DOMAIN_MENTAL_HEALTH);
       },
       "R04", kFailed, false},
      {"DeniesExcludedDomainInProfessionalCase",
       [](Scenario& s) {
         Professional(s, true, true);
         s.case_snapshot.mutable_scope()->add_domains_out(v1::DOMAIN_MENTAL_HEALTH);
       },
       "R04", kFailed, false},
      {"AllowsUnlistedDomainInProfessionalCase",
       [](Scenario& s) {
         Professional(s, true, true);
         s.case_snapshot.mutable_scope()->clear_domains_in();
       },
       "R04", kPassed, true},

      // R06: step by step.
      {"AllowsNamedCategoriesOfferedByTarget",
       [](Scenario& s) {
         s.categories = {"treatment_summary", "appointments"};
       },
       "R06", kPassed, true},
      {"DeniesRequestWithoutCategories", [](Scenario& s) { s.categories.clear(); }, "R06", kFailed,
       false},
      {"DeniesWildcardCategory", [](Scenario& s) { s.categories = {"*"}; }, "R06", kFailed, false},
      {"DeniesEverythingCategory",
       [](Scenario& s) {
         s.categories = {"appointments", "ALL"};
       },
       "R06", kFailed, false},
      {"DeniesCategoryNotOfferedByTarget", [](Scenario& s) { s.categories = {"attendance"}; },
       "R06", kFailed, false},
      {"DeniesDuplicateCategory",
       [](Scenario& s) {
         s.categories = {"appointments", "appointments"};
       },
       "R06", kFailed, false},
      {"DeniesBlankJustification", [](Scenario& s) { s.justification = " \t\n"; }, "R06", kFailed,
       false},

      // R07: allowed purposes.
      {"AllowsResearchPurpose", [](Scenario&) {}, "R07", kPassed, true},
      {"AllowsCaseConferencePurposeInResearch",
       [](Scenario& s) { s.purpose = v1::PURPOSE_CASE_CONFERENCE; }, "R07", kPassed, true},
      {"DeniesUnspecifiedPurpose", [](Scenario& s) { s.purpose = v1::PURPOSE_UNSPECIFIED; }, "R07",
       kFailed, false},
      {"DeniesUnknownPurposeValue", [](Scenario& s) { s.purpose = static_cast<v1::Purpose>(42); },
       "R07", kFailed, false},

      // R08: forbidden purposes.
      {"R08PassesForResearch", [](Scenario&) {}, "R08", kPassed, true},
      {"DeniesCriminalInvestigation",
       [](Scenario& s) { s.purpose = v1::PURPOSE_CRIMINAL_INVESTIGATION; }, "R08", kFailed, false},
      {"DeniesFraudControl", [](Scenario& s) { s.purpose = v1::PURPOSE_FRAUD_CONTROL; }, "R08",
       kFailed, false},
      {"FraudControlAlsoFailsR07", [](Scenario& s) { s.purpose = v1::PURPOSE_FRAUD_CONTROL; },
       "R07", kFailed, false},

      // R09: one client of one open case.
      {"AllowsSubjectWhoIsClientOfOpenCase", [](Scenario&) {}, "R09", kPassed, true},
      {"DeniesRequestWithoutCase", [](Scenario& s) { s.has_case = false; }, "R09", kFailed, false},
      {"DeniesSubjectNotInCase", [](Scenario& s) { s.subject_bsn = t::kStrangerBsn; }, "R09",
       kFailed, false},
      {"DeniesSubjectWithInvalidBsn", [](Scenario& s) { s.subject_bsn = "123456789"; }, "R09",
       kFailed, false},
      {"DeniesWildcardSubject", [](Scenario& s) { s.subject_bsn = "*"; }, "R09", kFailed, false},
      {"DeniesMultiPersonSubject", [](Scenario& s) { s.subject_bsn = "111222333,123456782"; },
       "R09", kFailed, false},
      {"DeniesEmptySubject", [](Scenario& s) { s.subject_bsn.clear(); }, "R09", kFailed, false},
      {"DeniesRequestInClosedCaseUnderR09",
       [](Scenario& s) { s.case_snapshot.set_phase(v1::CASE_PHASE_CLOSED); }, "R09", kFailed,
       false},
      {"DeniesRequestInDeclinedCase",
       [](Scenario& s) { s.case_snapshot.set_phase(v1::CASE_PHASE_DECLINED); }, "R09", kFailed,
       false},

      // R10: phase and role.
      {"AllowsMunicipalityResearchInResearchPhase", [](Scenario&) {}, "R10", kPassed, true},
      {"DeniesResearchRequestByProvider",
       [](Scenario& s) { s.requester = t::PartyByOin(t::kSchoolOin); }, "R10", kFailed, false},
      {"DeniesResearchRequestByOtherMunicipality",
       [](Scenario& s) { s.requester.set_oin(t::kOtherMunicipalityOin); }, "R10", kFailed, false},
      {"DeniesResearchRequestDuringCoordination",
       [](Scenario& s) { s.case_snapshot = t::CoordinationCase(); }, "R10", kFailed, false},
      {"DeniesRequestAfterCaseClosed",
       [](Scenario& s) { s.case_snapshot.set_phase(v1::CASE_PHASE_CLOSED); }, "R10", kFailed,
       false},
      {"DeniesRequestAwaitingMunicipalityDecision",
       [](Scenario& s) {
         Professional(s, false, false);
         s.case_snapshot.set_phase(v1::CASE_PHASE_AWAITING_DECISION);
       },
       "R10", kFailed, false},
      {"AllowsCoordinationRequestFromDesignatedCoordinator",
       [](Scenario& s) { s.MakeCoordination(); }, "R10", kPassed, true},
      {"DeniesCoordinationRequestFromOtherProfessionalOfCoordinatorParty",
       [](Scenario& s) {
         s.MakeCoordination();
         s.professional_id = "teacher-2";
       },
       "R10", kFailed, false},
      {"DeniesCoordinationRequestFromMunicipalityWhenOtherCoordinator",
       [](Scenario& s) {
         s.MakeCoordination();
         s.requester = t::PartyByOin(t::kMunicipalityOin);
       },
       "R10", kFailed, false},
      {"DeniesCoordinationRequestDuringResearch",
       [](Scenario& s) {
         s.MakeCoordination();
         s.case_snapshot.set_phase(v1::CASE_PHASE_RESEARCH);
       },
       "R10", kFailed, false},
      {"AllowsConferenceRequestFromCoordinatorDuringCoordination",
       [](Scenario& s) {
         s.MakeCoordination();
         s.purpose = v1::PURPOSE_CASE_CONFERENCE;
       },
       "R10", kPassed, true},

      // R11: family members must have agreed.
      {"AllowsFamilyMemberWhoAgreed", [](Scenario& s) { s.subject_bsn = t::kAgreedFamilyBsn; },
       "R11", kPassed, true},
      {"DeniesFamilyMemberWhoDidNotAgree",
       [](Scenario& s) { s.subject_bsn = t::kRefusedFamilyBsn; }, "R11", kFailed, false},
      {"R11DoesNotApplyToPrimaryClient", [](Scenario&) {}, "R11", kNotApplicable, true},

      // R12: duty or power to coordinate.
      {"AllowsCoordinationUnderDutyWithTwoSocialLaws", [](Scenario& s) { s.MakeCoordination(); },
       "R12", kPassed, true},
      {"AllowsCoordinationUnderPowerWithOneLawAndAdjacentDomain",
       [](Scenario& s) {
         s.MakeCoordination();
         s.case_snapshot.clear_social_laws();
         s.case_snapshot.add_social_laws(v1::SOCIAL_LAW_WGS);
       },
       "R12", kPassed, true},
      {"DeniesCoordinationWithOneLawAndNoAdjacentDomain",
       [](Scenario& s) {
         s.MakeCoordination();
         s.case_snapshot.clear_social_laws();
         s.case_snapshot.add_social_laws(v1::SOCIAL_LAW_WGS);
         s.case_snapshot.clear_adjacent_domains();
       },
       "R12", kFailed, false},
      {"DeniesCoordinationWhenSameLawListedTwice",
       [](Scenario& s) {
         s.MakeCoordination();
         s.case_snapshot.clear_social_laws();
         s.case_snapshot.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
         s.case_snapshot.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
         s.case_snapshot.clear_adjacent_domains();
       },
       "R12", kFailed, false},
      {"R12DoesNotApplyToResearch", [](Scenario&) {}, "R12", kNotApplicable, true},

      // R13: designated coordinator, not self-coordination.
      {"AllowsCoordinationWithDesignatedCoordinator", [](Scenario& s) { s.MakeCoordination(); },
       "R13", kPassed, true},
      {"DeniesCoordinationRequestUnderSelfCoordination",
       [](Scenario& s) {
         s.MakeCoordination();
         s.case_snapshot.mutable_coordination()->mutable_self()->set_by("mantelzorger");
       },
       "R13", kFailed, false},
      {"DeniesCoordinationRequestWithoutCoordinator",
       [](Scenario& s) {
         s.MakeCoordination();
         s.case_snapshot.clear_coordination();
       },
       "R13", kFailed, false},

      // R16: obligations on the provider (never fails at request time).
      {"PlacesR16ObligationsOnDataRequest", [](Scenario&) {}, "R16", kPassed, true},

      // R17, R18: obligations; their failures are judged on the answer.
      {"R17PassesWithExplicitConsent", [](Scenario&) {}, "R17", kPassed, true},
      {"R17DoesNotApplyToUnprotectedCategory", [](Scenario& s) { s.categories = {"appointments"}; },
       "R17", kNotApplicable, true},
      {"R18PassesWithLegalBasisObligationForPoliceData",
       [](Scenario& s) {
         s.target = t::PartyByOin(t::kPoliceOin);
         s.categories = {"incidents"};
       },
       "R18", kPassed, true},
      {"R18DoesNotApplyWithoutPoliceOrJusticeData", [](Scenario&) {}, "R18", kNotApplicable, true},

      // R19: the BSN to a party that may process it; the identifying
      // details to any other, which is refused without enough of them.
      {"ForwardsBsnToPartyThatMayProcessIt", [](Scenario&) {}, "R19", kPassed, true},
      {"NeedsNoDetailsForPartyThatMayProcessTheBsn", [](Scenario& s) { s.subject_details.Clear(); },
       "R19", kPassed, true},
      {"AllowsPartyWithoutBsnWithItsClientNumber",
       [](Scenario& s) {
         s.target = t::PartyByOin(t::kSchoolOin);
         s.categories = {"attendance"};
       },
       "R19", kPassed, true},
      {"AllowsPartyWithoutBsnWithNameDateOfBirthAndAddress",
       [](Scenario& s) {
         s.target = t::PartyByOin(t::kSchoolOin);
         s.categories = {"attendance"};
         s.subject_details = t::NameAndAddressDetails();
       },
       "R19", kPassed, true},
      {"DeniesPartyWithoutBsnWithoutDetails",
       [](Scenario& s) {
         s.target = t::PartyByOin(t::kSchoolOin);
         s.categories = {"attendance"};
         s.subject_details.Clear();
       },
       "R19", kFailed, false},
      {"DeniesPartyWithoutBsnWithNameAndAddressButNoDateOfBirth",
       [](Scenario& s) {
         s.target = t::PartyByOin(t::kSchoolOin);
         s.categories = {"attendance"};
         s.subject_details = t::NameAndAddressDetails();
         s.subject_details.clear_date_of_birth();
       },
       "R19", kFailed, false},
      {"DeniesPartyWithoutBsnWithBlankClientNumberOnly",
       [](Scenario& s) {
         s.target = t::PartyByOin(t::kSchoolOin);
         s.categories = {"attendance"};
         s.subject_details.set_party_client_number("  ");
       },
       "R19", kFailed, false},
      {"DeniesShareToPartyWithoutBsnWithoutDetails",
       [](Scenario& s) {
         s.kind = RequestKind::kShareData;
         s.target = t::PartyByOin(t::kSchoolOin);
         s.categories = {"wmo_services"};
         s.subject_details.Clear();
       },
       "R19", kFailed, false},

      // R21: the municipality shares with an involved party.
      {"AllowsShareWithInvolvedParty",
       [](Scenario& s) {
         s.kind = RequestKind::kShareData;
         s.target = t::PartyByOin(t::kSchoolOin);
         s.categories = {"wmo_services"};
       },
       "R21", kPassed, true},
      {"DeniesShareWithUninvolvedParty",
       [](Scenario& s) {
         s.kind = RequestKind::kShareData;
         s.target = t::PartyByOin(t::kPoliceOin);
         s.categories = {"wmo_services"};
       },
       "R21", kFailed, false},
      {"DeniesShareByProvider",
       [](Scenario& s) {
         s.kind = RequestKind::kShareData;
         s.requester = t::PartyByOin(t::kGgzOin);
         s.target = t::PartyByOin(t::kSchoolOin);
         s.categories = {"treatment_summary"};
       },
       "R21", kFailed, false},
      {"DeniesShareOfCategoryMunicipalityDoesNotOffer",
       [](Scenario& s) {
         s.kind = RequestKind::kShareData;
         s.target = t::PartyByOin(t::kSchoolOin);
         s.categories = {"attendance"};
       },
       "R06", kFailed, false},
      {"R21DoesNotApplyToDataRequest", [](Scenario&) {}, "R21", kNotApplicable, true},

      // R27: identification and roles.
      {"AllowsIdentifiedMunicipalityProfessional", [](Scenario&) {}, "R27", kPassed, true},
      {"DeniesAuditorAsRequester", [](Scenario& s) { s.requester = t::PartyByOin(t::kAuditorOin); },
       "R27", kFailed, false},
      {"DeniesAuditorAsTarget", [](Scenario& s) { s.target = t::PartyByOin(t::kAuditorOin); },
       "R27", kFailed, false},
      {"DeniesUnknownRequester", [](Scenario& s) { s.has_requester = false; }, "R27", kFailed,
       false},
      {"DeniesUnknownTarget", [](Scenario& s) { s.has_target = false; }, "R27", kFailed, false},
      {"DeniesMissingProfessionalId", [](Scenario& s) { s.professional_id.clear(); }, "R27",
       kFailed, false},
  };
}

class DecideRuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(DecideRuleTest, RuleOutcome) {
  const RuleCase& row = GetParam();
  Scenario scenario;
  row.change(scenario);
  const v1::Decision decision = t::TestPolicy().Decide(scenario.Input());

  const v1::RuleResult* rule = t::FindRule(decision, row.rule_id);
  ASSERT_NE(rule, nullptr) << row.rule_id << " not cited";
  EXPECT_EQ(rule->outcome(), row.outcome) << rule->message();
  EXPECT_FALSE(rule->article().empty());
  EXPECT_FALSE(rule->message().empty());
  EXPECT_EQ(t::HasFailed(decision, row.rule_id), row.outcome == v1::RULE_OUTCOME_FAILED);
  EXPECT_EQ(decision.allowed(), row.allowed) << decision.DebugString();
  if (!decision.allowed()) {
    EXPECT_GT(decision.failed_rule_ids_size(), 0);
    EXPECT_EQ(decision.obligations_size(), 0) << "obligations only on a granted request";
  }
}

INSTANTIATE_TEST_SUITE_P(Rules, DecideRuleTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<RuleCase>& row_info) {
                           return row_info.param.name;
                         });

// --- Behaviour beyond single rules -------------------------------------------------

TEST(DecideTest, CitesEveryRequestRuleExactlyOnceInIdOrder) {
  Scenario scenario;
  const v1::Decision decision = t::TestPolicy().Decide(scenario.Input());
  std::vector<std::string> ids;
  for (const v1::RuleResult& rule : decision.rules()) ids.push_back(rule.rule_id());
  EXPECT_EQ(ids,
            (std::vector<std::string>{"R02", "R04", "R06", "R07", "R08", "R09", "R10", "R11", "R12",
                                      "R13", "R16", "R17", "R18", "R19", "R21", "R27"}));
}

TEST(DecideTest, CitesR08EvenWhenOtherRulesAlsoFail) {
  Scenario scenario;
  scenario.has_case = false;
  scenario.categories = {"*"};
  scenario.purpose = v1::PURPOSE_CRIMINAL_INVESTIGATION;
  const v1::Decision decision = t::TestPolicy().Decide(scenario.Input());
  EXPECT_FALSE(decision.allowed());
  EXPECT_TRUE(t::HasFailed(decision, "R08"));
  EXPECT_TRUE(t::HasFailed(decision, "R07"));
  EXPECT_TRUE(t::HasFailed(decision, "R09"));
  EXPECT_TRUE(t::HasFailed(decision, "R06"));
}

TEST(DecideTest, PlacesGoodCareObligationWhenNoConsentOnRecord) {
  Scenario scenario;
  scenario.subject_bsn = t::kAgreedFamilyBsn;  // the consent on record is the client's, not theirs
  scenario.categories = {"treatment_summary", "appointments"};
  const v1::Decision decision = t::TestPolicy().Decide(scenario.Input());
  ASSERT_TRUE(decision.allowed()) << decision.DebugString();
  const v1::Obligation* good_care =
      t::FindObligation(decision, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT);
  ASSERT_NE(good_care, nullptr);
  EXPECT_EQ(good_care->rule_id(), "R17");
  EXPECT_EQ(
      std::vector<std::string>(good_care->categories().begin(), good_care->categories().end()),
      std::vector<std::string>{"treatment_summary"});
  ASSERT_EQ(decision.consent_basis_size(), 2);
  EXPECT_FALSE(decision.consent_basis(0).explicit_consent());
  EXPECT_EQ(decision.consent_basis(1).category(), "appointments");
}

TEST(DecideTest, RecordsConsentReliedOnAndPlacesNoGoodCareObligation) {
  Scenario scenario;
  const v1::Decision decision = t::TestPolicy().Decide(scenario.Input());
  ASSERT_TRUE(decision.allowed());
  EXPECT_EQ(t::FindObligation(decision, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT), nullptr);
  ASSERT_EQ(decision.consent_basis_size(), 1);
  EXPECT_TRUE(decision.consent_basis(0).explicit_consent());
  EXPECT_EQ(decision.consent_basis(0).consent_id(), "consent-1");
  EXPECT_NE(t::FindObligation(decision, v1::OBLIGATION_KIND_CONDITIONS_ALLOWED), nullptr);
  EXPECT_NE(t::FindObligation(decision, v1::OBLIGATION_KIND_WEIGHTY_REASONS_ALLOWED), nullptr);
}

TEST(DecideTest, WithdrawnConsentNoLongerCounts) {
  Scenario scenario;
  scenario.case_snapshot.mutable_consents(0)->mutable_withdrawn_at()->set_seconds(1700000100);
  const v1::Decision decision = t::TestPolicy().Decide(scenario.Input());
  ASSERT_TRUE(decision.allowed());
  EXPECT_NE(t::FindObligation(decision, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT), nullptr);
  EXPECT_FALSE(decision.consent_basis(0).explicit_consent());
  EXPECT_TRUE(decision.consent_basis(0).consent_id().empty());
}

TEST(DecideTest, ConsentForAnotherProviderDoesNotCount) {
  Scenario scenario;
  scenario.case_snapshot.mutable_consents(0)->set_provider_oin(t::kYouthCareOin);
  const v1::Decision decision = t::TestPolicy().Decide(scenario.Input());
  EXPECT_NE(t::FindObligation(decision, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT), nullptr);
}

TEST(DecideTest, PlacesGoodCareObligationForSkjCategory) {
  Scenario scenario;
  scenario.target = t::PartyByOin(t::kSchoolOin);
  scenario.categories = {"attendance", "care_plan"};  // care_plan is SKJ by catalogue
  const v1::Decision decision = t::TestPolicy().Decide(scenario.Input());
  ASSERT_TRUE(decision.allowed()) << decision.DebugString();
  const v1::Obligation* good_care =
      t::FindObligation(decision, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT);
  ASSERT_NE(good_care, nullptr);
  ASSERT_EQ(good_care->categories_size(), 1);
  EXPECT_EQ(good_care->categories(0), "care_plan");
}

TEST(DecideTest, PlacesLegalBasisObligationForJusticeData) {
  Scenario scenario;
  scenario.target = t::PartyByOin(t::kProbationOin);
  scenario.categories = {"supervision"};
  const v1::Decision decision = t::TestPolicy().Decide(scenario.Input());
  ASSERT_TRUE(decision.allowed()) << decision.DebugString();
  const v1::Obligation* basis = t::FindObligation(decision, v1::OBLIGATION_KIND_LEGAL_BASIS);
  ASSERT_NE(basis, nullptr);
  EXPECT_EQ(basis->rule_id(), "R18");
  EXPECT_EQ(basis->categories(0), "supervision");
  EXPECT_EQ(t::FindObligation(decision, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT), nullptr);
}

TEST(DecideTest, ForwardsBsnOnlyToPartiesThatMayProcessIt) {
  Scenario ggz;
  const v1::Decision to_ggz = t::TestPolicy().Decide(ggz.Input());
  EXPECT_TRUE(ForwardsBsn(to_ggz, ggz.target));
  // Data minimisation: the details the scenario carries are not sent.
  EXPECT_FALSE(ForwardsSubjectDetails(to_ggz, ggz.target));
  EXPECT_EQ(t::FindRule(to_ggz, "R19")->message(),
            "The party may process the BSN; the BSN is sent as the identifier. The identifying "
            "details supplied are not sent (data minimisation).");

  Scenario school;
  school.target = t::PartyByOin(t::kSchoolOin);
  school.categories = {"attendance"};
  const v1::Decision decision = t::TestPolicy().Decide(school.Input());
  EXPECT_TRUE(decision.allowed());
  EXPECT_FALSE(ForwardsBsn(decision, school.target));
  EXPECT_TRUE(ForwardsSubjectDetails(decision, school.target));
  EXPECT_EQ(t::FindRule(decision, "R19")->message(),
            "The party may not process the BSN; the BSN is withheld and the identifying details "
            "supplied are sent instead.");

  Scenario refused;
  refused.purpose = v1::PURPOSE_FRAUD_CONTROL;
  const v1::Decision no = t::TestPolicy().Decide(refused.Input());
  EXPECT_FALSE(ForwardsBsn(no, refused.target));
  EXPECT_FALSE(ForwardsSubjectDetails(no, refused.target));
}

TEST(DecideTest, RefusesPartyWithoutBsnNamingTheMissingDetailsNotTheirValues) {
  Scenario school;
  school.target = t::PartyByOin(t::kSchoolOin);
  school.categories = {"attendance"};
  school.subject_details = t::NameAndAddressDetails();
  school.subject_details.clear_postal_code();
  school.subject_details.clear_house_number();
  const v1::Decision decision = t::TestPolicy().Decide(school.Input());
  EXPECT_FALSE(decision.allowed());
  ASSERT_EQ(decision.failed_rule_ids_size(), 1) << decision.DebugString();
  EXPECT_EQ(decision.failed_rule_ids(0), "R19");
  const std::string& message = t::FindRule(decision, "R19")->message();
  EXPECT_NE(message.find("Missing: \"postal_code, house_number\""), std::string::npos) << message;
  EXPECT_EQ(message.find(school.subject_details.family_name()), std::string::npos) << message;
  EXPECT_FALSE(ForwardsBsn(decision, school.target));
  EXPECT_FALSE(ForwardsSubjectDetails(decision, school.target));
}

TEST(DecideTest, AcceptsCategoriesFromProtoRepeatedField) {
  Scenario scenario;
  google::protobuf::RepeatedPtrField<std::string> repeated;
  *repeated.Add() = "treatment_summary";
  *repeated.Add() = "appointments";
  DecisionInput in = scenario.Input();
  in.categories = repeated;
  const v1::Decision decision = t::TestPolicy().Decide(in);
  EXPECT_TRUE(decision.allowed());
  ASSERT_EQ(decision.consent_basis_size(), 2);
  EXPECT_EQ(decision.consent_basis(1).category(), "appointments");
}

TEST(DecideTest, SpeaksDutchByDefaultAndEnglishOnRequest) {
  Scenario scenario;
  scenario.language = v1::LANGUAGE_UNSPECIFIED;
  const v1::Decision dutch = t::TestPolicy().Decide(scenario.Input());
  EXPECT_EQ(dutch.language(), v1::LANGUAGE_DUTCH);
  EXPECT_EQ(t::FindRule(dutch, "R09")->message(),
            "Het verzoek betreft één persoon in één open casus.");
  scenario.language = v1::LANGUAGE_ENGLISH;
  const v1::Decision english = t::TestPolicy().Decide(scenario.Input());
  EXPECT_EQ(english.language(), v1::LANGUAGE_ENGLISH);
  EXPECT_EQ(t::FindRule(english, "R09")->message(),
            "The request concerns one person in one open case.");
}

TEST(DecideTest, FailureMessageNamesTheOffendingCategory) {
  Scenario scenario;
  scenario.categories = {"attendance"};
  const v1::Decision decision = t::TestPolicy().Decide(scenario.Input());
  EXPECT_EQ(t::FindRule(decision, "R06")->message(),
            "The party asked does not offer this category: \"attendance\"");
}

TEST(DecideTest, NeverPutsTheBsnInMessages) {
  Scenario scenario;
  scenario.subject_bsn = t::kStrangerBsn;
  const v1::Decision decision = t::TestPolicy().Decide(scenario.Input());
  EXPECT_EQ(decision.SerializeAsString().find(t::kStrangerBsn), std::string::npos);
}

TEST(DecideTest, CarriesThePolicyVersion) {
  Scenario scenario;
  const v1::Decision decision = t::TestPolicy().Decide(scenario.Input());
  EXPECT_EQ(decision.policy_version(), t::TestPolicy().version());
}

}  // namespace
}  // namespace wams::policy
