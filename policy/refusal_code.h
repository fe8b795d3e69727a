// refusal_code.h: the one status code of a refused Decision, for every core.
//
// Each rule has a refusal class in the rule table (rules.h): role and
// authority, or state, phase and order. A refusal is PERMISSION_DENIED when
// any failed rule is of role and authority (authority wins: no change of the
// case would make the request pass), and FAILED_PRECONDITION when every
// failed rule is of state, phase and order (the case must change first). The
// code depends only on the failed rule ids, so it is the same for the same
// failures whatever else was checked, and the outsider's view (always R09,
// an authority rule) is always PERMISSION_DENIED, whether or not the case
// exists.
//
//   const v1::Decision shown = policy::RedactFor(decision, c, caller.party, RuleId::kR10);
//   absl::Status refused(policy::RefusalCode(shown), policy::RefusalSummary(shown));
//
// Thread-safety: pure functions.
#ifndef WAMS_POLICY_REFUSAL_CODE_H_
#define WAMS_POLICY_REFUSAL_CODE_H_

#include <string>

#include "absl/status/status.h"
#include "wams/broker/v1/common.pb.h"

namespace wams::policy {

namespace v1 = ::wams::broker::v1;

// PERMISSION_DENIED or FAILED_PRECONDITION for a refused `decision`, as
// above. A failed rule id the table does not know counts as authority (deny
// when in doubt); a decision with no failed rule (not a refusal) gets
// PERMISSION_DENIED too, so a caller's mistake never reads as "retry later".
absl::StatusCode RefusalCode(const v1::Decision& decision);

// "refused by R09, R10: R09 (<article>): <message>; R10 (...): ...": the
// failed rules of `decision` with their messages, for a status message and
// a receipt's detail. Messages never hold a BSN (policy/README.md).
std::string RefusalSummary(const v1::Decision& decision);

// The status of a refused `decision`: RefusalCode() with RefusalSummary().
absl::Status RefusalStatus(const v1::Decision& decision);

}  // namespace wams::policy

#endif  // WAMS_POLICY_REFUSAL_CODE_H_
