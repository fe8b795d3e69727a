// RefusalCode: one code per set of failed rules, authority winning over state
// (issue 16 point 5), and every rule of the table classed.
#include "policy/refusal_code.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "policy/rules.h"

namespace wams::policy {
namespace {

v1::Decision Failing(const std::vector<std::string>& ids) {
  v1::Decision decision;
  for (const std::string& id : ids) {
    v1::RuleResult* rule = decision.add_rules();
    rule->set_rule_id(id);
    rule->set_article("art.");
    rule->set_outcome(v1::RULE_OUTCOME_FAILED);
    rule->set_message("why");
    decision.add_failed_rule_ids(id);
  }
  return decision;
}

TEST(RefusalCodeTest, StateRulesAloneAreFailedPrecondition) {
  EXPECT_EQ(RefusalCode(Failing({"R02"})), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(RefusalCode(Failing({"R10"})), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(RefusalCode(Failing({"R10", "R13"})), absl::StatusCode::kFailedPrecondition);
}

TEST(RefusalCodeTest, AnyAuthorityRuleMakesItPermissionDeniedWhateverTheOrder) {
  EXPECT_EQ(RefusalCode(Failing({"R10", "R13", "R12"})), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(RefusalCode(Failing({"R04", "R10"})), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(RefusalCode(Failing({"R10", "R04"})), absl::StatusCode::kPermissionDenied);
  // The outsider's view always fails R09: the same code whether or not the case exists.
  EXPECT_EQ(RefusalCode(Failing({"R09", "R10"})), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(RefusalCode(Failing({"R09", "R22"})), absl::StatusCode::kPermissionDenied);
}

TEST(RefusalCodeTest, UnknownRuleOrNoFailureDenies) {
  EXPECT_EQ(RefusalCode(Failing({"R10", "R99"})), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(RefusalCode(v1::Decision()), absl::StatusCode::kPermissionDenied);
}

TEST(RefusalCodeTest, OnlyR02R10AndR13AreStateRules) {
  std::vector<std::string> state;
  for (const RuleInfo& rule : RuleTable()) {
    if (rule.refusal_class == RefusalClass::kState) state.emplace_back(rule.id);
    EXPECT_EQ(FindRule(rule.id), &rule);
  }
  EXPECT_EQ(state, (std::vector<std::string>{"R02", "R10", "R13"}));
  EXPECT_EQ(FindRule("R99"), nullptr);
}

TEST(RefusalCodeTest, StatusNamesEveryFailedRuleWithItsMessage) {
  const absl::Status status = RefusalStatus(Failing({"R10", "R13"}));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "refused by R10, R13: R10 (art.): why; R13 (art.): why");
}

}  // namespace
}  // namespace wams::policy
