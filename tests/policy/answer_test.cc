// Table tests for Policy::CheckAnswer: R16 (well-formed outcome), R17
// (good-care statement where placed), R18 (legal basis where placed).
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

constexpr v1::RuleOutcome kPassed = v1::RULE_OUTCOME_PASSED;
constexpr v1::RuleOutcome kFailed = v1::RULE_OUTCOME_FAILED;
constexpr v1::RuleOutcome kNotApplicable = v1::RULE_OUTCOME_NOT_APPLICABLE;

// A granted request to GGZ for both categories about the agreed family member:
// no consent on record, so the treatment summary carries a good-care obligation.
v1::Decision CareDecision() {
  Scenario s;
  s.subject_bsn = t::kAgreedFamilyBsn;
  s.categories = {"treatment_summary", "appointments"};
  v1::Decision decision = t::TestPolicy().Decide(s.Input());
  EXPECT_TRUE(decision.allowed());
  return decision;
}

// A granted request to the police: legal-basis obligation.
v1::Decision PoliceDecision() {
  Scenario s;
  s.target = t::PartyByOin(t::kPoliceOin);
  s.categories = {"incidents"};
  v1::Decision decision = t::TestPolicy().Decide(s.Input());
  EXPECT_TRUE(decision.allowed());
  return decision;
}

void AddData(v1::ProviderResponse& answer, std::string category) {
  v1::CategoryData* data = answer.add_data();
  data->set_category(std::move(category));
  data->set_content(R"({"ok":true})");
  data->set_content_type("application/json");
}

v1::ProviderResponse FullCareAnswer() {
  v1::ProviderResponse answer;
  answer.set_status(v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  AddData(answer, "treatment_summary");
  AddData(answer, "appointments");
  answer.set_good_care_statement("Noodzakelijk voor de veiligheid van de cliënt");
  return answer;
}

struct AnswerCase {
  std::string name;
  std::function<v1::Decision()> decision;
  std::function<void(v1::ProviderResponse&)> answer;  // changes FullCareAnswer()
  std::string rule_id;
  v1::RuleOutcome outcome;
  bool delivered;
};

// Test names, not bytes, in failure output.
void PrintTo(const AnswerCase& row, std::ostream* os) { *os << row.name; }

std::vector<AnswerCase> Cases() {
  return {
      // R16
      {"DeliversFullAnswer", CareDecision, [](v1::ProviderResponse&) {}, "R16", kPassed, true},
      {"BlocksAnswerWithoutStatus", CareDecision,
       [](v1::ProviderResponse& a) { a.set_status(v1::PROVIDER_ANSWER_STATUS_UNSPECIFIED); }, "R16",
       kFailed, false},
      {"DeliversRefusalWithWeightyReasons", CareDecision,
       [](v1::ProviderResponse& a) {
         a.Clear();
         a.set_status(v1::PROVIDER_ANSWER_STATUS_REFUSED);
         a.set_refusal_reasons("Lopende crisisbehandeling");
       },
       "R16", kPassed, true},
      {"BlocksRefusalWithoutReasons", CareDecision,
       [](v1::ProviderResponse& a) {
         a.Clear();
         a.set_status(v1::PROVIDER_ANSWER_STATUS_REFUSED);
       },
       "R16", kFailed, false},
      {"BlocksRefusalCarryingData", CareDecision,
       [](v1::ProviderResponse& a) {
         a.set_status(v1::PROVIDER_ANSWER_STATUS_REFUSED);
         a.set_refusal_reasons("Geen");
       },
       "R16", kFailed, false},
      {"DeliversPartialAnswerListingWithheldCategories", CareDecision,
       [](v1::ProviderResponse& a) {
         a.set_status(v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED);
         a.mutable_data()->RemoveLast();
         a.add_withheld_categories("appointments");
         a.set_refusal_reasons("Agenda valt onder derden");
       },
       "R16", kPassed, true},
      {"BlocksPartialAnswerWithoutWithheldCategories", CareDecision,
       [](v1::ProviderResponse& a) {
         a.set_status(v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED);
         a.mutable_data()->RemoveLast();
         a.set_refusal_reasons("Agenda valt onder derden");
       },
       "R16", kFailed, false},
      {"BlocksPartialAnswerWithoutReasons", CareDecision,
       [](v1::ProviderResponse& a) {
         a.set_status(v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED);
         a.mutable_data()->RemoveLast();
         a.add_withheld_categories("appointments");
       },
       "R16", kFailed, false},
      {"BlocksCategoryBothProvidedAndWithheld", CareDecision,
       [](v1::ProviderResponse& a) {
         a.set_status(v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED);
         a.add_withheld_categories("appointments");
         a.set_refusal_reasons("Deels");
       },
       "R16", kFailed, false},
      {"BlocksUnrequestedCategory", CareDecision,
       [](v1::ProviderResponse& a) { AddData(a, "diagnosis"); }, "R16", kFailed, false},
      {"BlocksDuplicateCategory", CareDecision,
       [](v1::ProviderResponse& a) { AddData(a, "appointments"); }, "R16", kFailed, false},
      {"BlocksFullAnswerMissingACategory", CareDecision,
       [](v1::ProviderResponse& a) { a.mutable_data()->RemoveLast(); }, "R16", kFailed, false},
      {"BlocksAnswerToRefusedRequest",
       [] {
         Scenario s;
         s.purpose = v1::PURPOSE_FRAUD_CONTROL;
         return t::TestPolicy().Decide(s.Input());
       },
       [](v1::ProviderResponse&) {}, "R16", kFailed, false},

      // R17
      {"DeliversWithGoodCareStatementWherePlaced", CareDecision, [](v1::ProviderResponse&) {},
       "R17", kPassed, true},
      {"BlocksMissingGoodCareStatement", CareDecision,
       [](v1::ProviderResponse& a) { a.clear_good_care_statement(); }, "R17", kFailed, false},
      {"NeedsNoGoodCareStatementWhenObligatedCategoryWithheld", CareDecision,
       [](v1::ProviderResponse& a) {
         a.set_status(v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED);
         a.clear_data();
         AddData(a, "appointments");
         a.add_withheld_categories("treatment_summary");
         a.set_refusal_reasons("Geen toestemming en geen noodzaak");
         a.clear_good_care_statement();
       },
       "R17", kPassed, true},
      {"R17DoesNotApplyWithoutObligation",
       [] {
         Scenario s;  // consent on record
         return t::TestPolicy().Decide(s.Input());
       },
       [](v1::ProviderResponse& a) {
         a.mutable_data()->RemoveLast();
         a.clear_good_care_statement();
       },
       "R17", kNotApplicable, true},

      // R18
      {"DeliversPoliceDataWithLegalBasis", PoliceDecision,
       [](v1::ProviderResponse& a) {
         a.Clear();
         a.set_status(v1::PROVIDER_ANSWER_STATUS_PROVIDED);
         AddData(a, "incidents");
         a.set_legal_basis("art. 19 Wpg");
       },
       "R18", kPassed, true},
      {"BlocksPoliceDataWithoutLegalBasis", PoliceDecision,
       [](v1::ProviderResponse& a) {
         a.Clear();
         a.set_status(v1::PROVIDER_ANSWER_STATUS_PROVIDED);
         AddData(a, "incidents");
       },
       "R18", kFailed, false},
      {"R18DoesNotApplyToCareData", CareDecision, [](v1::ProviderResponse&) {}, "R18",
       kNotApplicable, true},
  };
}

class AnswerRuleTest : public ::testing::TestWithParam<AnswerCase> {};

TEST_P(AnswerRuleTest, RuleOutcome) {
  const AnswerCase& row = GetParam();
  const v1::Decision decision = row.decision();
  v1::ProviderResponse answer = FullCareAnswer();
  row.answer(answer);
  const v1::Decision verdict = t::TestPolicy().CheckAnswer(decision, answer, v1::LANGUAGE_ENGLISH);
  const v1::RuleResult* rule = t::FindRule(verdict, row.rule_id);
  ASSERT_NE(rule, nullptr) << verdict.DebugString();
  EXPECT_EQ(rule->outcome(), row.outcome) << rule->message();
  EXPECT_EQ(t::HasFailed(verdict, row.rule_id), row.outcome == v1::RULE_OUTCOME_FAILED);
  EXPECT_EQ(verdict.allowed(), row.delivered) << verdict.DebugString();
  EXPECT_EQ(verdict.rules_size(), 3);  // R16, R17, R18 always cited
}

INSTANTIATE_TEST_SUITE_P(Answers, AnswerRuleTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<AnswerCase>& row_info) {
                           return row_info.param.name;
                         });

