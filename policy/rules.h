// rules.h: the table of Wams rules the policy checks, with their articles.
//
// Every RuleResult in a Decision carries one of these IDs and its article, so
// a professional, a provider and an auditor can see why a request was granted
// or refused. The table is part of the policy version digest: changing an ID,
// an article or the engine revision changes the version.
//
//   for (const wams::policy::RuleInfo& rule : wams::policy::RuleTable()) {
//     std::cout << rule.id << " " << rule.article << ": " << rule.title_en << "\n";
//   }
//
// Thread-safety: the table is immutable static data.
#ifndef WAMS_POLICY_RULES_H_
#define WAMS_POLICY_RULES_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace wams::policy {

// Bump when the decision logic changes in a way that can change an outcome,
// so that policy versions of old and new engines differ.
inline constexpr char kEngineRevision[] = "wams-policy-1";

// The rules a machine can judge (see policy/README.md for those it cannot).
enum class RuleId : uint8_t {
  kR01,  // Client request: help asked under a social-domain law.
  kR02,  // Professional request: grounds, accepted, client informed.
  kR04,  // Client's wish is leading: target domain in scope.
  kR06,  // Step by step: named categories offered by the target, justification.
  kR07,  // Allowed purposes.
  kR08,  // Forbidden purposes: criminal investigation, fraud control.
  kR09,  // No fishing: one client of one open case.
  kR10,  // Phase and role.
  kR11,  // Family members must have agreed.
  kR12,  // Duty or power to coordinate.
  kR13,  // Designated coordinator, not self-coordination.
  kR16,  // Qualified duty to provide: weighty reasons, conditions.
  kR17,  // Medical secrecy and youth care: consent or good-care statement.
  kR18,  // Police and justice data: legal basis.
  kR19,  // BSN as identifier.
  kR21,  // Municipality to party.
  kR22,  // Who convenes a case conference.
  kR23,  // Who attends a case conference.
  kR24,  // Sharing in a case conference: R17/R18 apply.
  kR25,  // Minutes on measure: named, invited audience.
  kR26,  // Onward use needs the supplier's assent.
  kR27,  // Identification and authorisation of the parties.
  kCount,
};

// What kind of refusal a failed rule is, which decides its status code
// (policy/refusal_code.h). A rule of role and authority says who may ask
// what, for which purpose and scope, with which consent or regime: no later
// change of the case makes the same request pass, so PERMISSION_DENIED. A
// rule of state, phase and order says the case is not there yet (not
// accepted or informed, wrong phase, coordination not started): the same
// request can pass once the case changes, so FAILED_PRECONDITION.
enum class RefusalClass : uint8_t {
  kAuthority,
  kState,
};

// String views over static storage (lengths known at compile time, so filling
// a decision never calls strlen).
struct RuleInfo {
  RuleId rule;
  absl::string_view id;        // "R04"
  absl::string_view article;   // "art. 2.3a.1 Wmo 2015"
  absl::string_view title_nl;  // Short Dutch title.
  absl::string_view title_en;  // Short English title.
  RefusalClass refusal_class;  // What its failure is (see RefusalClass).
};

// All rules, in RuleId order.
absl::Span<const RuleInfo> RuleTable();

// The entry for one rule.
const RuleInfo& GetRule(RuleId rule);

// The entry whose id is `id` ("R04"), or nullptr.
const RuleInfo* FindRule(absl::string_view id);

}  // namespace wams::policy

#endif  // WAMS_POLICY_RULES_H_
