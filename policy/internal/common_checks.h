// common_checks.h (internal): the rule checks several decisions share, each
// adding one rule result to a DecisionBuilder: R27 for the acting party, R09
// for an open case, R02 on a professional-initiated case, R12 the ground to
// coordinate, R22 who may act for a conference. Not part of the public API.
//
// Thread-safety: pure functions over their arguments.
#ifndef WAMS_POLICY_INTERNAL_COMMON_CHECKS_H_
#define WAMS_POLICY_INTERNAL_COMMON_CHECKS_H_

#include "absl/strings/string_view.h"
#include "policy/internal/decision_builder.h"
#include "wams/broker/v1/case.pb.h"
#include "wams/broker/v1/common.pb.h"

namespace wams::policy::internal {

// R27 for the acting party alone: known, with a role, not an auditor, with a
// professional id. (A data request checks its target too: request_rules.cc.)
void CheckActor(DecisionBuilder& b, const v1::Party* actor, absl::string_view professional_id);

// R09 for steps that need only an open case.
void CheckCaseOpen(DecisionBuilder& b, const v1::Case& c);

// R02 on the case: a professional-initiated case must be accepted and the
// client informed before anything goes out. `c` nullptr: not applicable.
void CheckProfessionalCase(DecisionBuilder& b, const v1::Case* c);

// R12: a duty or a power to coordinate (CoordinationGroundOf), else failed.
void CheckCoordinationGround(DecisionBuilder& b, const v1::Case& c);

// R22: who may act for a conference in the case's current phase (the
// municipality in research, the designated coordinator in coordination).
void CheckConvener(DecisionBuilder& b, const v1::Case& c, const v1::Party* actor,
                   absl::string_view professional_id);

}  // namespace wams::policy::internal

#endif  // WAMS_POLICY_INTERNAL_COMMON_CHECKS_H_
