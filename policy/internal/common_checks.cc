#include "policy/internal/common_checks.h"

#include "policy/internal/case_facts.h"
#include "policy/policy.h"

namespace wams::policy::internal {

void CheckActor(DecisionBuilder& b, const v1::Party* actor, absl::string_view professional_id) {
  if (actor == nullptr || actor->role() == v1::PARTY_ROLE_UNSPECIFIED) {
    b.Fail(RuleId::kR27, Msg::kR27UnknownRequester);
  } else if (actor->role() == v1::PARTY_ROLE_AUDITOR) {
    b.Fail(RuleId::kR27, Msg::kR27AuditorRequester);
  } else if (professional_id.empty()) {
    b.Fail(RuleId::kR27, Msg::kR27NoProfessional);
  } else {
    b.Pass(RuleId::kR27, Msg::kR27RequesterOk);
  }
}

void CheckCaseOpen(DecisionBuilder& b, const v1::Case& c) {
  if (c.phase() == v1::CASE_PHASE_CLOSED) {
    b.Fail(RuleId::kR09, Msg::kR09CaseClosed);
  } else if (c.phase() == v1::CASE_PHASE_DECLINED) {
    b.Fail(RuleId::kR09, Msg::kR09CaseDeclined);
  } else if (!IsOpen(c)) {
    b.Fail(RuleId::kR09, Msg::kR09NoCase);
  } else {
    b.Pass(RuleId::kR09, Msg::kR09CaseOpen);
  }
}

void CheckProfessionalCase(DecisionBuilder& b, const v1::Case* c) {
  if (c == nullptr) {
    b.NotApplicable(RuleId::kR02, Msg::kR04NoCase);
  } else if (c->origin() != v1::CASE_ORIGIN_PROFESSIONAL_REQUEST) {
    b.NotApplicable(RuleId::kR02, Msg::kR02ClientCase);
  } else if (!c->professional_request().has_decision() ||
             !c->professional_request().decision().accepted()) {
    b.Fail(RuleId::kR02, Msg::kR02NotAccepted);
  } else if (!c->client_informed()) {
    b.Fail(RuleId::kR02, Msg::kR02ClientNotInformed);
  } else {
    b.Pass(RuleId::kR02, Msg::kR02Ok);
  }
}

void CheckCoordinationGround(DecisionBuilder& b, const v1::Case& c) {
  switch (CoordinationGroundOf(c)) {
    case v1::COORDINATION_GROUND_DUTY:
      b.Pass(RuleId::kR12, Msg::kR12Duty);
      break;
    case v1::COORDINATION_GROUND_POWER:
      b.Pass(RuleId::kR12, Msg::kR12Power);
      break;
    default:
      b.Fail(RuleId::kR12, Msg::kR12WamsDoesNotApply);
      break;
  }
}

void CheckConvener(DecisionBuilder& b, const v1::Case& c, const v1::Party* actor,
                   absl::string_view professional_id) {
  if (c.phase() == v1::CASE_PHASE_RESEARCH) {
    if (actor != nullptr && IsMunicipalityOf(c, *actor)) {
      b.Pass(RuleId::kR22, Msg::kR22ResearchOk);
    } else {
      b.Fail(RuleId::kR22, Msg::kR22ResearchNotMunicipality);
    }
  } else if (c.phase() == v1::CASE_PHASE_COORDINATION) {
    if (actor != nullptr && IsDesignatedCoordinator(c, *actor, professional_id)) {
      b.Pass(RuleId::kR22, Msg::kR22CoordinationOk);
    } else {
      b.Fail(RuleId::kR22, Msg::kR22CoordinationNotCoordinator);
    }
  } else {
    b.Fail(RuleId::kR22, Msg::kR22WrongPhase);
  }
}

}  // namespace wams::policy::internal
