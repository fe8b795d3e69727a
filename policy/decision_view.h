// decision_view.h: what a decision may tell the party that asked.
//
// A full Decision explains itself with the case's facts: whether the subject
// is a client of the case (R09, R11), which domains the client excluded
// (R04), which consents exist and their ids (R17, consent_basis), the case's
// phase and coordination (R02, R10, R12, R13), its involved parties (R21).
// Only the case's municipality and its designated coordinator's party may
// know those. Anyone else (a party that saw a case id in a request delivered
// to it) must learn no more than that its role may not ask: otherwise the dry
// run and every refusal are an oracle over the case.
//
//   v1::Decision shown = policy::RedactFor(decision, case_or_null, caller.party,
//                                          policy::RoleRuleOf(policy::RequestKind::kDataRequest));
//
// The view for an outsider keeps only the rules that do not depend on the
// case (R06, R07, R08, R19, R27: its own request, the purpose, the registry)
// and states two refusals with fixed messages: R09 (no open case in which
// this party may ask about this person) and the role rule (`role_rule`, R10
// for data requests and shares, R22 for convening, R25 for sharing in a case
// conference one does not take part in); it has no obligations and no
// consent basis. It is the same whether the case exists or not, is
// open or closed, and whether the subject is a client: when there is no case,
// nobody may know more (not even a municipality, which might probe another
// municipality's ids). Receipts keep the full decision for auditors.
//
// Pure functions; thread-safe.
#ifndef WAMS_POLICY_DECISION_VIEW_H_
#define WAMS_POLICY_DECISION_VIEW_H_

#include "policy/decision_inputs.h"
#include "policy/rules.h"
#include "wams/broker/v1/case.pb.h"
#include "wams/broker/v1/common.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::policy {

namespace v1 = ::wams::broker::v1;

// True when `viewer` may know the facts of `case_snapshot`: it is the case's
// municipality or the party of its designated coordinator. False when there
// is no case or no viewer.
bool MayKnowCaseFacts(const v1::Case* case_snapshot, const v1::Party* viewer);

// `decision` as `viewer` may see it: unchanged when MayKnowCaseFacts(),
// otherwise the outsider's view described above, never allowed (an outsider
// never passes R10 or R22). `role_rule` is the rule whose refusal the
// outsider sees.
v1::Decision RedactFor(const v1::Decision& decision, const v1::Case* case_snapshot,
                       const v1::Party* viewer, RuleId role_rule);

// The role rule an outsider sees refused for a data request, its dry run or
// a share (R10, phase and role), so that callers name no rule themselves.
RuleId RoleRuleOf(RequestKind kind);

// The outsider's view of `decision`, whoever asks.
v1::Decision OutsiderView(const v1::Decision& decision, RuleId role_rule);

// The decision a receipt records: allowed when its outcome is GRANTED, its
// failed rules (each with its article and English title, outcome FAILED),
// obligations, consent basis and policy version. A receipt does not record
// the rules that passed, so `rules` holds only the failed ones.
v1::Decision DecisionAsReceipted(const v1::Receipt& receipt);

}  // namespace wams::policy

#endif  // WAMS_POLICY_DECISION_VIEW_H_