TEST(CheckAnswerTest, NamesUnrequestedCategoryInMessage) {
  v1::ProviderResponse answer = FullCareAnswer();
  AddData(answer, "diagnosis");
  const v1::Decision verdict =
      t::TestPolicy().CheckAnswer(CareDecision(), answer, v1::LANGUAGE_ENGLISH);
  EXPECT_EQ(t::FindRule(verdict, "R16")->message(),
            "The answer holds a category that was not requested: \"diagnosis\"");
  EXPECT_EQ(
      std::vector<std::string>(verdict.failed_rule_ids().begin(), verdict.failed_rule_ids().end()),
      std::vector<std::string>{"R16"});
}

TEST(CheckAnswerTest, ListsEveryFailedRule) {
  Scenario s;
  s.subject_bsn = t::kAgreedFamilyBsn;
  s.target = t::PartyByOin(t::kPoliceOin);
  s.categories = {"incidents"};
  const v1::Decision police = t::TestPolicy().Decide(s.Input());
  v1::ProviderResponse answer;
  answer.set_status(v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  AddData(answer, "incidents");
  AddData(answer, "diagnosis");
  const v1::Decision verdict = t::TestPolicy().CheckAnswer(police, answer, v1::LANGUAGE_DUTCH);
  EXPECT_FALSE(verdict.allowed());
  EXPECT_EQ(
      std::vector<std::string>(verdict.failed_rule_ids().begin(), verdict.failed_rule_ids().end()),
      (std::vector<std::string>{"R16", "R18"}));
  EXPECT_EQ(verdict.language(), v1::LANGUAGE_DUTCH);
}

}  // namespace
}  // namespace wams::policy
