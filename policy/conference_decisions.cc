// conference_decisions.cc: the case conference decisions (convene, invite a
// party or the client, share an item, fetch items, assent to and take up
// onward use), R22 to R26 with R09 and R27.
#include <algorithm>
#include <cstddef>
#include <string>

#include "policy/internal/case_facts.h"
#include "policy/internal/common_checks.h"
#include "policy/internal/consents.h"
#include "policy/internal/decision_builder.h"
#include "policy/internal/messages.h"
#include "policy/internal/names.h"
#include "policy/policy.h"
#include "policy/rules.h"
#include "policy/subject_key.h"

namespace wams::policy {
namespace {

using internal::CheckActor;
using internal::CheckCaseOpen;
using internal::CheckConvener;
using internal::DecisionBuilder;
using internal::HasContent;
using internal::IsParticipant;
using internal::Msg;

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& oins, absl::string_view oin) {
  return std::find(oins.begin(), oins.end(), oin) != oins.end();
}

// R22 for a step only the conference's convener takes, while still entitled.
void CheckActingConvener(DecisionBuilder& b, const v1::Case& c, const v1::Conference& conference,
                         const v1::Party* requester, absl::string_view professional_id) {
  if (requester == nullptr || requester->oin() != conference.convener_oin()) {
    b.Fail(RuleId::kR22, Msg::kR22NotConvener);
  } else {
    CheckConvener(b, c, requester, professional_id);
  }
}

// R06 for an item: the categories it names are ones its supplier offers.
void CheckItemCategories(DecisionBuilder& b, const Catalogue& catalogue, const v1::Party* supplier,
                         const v1::ConferenceItem& item) {
  if (item.categories().empty()) return b.NotApplicable(RuleId::kR06, Msg::kR06NoItemCategories);
  for (const std::string& name : item.categories()) {
    if (supplier == nullptr || !catalogue.Offers(*supplier, name)) {
      return b.Fail(RuleId::kR06, Msg::kR06NotOfferedBySupplier, name);
    }
  }
  b.Pass(RuleId::kR06, Msg::kR06SupplierOffers);
}

// R25 for an item: the supplier takes part, and the item goes to a named,
// invited audience.
void CheckItemAudience(DecisionBuilder& b, const v1::Conference& conference,
                       const v1::Party* supplier, const v1::ConferenceItem& item) {
  if (supplier == nullptr || !IsParticipant(conference, supplier->oin())) {
    return b.Fail(RuleId::kR25, Msg::kR25SupplierNotParticipant);
  }
  if (item.audience_oins().empty()) return b.Fail(RuleId::kR25, Msg::kR25NoAudience);
  for (const std::string& oin : item.audience_oins()) {
    if (!IsParticipant(conference, oin)) {
      return b.Fail(RuleId::kR25, Msg::kR25AudienceNotInvited, oin);
    }
  }
  b.Pass(RuleId::kR25, Msg::kR25Ok);
}

// R26 for an item: assent given with the item is for recipients of it only.
void CheckItemAssents(DecisionBuilder& b, const v1::ConferenceItem& item) {
  if (item.onward_use_assented_oins().empty()) {
    return b.NotApplicable(RuleId::kR26, Msg::kR26NoAssentsGiven);
  }
  for (const std::string& oin : item.onward_use_assented_oins()) {
    if (!Contains(item.audience_oins(), oin)) {
      return b.Fail(RuleId::kR26, Msg::kR26AssentOutsideAudience);
    }
  }
  b.Pass(RuleId::kR26, Msg::kR26AssentsInAudience);
}

// R24 with R17/R18: what care, police and justice suppliers share carries the
// same obligations as an answer to a data request. Consent is that of the
// case's primary client for this supplier. Adds the obligations, the consent
// basis per category, and the R24, R17 and R18 results.
void CheckItemObligations(DecisionBuilder& b, const Catalogue& catalogue, const v1::Case& c,
                          const v1::Party* supplier, const v1::ConferenceItem& item) {
  v1::Obligation* good_care = nullptr;
  v1::Obligation* legal_basis = nullptr;
  bool any_secrecy = false;
  if (supplier != nullptr) {
    const v1::CaseClient* primary = internal::PrimaryClient(c);
    // The case as stored keeps only the client's pseudonym: the key says so.
    const internal::ConsentList consents = internal::ConsentsOf(
        c, primary != nullptr ? SubjectKey::Of(*primary) : SubjectKey(), supplier->oin());
    if (item.categories().empty()) {
      // No categories named: the supplier's own regime covers the whole item.
      const v1::SecrecyRegime regime = supplier->secrecy_regime();
      if (internal::NeedsConsentOrGoodCare(regime)) {
        any_secrecy = true;
        good_care = b.AddObligation(v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT, RuleId::kR17,
                                    Msg::kObGoodCare);
      } else if (internal::NeedsLegalBasis(regime)) {
        legal_basis =
            b.AddObligation(v1::OBLIGATION_KIND_LEGAL_BASIS, RuleId::kR18, Msg::kR18LegalBasis);
      }
    }
    const internal::ConsentIds consent_ids = internal::ResolveConsents(consents, item.categories());
    for (int i = 0; i < item.categories_size(); ++i) {
      const std::string& category = item.categories(i);
      const std::string* consent_id = consent_ids[static_cast<std::size_t>(i)];
      b.AddConsentBasis(category, consent_id);
      const v1::SecrecyRegime regime = catalogue.EffectiveRegime(*supplier, category);
      if (internal::NeedsConsentOrGoodCare(regime)) {
        any_secrecy = true;
        if (consent_id != nullptr) continue;
        if (good_care == nullptr) {
          good_care = b.AddObligation(v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT, RuleId::kR17,
                                      Msg::kObGoodCare);
        }
        good_care->add_categories(category);
      } else if (internal::NeedsLegalBasis(regime)) {
        if (legal_basis == nullptr) {
          legal_basis =
              b.AddObligation(v1::OBLIGATION_KIND_LEGAL_BASIS, RuleId::kR18, Msg::kR18LegalBasis);
        }
        legal_basis->add_categories(category);
      }
    }
  }
  if (any_secrecy || legal_basis != nullptr) {
    b.Pass(RuleId::kR24, Msg::kR24Applies);
  } else {
    b.NotApplicable(RuleId::kR24, Msg::kR24NotApplicable);
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

}  // namespace

v1::Decision Policy::DecideConvene(const ConveneInput& in) const {
  v1::Decision decision;
  DecisionBuilder b(&decision, in.language, version_);
  CheckCaseOpen(b, in.case_snapshot);                                    // R09
  CheckConvener(b, in.case_snapshot, in.requester, in.professional_id);  // R22
  CheckActor(b, in.requester, in.professional_id);                       // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideInvite(const InviteInput& in) const {
  v1::Decision decision;
  DecisionBuilder b(&decision, in.language, version_);
  CheckCaseOpen(b, in.case_snapshot);  // R09
  CheckActingConvener(b, in.case_snapshot, in.conference, in.requester, in.professional_id);
  const v1::Party* invitee = in.invitee;
  if (invitee == nullptr || invitee->oin().empty() || invitee->oin() != in.invitation.party_oin()) {
    b.Fail(RuleId::kR23, Msg::kR23UnknownInvitee);
  } else if (invitee->role() == v1::PARTY_ROLE_AUDITOR) {
    b.Fail(RuleId::kR23, Msg::kR23AuditorInvitee);
  } else if (!HasContent(in.invitation.necessity_reason())) {
    b.Fail(RuleId::kR23, Msg::kR23NoReason);
  } else {
    b.Pass(RuleId::kR23, Msg::kR23Ok);
  }
  CheckActor(b, in.requester, in.professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideClientInvitation(const ClientInvitationInput& in) const {
  v1::Decision decision;
  DecisionBuilder b(&decision, in.language, version_);
  CheckCaseOpen(b, in.case_snapshot);  // R09
  CheckActingConvener(b, in.case_snapshot, in.conference, in.requester, in.professional_id);
  if (in.invited) {
    b.Pass(RuleId::kR23, Msg::kR23ClientInvited);
  } else if (HasContent(in.weighty_interests)) {
    b.Pass(RuleId::kR23, Msg::kR23ClientNotInvitedWithReason);
  } else {
    b.Fail(RuleId::kR23, Msg::kR23ClientNotInvitedNoReason);
  }
  CheckActor(b, in.requester, in.professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideShareItem(const ShareItemInput& in) const {
  v1::Decision decision;
  DecisionBuilder b(&decision, in.language, version_);
  CheckItemCategories(b, catalogue_, in.supplier, in.item);                     // R06
  CheckCaseOpen(b, in.case_snapshot);                                           // R09
  CheckItemAudience(b, in.conference, in.supplier, in.item);                    // R25
  CheckItemAssents(b, in.item);                                                 // R26
  CheckItemObligations(b, catalogue_, in.case_snapshot, in.supplier, in.item);  // R24, R17, R18
  CheckActor(b, in.supplier, in.professional_id);                               // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideFetchItems(const FetchItemsInput& in) const {
  v1::Decision decision;
  DecisionBuilder b(&decision, in.language, version_);
  CheckCaseOpen(b, in.case_snapshot);  // R09: nothing is shared after a case ends
  if (in.requester != nullptr && IsParticipant(in.conference, in.requester->oin())) {
    b.Pass(RuleId::kR25, Msg::kR25Participant);
  } else {
    b.Fail(RuleId::kR25, Msg::kR25Outsider);
  }
  CheckActor(b, in.requester, in.professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideAssentOnwardUse(const AssentOnwardUseInput& in) const {
  v1::Decision decision;
  DecisionBuilder b(&decision, in.language, version_);
  const v1::Party* requester = in.requester;
  const bool is_supplier = requester != nullptr && !requester->oin().empty() &&
                           requester->oin() == in.item.supplier_oin();
  // Who the audience was is the supplier's to know, not another party's.
  if (!is_supplier) {
    b.NotApplicable(RuleId::kR25, Msg::kR25NotJudged);
  } else if (Contains(in.item.audience_oins(), in.party_oin)) {
    b.Pass(RuleId::kR25, Msg::kR25PartyInAudience);
  } else {
    b.Fail(RuleId::kR25, Msg::kR25PartyNotInAudience);
  }
  if (is_supplier) {
    b.Pass(RuleId::kR26, Msg::kR26Supplier);
  } else {
    b.Fail(RuleId::kR26, Msg::kR26NotSupplier);
  }
  CheckActor(b, requester, in.professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideOnwardUse(const OnwardUseInput& in) const {
  v1::Decision decision;
  DecisionBuilder b(&decision, in.language, version_);
  const absl::string_view oin =
      in.requester != nullptr ? absl::string_view(in.requester->oin()) : absl::string_view();
  if (!oin.empty() && Contains(in.item.audience_oins(), oin)) {
    b.Pass(RuleId::kR25, Msg::kR25InAudience);
  } else {
    b.Fail(RuleId::kR25, Msg::kR25NotInAudience);
  }
  if (!oin.empty() && Contains(in.item.onward_use_assented_oins(), oin)) {
    b.Pass(RuleId::kR26, Msg::kR26Assent);
  } else {
    b.Fail(RuleId::kR26, Msg::kR26NoAssent);
  }
  CheckActor(b, in.requester, in.professional_id);  // R27
  b.Finish();
  return decision;
}

}  // namespace wams::policy
