#include "policy/decision_view.h"

#include <algorithm>
#include <array>

#include "policy/internal/messages.h"

namespace wams::policy {
namespace {

// The rules a data request decision judges without looking at the case: the
// caller's own request (R06 categories and justification, R07/R08 purpose),
// the registry and the request (R19 the target's BSN permission and the
// identifying details supplied) and identities (R27).
constexpr std::array kCaseIndependent = {RuleId::kR06, RuleId::kR07, RuleId::kR08, RuleId::kR19,
                                         RuleId::kR27};

bool IsCaseIndependent(absl::string_view rule_id) {
  return std::any_of(kCaseIndependent.begin(), kCaseIndependent.end(),
                     [rule_id](RuleId rule) { return GetRule(rule).id == rule_id; });
}

internal::Msg OutsiderMessage(RuleId role_rule) {
  switch (role_rule) {
    case RuleId::kR22:
      return internal::Msg::kR22Outsider;
    case RuleId::kR25:
      return internal::Msg::kR25Outsider;
    default:
      return internal::Msg::kR10Outsider;
  }
}

void AddFixedFailure(v1::Decision& view, RuleId rule, internal::Msg message) {
  const RuleInfo& info = GetRule(rule);
  v1::RuleResult* result = view.add_rules();
  result->set_rule_id(std::string(info.id));
  result->set_article(std::string(info.article));
  result->set_outcome(v1::RULE_OUTCOME_FAILED);
  result->set_message(std::string(internal::Text(message, view.language())));
}

}  // namespace

bool MayKnowCaseFacts(const v1::Case* case_snapshot, const v1::Party* viewer) {
  if (case_snapshot == nullptr || viewer == nullptr || viewer->oin().empty()) return false;
  const std::string& oin = viewer->oin();
  if (viewer->role() == v1::PARTY_ROLE_MUNICIPALITY && oin == case_snapshot->municipality_oin()) {
    return true;
  }
  return case_snapshot->coordination().has_designated() &&
         case_snapshot->coordination().designated().party_oin() == oin;
}

RuleId RoleRuleOf(RequestKind kind) {
  switch (kind) {
    case RequestKind::kDataRequest:
    case RequestKind::kShareData:
      return RuleId::kR10;
  }
  return RuleId::kR10;  // not reached: -Wswitch names a kind added without a case
}

v1::Decision OutsiderView(const v1::Decision& decision, RuleId role_rule) {
  v1::Decision view;
  view.set_allowed(false);
  view.set_policy_version(decision.policy_version());
  view.set_language(decision.language());
  // Two fixed failures in place of everything the case decided: R09 (no
  // case this party may ask in; the truth whether or not the case exists)
  // and the role rule. Rules keep ID order, as in every decision.
  struct Fixed {
    RuleId rule;
    internal::Msg message;
    bool added = false;
  };
  Fixed fixed[] = {{RuleId::kR09, internal::Msg::kR09Outsider},
                   {role_rule, OutsiderMessage(role_rule)}};
  auto add_fixed_before = [&](absl::string_view rule_id) {
    for (Fixed& f : fixed) {
      if (!f.added && (rule_id.empty() || GetRule(f.rule).id < rule_id)) {
        AddFixedFailure(view, f.rule, f.message);
        f.added = true;
      }
    }
  };
  for (const v1::RuleResult& rule : decision.rules()) {
    if (!IsCaseIndependent(rule.rule_id())) continue;
    add_fixed_before(rule.rule_id());
    *view.add_rules() = rule;
  }
  add_fixed_before("");
  for (const v1::RuleResult& rule : view.rules()) {
    if (rule.outcome() == v1::RULE_OUTCOME_FAILED) view.add_failed_rule_ids(rule.rule_id());
  }
  return view;
}

v1::Decision RedactFor(const v1::Decision& decision, const v1::Case* case_snapshot,
                       const v1::Party* viewer, RuleId role_rule) {
  if (MayKnowCaseFacts(case_snapshot, viewer)) return decision;
  return OutsiderView(decision, role_rule);
}

v1::Decision DecisionAsReceipted(const v1::Receipt& receipt) {
  v1::Decision decision;
  decision.set_allowed(receipt.outcome() == v1::RECEIPT_OUTCOME_GRANTED);
  for (const std::string& id : receipt.failed_rule_ids()) {
    decision.add_failed_rule_ids(id);
    v1::RuleResult& result = *decision.add_rules();
    result.set_rule_id(id);
    result.set_outcome(v1::RULE_OUTCOME_FAILED);
    if (const RuleInfo* rule = FindRule(id); rule != nullptr) {
      result.set_article(std::string(rule->article));
      result.set_message(std::string(rule->title_en));
    }
  }
  *decision.mutable_obligations() = receipt.obligations();
  *decision.mutable_consent_basis() = receipt.consent_basis();
  decision.set_policy_version(receipt.policy_version());
  decision.set_language(v1::LANGUAGE_ENGLISH);
  return decision;
}

}  // namespace wams::policy
