#include "policy/refusal_code.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "policy/rules.h"

namespace wams::policy {

absl::StatusCode RefusalCode(const v1::Decision& decision) {
  if (decision.failed_rule_ids().empty()) return absl::StatusCode::kPermissionDenied;
  for (const std::string& id : decision.failed_rule_ids()) {
    const RuleInfo* rule = FindRule(id);
    if (rule == nullptr || rule->refusal_class == RefusalClass::kAuthority) {
      return absl::StatusCode::kPermissionDenied;
    }
  }
  return absl::StatusCode::kFailedPrecondition;
}

std::string RefusalSummary(const v1::Decision& decision) {
  std::vector<std::string> parts;
  for (const v1::RuleResult& rule : decision.rules()) {
    if (rule.outcome() == v1::RULE_OUTCOME_FAILED) {
      parts.push_back(absl::StrCat(rule.rule_id(), " (", rule.article(), "): ", rule.message()));
    }
  }
  return absl::StrCat("refused by ", absl::StrJoin(decision.failed_rule_ids(), ", "), ": ",
                      absl::StrJoin(parts, "; "));
}

absl::Status RefusalStatus(const v1::Decision& decision) {
  return absl::Status(RefusalCode(decision), RefusalSummary(decision));
}

}  // namespace wams::policy
