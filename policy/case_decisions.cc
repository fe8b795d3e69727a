// case_decisions.cc: the case-management decisions (opening a case on a
// client's or a professional's request, the municipality's decision on the
// latter, consent, starting coordination, the role check).
#include "policy/internal/case_facts.h"
#include "policy/internal/common_checks.h"
#include "policy/internal/decision_builder.h"
#include "policy/internal/messages.h"
#include "policy/internal/names.h"
#include "policy/policy.h"
#include "policy/rules.h"

namespace wams::policy {

using internal::CheckActor;
using internal::DecisionBuilder;
using internal::HasContent;
using internal::Msg;

v1::Decision Policy::DecideClientRequest(const ClientRequestInput& in) const {
  v1::Decision decision;
  DecisionBuilder b(&decision, in.language, version_);
  if (internal::DistinctSocialLaws(in.social_laws) == 0) {
    b.Fail(RuleId::kR01, Msg::kR01NoLaw);
  } else {
    b.Pass(RuleId::kR01, Msg::kR01Ok);
  }
  CheckActor(b, in.requester, in.professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideProfessionalRequest(const ProfessionalRequestInput& in) const {
  v1::Decision decision;
  DecisionBuilder b(&decision, in.language, version_);
  const v1::ProfessionalGrounds& grounds = in.grounds;
  if (!grounds.coordinated_approach_expected()) {
    b.Fail(RuleId::kR02, Msg::kR02GroundsNoC);
  } else if (!grounds.persistent_problems() && !grounds.nuisance_or_danger()) {
    b.Fail(RuleId::kR02, Msg::kR02GroundsNoAOrB);
  } else if (!HasContent(grounds.reasons())) {
    b.Fail(RuleId::kR02, Msg::kR02GroundsNoReasons);
  } else {
    b.Pass(RuleId::kR02, Msg::kR02GroundsOk);
  }
  CheckActor(b, in.requester, in.professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideOnProfessionalRequest(const OnProfessionalRequestInput& in) const {
  v1::Decision decision;
  DecisionBuilder b(&decision, in.language, version_);
  if (in.case_snapshot.origin() == v1::CASE_ORIGIN_PROFESSIONAL_REQUEST &&
      in.case_snapshot.phase() == v1::CASE_PHASE_AWAITING_DECISION) {
    b.Pass(RuleId::kR02, Msg::kR02AwaitsDecision);
  } else {
    b.Fail(RuleId::kR02, Msg::kR02NotAwaitingDecision);
  }
  CheckActor(b, in.requester, in.professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideRecordConsent(const RecordConsentInput& in) const {
  v1::Decision decision;
  DecisionBuilder b(&decision, in.language, version_);
  if (in.subject == nullptr) {
    b.Fail(RuleId::kR11, Msg::kR11NotClient);
  } else {
    b.Pass(RuleId::kR11, Msg::kR11Client);
  }
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideStartCoordination(const StartCoordinationInput& in) const {
  v1::Decision decision;
  DecisionBuilder b(&decision, in.language, version_);
  const v1::Case& c = in.case_snapshot;
  internal::CheckProfessionalCase(b, &c);  // R02
  internal::CheckCaseOpen(b, c);           // R09
  if (in.requester == nullptr || !internal::IsMunicipalityOf(c, *in.requester)) {
    b.Fail(RuleId::kR10, Msg::kR10StartNotMunicipality);
  } else if (c.phase() != v1::CASE_PHASE_RESEARCH) {
    b.Fail(RuleId::kR10, Msg::kR10StartNotResearch);
  } else {
    b.Pass(RuleId::kR10, Msg::kR10StartOk);
  }
  internal::CheckCoordinationGround(b, c);  // R12
  if (in.coordination.has_designated()) {
    const v1::DesignatedCoordinator& designated = in.coordination.designated();
    if (designated.party_oin().empty() || designated.professional_id().empty()) {
      b.Fail(RuleId::kR13, Msg::kR13CoordinatorIncomplete);
    } else if (designated.party_oin() != c.municipality_oin() &&
               !internal::IsInvolved(c, designated.party_oin())) {
      b.Fail(RuleId::kR13, Msg::kR13CoordinatorNotInvolved);
    } else {
      b.Pass(RuleId::kR13, Msg::kR13Designated);
    }
  } else if (in.coordination.has_self()) {
    b.Pass(RuleId::kR13, Msg::kR13SelfChosen);
  } else {
    b.Fail(RuleId::kR13, Msg::kR13None);
  }
  CheckActor(b, in.requester, in.professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideRole(const RoleInput& in) const {
  v1::Decision decision;
  DecisionBuilder b(&decision, in.language, version_);
  if (in.actor == nullptr || in.actor->role() == v1::PARTY_ROLE_UNSPECIFIED) {
    b.Fail(RuleId::kR27, Msg::kR27UnknownRequester);
  } else if (!in.role_fits) {
    b.Fail(RuleId::kR27, Msg::kR27WrongRole);
  } else {
    b.Pass(RuleId::kR27, Msg::kR27RoleOk);
  }
  b.Finish();
  return decision;
}

}  // namespace wams::policy
