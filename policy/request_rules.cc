// request_rules.cc: the data request and share decision (Policy::Decide),
// one function per rule, called in rule order. What each rule checks is in
// policy/rules.md; the decision's shape in policy.h.
#include <cstddef>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_join.h"
#include "policy/internal/case_facts.h"
#include "policy/internal/common_checks.h"
#include "policy/internal/consents.h"
#include "policy/internal/decision_builder.h"
#include "policy/internal/messages.h"
#include "policy/internal/names.h"
#include "policy/policy.h"
#include "policy/rules.h"
#include "policy/subject_key.h"
#include "proto/wire/subject_details.h"
#include "proto/wire/text_checks.h"

namespace wams::policy {
namespace {

using internal::CheckProfessionalCase;
using internal::ConsentIds;
using internal::ConsentList;
using internal::ContainsDomain;
using internal::DecisionBuilder;
using internal::FastEquals;
using internal::HasContent;
using internal::IsAllowedPurpose;
using internal::IsDesignatedCoordinator;
using internal::IsInvolved;
using internal::IsMunicipalityOf;
using internal::IsOpen;
using internal::Lists;
using internal::Msg;
using internal::Track;

// The catalogue entry of each requested category in the offering party's
// domain (nullptr: not in the catalogue), looked up once and shared by R06 and
// R17/R18.
using CategoryEntries = absl::InlinedVector<const v1::DataCategory*, 16>;

void CheckR04(DecisionBuilder& b, const DecisionInput& in) {
  const v1::Case* c = in.case_snapshot;
  if (c == nullptr || in.target == nullptr) {
    b.NotApplicable(RuleId::kR04, Msg::kR04NoCase);
    return;
  }
  const v1::Domain domain = in.target->domain();
  // Excluded domains always win, whoever started the case: the client can
  // narrow the scope at any time.
  if (ContainsDomain(c->scope().domains_out(), domain)) {
    b.Fail(RuleId::kR04, Msg::kR04Excluded, v1::Domain_Name(domain));
    return;
  }
  if (c->origin() == v1::CASE_ORIGIN_PROFESSIONAL_REQUEST) {
    b.Pass(RuleId::kR04, Msg::kR04ProfessionalCase);
  } else if (domain == v1::DOMAIN_SOCIAL) {
    // The client asked for help under a social-domain law: that domain is in
    // scope unless excluded (domains_in lists adjacent domains).
    b.Pass(RuleId::kR04, Msg::kR04SocialDomain);
  } else if (ContainsDomain(c->scope().domains_in(), domain)) {
    b.Pass(RuleId::kR04, Msg::kR04InScope);
  } else {
    b.Fail(RuleId::kR04, Msg::kR04NotInScope, v1::Domain_Name(domain));
  }
}

void CheckR06(DecisionBuilder& b, const DecisionInput& in, const CategoryEntries& entries) {
  const bool is_share = in.kind == RequestKind::kShareData;
  const v1::Party* offerer = is_share ? in.requester : in.target;
  const CategoryList& categories = in.categories;
  if (categories.empty()) {
    b.Fail(RuleId::kR06, Msg::kR06NoCategories);
    return;
  }
  for (std::size_t i = 0; i < categories.size(); ++i) {
    const absl::string_view name = categories[i];
    if (name.empty()) {
      b.Fail(RuleId::kR06, Msg::kR06EmptyCategory);
      return;
    }
    if (internal::IsWildcardCategory(name)) {
      b.Fail(RuleId::kR06, Msg::kR06Wildcard, name);
      return;
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (FastEquals(categories[j], name)) {
        b.Fail(RuleId::kR06, Msg::kR06Duplicate, name);
        return;
      }
    }
    // An unknown offerer fails R27; here it simply offers nothing.
    if (offerer == nullptr || entries[i] == nullptr || !Lists(*offerer, name)) {
      b.Fail(RuleId::kR06, is_share ? Msg::kR06NotOfferedByRequester : Msg::kR06NotOfferedByTarget,
             name);
      return;
    }
  }
  if (!HasContent(in.justification)) {
    b.Fail(RuleId::kR06, Msg::kR06NoJustification);
    return;
  }
  b.Pass(RuleId::kR06, Msg::kR06Ok);
}

void CheckR07(DecisionBuilder& b, v1::Purpose purpose) {
  if (IsAllowedPurpose(purpose)) {
    b.Pass(RuleId::kR07, Msg::kR07Ok);
  } else if (purpose == v1::PURPOSE_CRIMINAL_INVESTIGATION ||
             purpose == v1::PURPOSE_FRAUD_CONTROL) {
    b.Fail(RuleId::kR07, Msg::kR07NotAllowed);
  } else {
    b.Fail(RuleId::kR07, Msg::kR07Unspecified);
  }
}

void CheckR08(DecisionBuilder& b, v1::Purpose purpose) {
  if (purpose == v1::PURPOSE_CRIMINAL_INVESTIGATION) {
    b.Fail(RuleId::kR08, Msg::kR08Investigation);
  } else if (purpose == v1::PURPOSE_FRAUD_CONTROL) {
    b.Fail(RuleId::kR08, Msg::kR08Fraud);
  } else {
    b.Pass(RuleId::kR08, Msg::kR08Ok);
  }
}

void CheckR09(DecisionBuilder& b, const DecisionInput& in, const v1::CaseClient* person) {
  const v1::Case* c = in.case_snapshot;
  if (c == nullptr) {
    b.Fail(RuleId::kR09, Msg::kR09NoCase);
  } else if (c->phase() == v1::CASE_PHASE_CLOSED) {
    b.Fail(RuleId::kR09, Msg::kR09CaseClosed);
  } else if (c->phase() == v1::CASE_PHASE_DECLINED) {
    b.Fail(RuleId::kR09, Msg::kR09CaseDeclined);
  } else if (!IsOpen(*c)) {
    b.Fail(RuleId::kR09, Msg::kR09NoCase);
  } else if (in.subject_bsn.empty()) {
    b.Fail(RuleId::kR09, Msg::kR09NoSubject);
  } else if (!wire::IsValidBsn(in.subject_bsn)) {
    b.Fail(RuleId::kR09, Msg::kR09SubjectNotOnePerson);
  } else if (person == nullptr) {
    b.Fail(RuleId::kR09, Msg::kR09NotInCase);
  } else {
    b.Pass(RuleId::kR09, Msg::kR09Ok);
  }
}

void CheckR10(DecisionBuilder& b, const DecisionInput& in, Track track) {
  const v1::Case* c = in.case_snapshot;
  const v1::Party* requester = in.requester;
  if (c == nullptr || requester == nullptr || track == Track::kNone) {
    b.NotApplicable(RuleId::kR10, Msg::kR10NotJudged);
    return;
  }
  switch (c->phase()) {
    case v1::CASE_PHASE_CLOSED:
      b.Fail(RuleId::kR10, Msg::kR10Closed);
      return;
    case v1::CASE_PHASE_DECLINED:
      b.Fail(RuleId::kR10, Msg::kR10Declined);
      return;
    case v1::CASE_PHASE_AWAITING_DECISION:
      b.Fail(RuleId::kR10, Msg::kR10AwaitingDecision);
      return;
    default:
      break;
  }
  const bool is_share = in.kind == RequestKind::kShareData;
  if (track == Track::kResearch) {
    if (c->phase() != v1::CASE_PHASE_RESEARCH) {
      b.Fail(RuleId::kR10, Msg::kR10ResearchWrongPhase);
    } else if (!IsMunicipalityOf(*c, *requester)) {
      b.Fail(RuleId::kR10,
             is_share ? Msg::kR10ShareNotMunicipality : Msg::kR10ResearchNotMunicipality);
    } else {
      b.Pass(RuleId::kR10, is_share ? Msg::kR10ShareOk : Msg::kR10ResearchOk);
    }
    return;
  }
  if (c->phase() != v1::CASE_PHASE_COORDINATION) {
    b.Fail(RuleId::kR10, Msg::kR10CoordinationWrongPhase);
  } else if (is_share) {
    // Sharing stays with the municipality (R21) in either phase.
    if (IsMunicipalityOf(*c, *requester)) {
      b.Pass(RuleId::kR10, Msg::kR10ShareOk);
    } else {
      b.Fail(RuleId::kR10, Msg::kR10ShareNotMunicipality);
    }
  } else if (!IsDesignatedCoordinator(*c, *requester, in.professional_id)) {
    b.Fail(RuleId::kR10, Msg::kR10NotCoordinator);
  } else {
    b.Pass(RuleId::kR10, Msg::kR10CoordinatorOk);
  }
}

void CheckR11(DecisionBuilder& b, const v1::CaseClient* person) {
  if (person == nullptr) {
    b.NotApplicable(RuleId::kR11, Msg::kR11NotJudged);
  } else if (person->primary()) {
    b.NotApplicable(RuleId::kR11, Msg::kR11Primary);
  } else if (person->agreed()) {
    b.Pass(RuleId::kR11, Msg::kR11Agreed);
  } else {
    b.Fail(RuleId::kR11, Msg::kR11NotAgreed);
  }
}

void CheckR13(DecisionBuilder& b, const v1::Case& c) {
  if (c.coordination().has_designated()) {
    b.Pass(RuleId::kR13, Msg::kR13Designated);
  } else if (c.coordination().has_self()) {
    b.Fail(RuleId::kR13, Msg::kR13Self);
  } else {
    b.Fail(RuleId::kR13, Msg::kR13None);
  }
}

// R16, R17, R18 for a data request: obligations on the provider, plus the
// consent basis per category for the auditor and for CheckAnswer.
void CheckProviderRules(DecisionBuilder& b, const DecisionInput& in,
                        const CategoryEntries& entries) {
  const v1::Case* c = in.case_snapshot;
  const v1::Party* target = in.target;
  if (in.kind == RequestKind::kShareData) {
    b.NotApplicable(RuleId::kR16, Msg::kProviderRulesShare);
    b.NotApplicable(RuleId::kR17, Msg::kProviderRulesShare);
    b.NotApplicable(RuleId::kR18, Msg::kProviderRulesShare);
    return;
  }
  b.Pass(RuleId::kR16, Msg::kR16Obligations);
  b.AddObligation(v1::OBLIGATION_KIND_CONDITIONS_ALLOWED, RuleId::kR16, Msg::kObConditions);
  b.AddObligation(v1::OBLIGATION_KIND_WEIGHTY_REASONS_ALLOWED, RuleId::kR16,
                  Msg::kObWeightyReasons);

  ConsentList consents;
  if (c != nullptr && target != nullptr)
    consents = internal::ConsentsOf(*c, SubjectKey::Bsn(in.subject_bsn), target->oin());
  v1::Obligation* good_care = nullptr;
  v1::Obligation* legal_basis = nullptr;
  bool any_secrecy = false;
  const ConsentIds consent_ids = internal::ResolveConsents(consents, in.categories);
  for (std::size_t i = 0; i < in.categories.size(); ++i) {
    const absl::string_view category = in.categories[i];
    const std::string* consent_id = consent_ids[i];
    b.AddConsentBasis(category, consent_id);
    if (target == nullptr) continue;
    // For a data request the offering party is the target, so entries[i] is the
    // target's catalogue entry: same answer as Catalogue::EffectiveRegime.
    const v1::DataCategory* entry = entries[i];
    const v1::SecrecyRegime regime =
        (entry != nullptr && entry->regime() != v1::SECRECY_REGIME_UNSPECIFIED)
            ? entry->regime()
            : target->secrecy_regime();
    if (internal::NeedsConsentOrGoodCare(regime)) {
      any_secrecy = true;
      if (consent_id == nullptr) {
        if (good_care == nullptr) {
          good_care = b.AddObligation(v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT, RuleId::kR17,
                                      Msg::kObGoodCare);
        }
        good_care->add_categories(category.data(), category.size());
      }
    } else if (internal::NeedsLegalBasis(regime)) {
      if (legal_basis == nullptr) {
        legal_basis =
            b.AddObligation(v1::OBLIGATION_KIND_LEGAL_BASIS, RuleId::kR18, Msg::kR18LegalBasis);
      }
      legal_basis->add_categories(category.data(), category.size());
    }
  }
  if (!any_secrecy) {
    b.NotApplicable(RuleId::kR17, Msg::kR17NoSecrecy);
  } else {
    b.Pass(RuleId::kR17, good_care != nullptr ? Msg::kR17GoodCare : Msg::kR17Consent);
  }
  if (legal_basis == nullptr) {
    b.NotApplicable(RuleId::kR18, Msg::kR18NoPoliceData);
  } else {
    b.Pass(RuleId::kR18, Msg::kR18LegalBasis);
  }
}

// R19: the BSN goes only to a party that may process it; any other party
// finds the person by the identifying details the requester supplied, and
// the request is refused without enough of them (the party could not tell
// whom it is about).
void CheckR19(DecisionBuilder& b, const DecisionInput& in) {
  const v1::Party* target = in.target;
  const v1::SubjectDetails& details =
      in.subject_details != nullptr ? *in.subject_details : v1::SubjectDetails::default_instance();
  if (target == nullptr) {
    b.NotApplicable(RuleId::kR19, Msg::kR19NoTarget);
  } else if (target->may_process_bsn()) {
    b.Pass(RuleId::kR19,
           wire::HasSubjectDetails(details) ? Msg::kR19ForwardDetailsDropped : Msg::kR19Forward);
  } else if (const std::vector<absl::string_view> missing = wire::MissingSubjectDetails(details);
             !missing.empty()) {
    // Field names only: the details themselves never enter a decision.
    b.Fail(RuleId::kR19, Msg::kR19NoDetails, absl::StrJoin(missing, ", "));
  } else {
    b.Pass(RuleId::kR19, Msg::kR19Details);
  }
}

void CheckR21(DecisionBuilder& b, const DecisionInput& in) {
  const v1::Case* c = in.case_snapshot;
  if (in.kind != RequestKind::kShareData) {
    b.NotApplicable(RuleId::kR21, Msg::kR21NotShare);
  } else if (c == nullptr || in.requester == nullptr || in.target == nullptr) {
    b.NotApplicable(RuleId::kR21, Msg::kR04NoCase);
  } else if (!IsMunicipalityOf(*c, *in.requester)) {
    b.Fail(RuleId::kR21, Msg::kR21NotMunicipality);
  } else if (!IsInvolved(*c, in.target->oin())) {
    b.Fail(RuleId::kR21, Msg::kR21NotInvolved);
  } else {
    b.Pass(RuleId::kR21, Msg::kR21Ok);
  }
}

void CheckR27(DecisionBuilder& b, const DecisionInput& in) {
  const v1::Party* requester = in.requester;
  const v1::Party* target = in.target;
  if (requester == nullptr || requester->role() == v1::PARTY_ROLE_UNSPECIFIED) {
    b.Fail(RuleId::kR27, Msg::kR27UnknownRequester);
  } else if (requester->role() == v1::PARTY_ROLE_AUDITOR) {
    b.Fail(RuleId::kR27, Msg::kR27AuditorRequester);
  } else if (in.professional_id.empty()) {
    b.Fail(RuleId::kR27, Msg::kR27NoProfessional);
  } else if (target == nullptr || target->role() == v1::PARTY_ROLE_UNSPECIFIED) {
    b.Fail(RuleId::kR27, Msg::kR27UnknownTarget);
  } else if (target->role() == v1::PARTY_ROLE_AUDITOR) {
    b.Fail(RuleId::kR27, Msg::kR27AuditorTarget);
  } else {
    b.Pass(RuleId::kR27, Msg::kR27Ok);
  }
}

}  // namespace

v1::Decision Policy::Decide(const DecisionInput& in) const {
  v1::Decision decision;
  Decide(in, &decision);
  return decision;
}

void Policy::Decide(const DecisionInput& in, v1::Decision* out) const {
  DecisionBuilder b(out, in.language, version_);
  const v1::Case* c = in.case_snapshot;
  const v1::CaseClient* person = c != nullptr ? internal::FindPerson(*c, in.subject_bsn) : nullptr;
  const Track track =
      IsAllowedPurpose(in.purpose) ? internal::TrackOf(in.purpose, c) : Track::kNone;
  const v1::Party* offerer = in.kind == RequestKind::kShareData ? in.requester : in.target;
  CategoryEntries entries(in.categories.size(), nullptr);
  if (offerer != nullptr) {
    for (std::size_t i = 0; i < in.categories.size(); ++i) {
      entries[i] = catalogue_.Find(offerer->domain(), in.categories[i]);
    }
  }

  CheckProfessionalCase(b, c);  // R02
  CheckR04(b, in);
  CheckR06(b, in, entries);
  CheckR07(b, in.purpose);
  CheckR08(b, in.purpose);
  CheckR09(b, in, person);
  CheckR10(b, in, track);
  CheckR11(b, person);
  if (c == nullptr || track != Track::kCoordination) {
    b.NotApplicable(RuleId::kR12, Msg::kR12NotCoordination);
    b.NotApplicable(RuleId::kR13, Msg::kR13NotCoordination);
  } else {
    internal::CheckCoordinationGround(b, *c);  // R12
    CheckR13(b, *c);
  }
  CheckProviderRules(b, in, entries);  // R16, R17, R18
  CheckR19(b, in);
  CheckR21(b, in);
  CheckR27(b, in);
  b.Finish();
}

}  // namespace wams::policy
