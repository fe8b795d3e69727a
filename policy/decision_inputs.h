// decision_inputs.h: what each Policy decision looks at, one struct per
// decision (included by policy.h; include that).
//
// Call with designated initializers, in the order the fields are declared;
// fields left out take the default stated below, and a reference field must
// be given (the compiler says so):
//
//   policy.Decide({.case_snapshot = found ? &c : nullptr, .requester = &caller, ...});
//   policy.DecideConvene({.case_snapshot = c,
//                         .requester = caller.party,
//                         .professional_id = caller.professional_id,
//                         .language = v1::LANGUAGE_ENGLISH});
//
// Nothing here is owned: every pointer, reference and view must stay valid
// during the call only. A null pointer means "not found" or "unknown" and is
// refused with a citation, never dereferenced. `language`: the language of
// the messages; LANGUAGE_UNSPECIFIED (the default) means Dutch.
//
// Thread-safety: plain values; no state.
#ifndef WAMS_POLICY_DECISION_INPUTS_H_
#define WAMS_POLICY_DECISION_INPUTS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "google/protobuf/repeated_field.h"
#include "wams/broker/v1/case.pb.h"
#include "wams/broker/v1/common.pb.h"
#include "wams/broker/v1/conference.pb.h"

namespace wams::policy {

namespace v1 = ::wams::broker::v1;

// What the requester wants to do with the target party.
enum class RequestKind {
  // Ask the target (a provider) for data about the subject (ExchangeService.RequestData
  // and its dry run CheckRequest).
  kDataRequest,
  // The municipality shares its own data with the target, a party involved in the
  // case (ExchangeService.ShareData, R21).
  kShareData,
};

// A read-only view of a list of category names, accepting both a proto's
// `repeated string` and a contiguous container without copying. Like
// absl::string_view it does not own the names: the source must outlive it.
class CategoryList {
 public:
  CategoryList() = default;
  // Implicit on purpose: callers pass request.categories() or a vector directly.
  CategoryList(const google::protobuf::RepeatedPtrField<std::string>& names)  // NOLINT
      : repeated_(&names) {}
  CategoryList(absl::Span<const std::string> names) : span_(names) {}    // NOLINT
  CategoryList(const std::vector<std::string>& names) : span_(names) {}  // NOLINT

  std::size_t size() const {
    return repeated_ != nullptr ? static_cast<std::size_t>(repeated_->size()) : span_.size();
  }
  bool empty() const { return size() == 0; }
  absl::string_view operator[](std::size_t i) const {
    return repeated_ != nullptr ? absl::string_view((*repeated_)[static_cast<int>(i)])
                                : absl::string_view(span_[i]);
  }

 private:
  const google::protobuf::RepeatedPtrField<std::string>* repeated_ = nullptr;
  absl::Span<const std::string> span_;
};

// --- Data requests and shares (Policy::Decide) -----------------------------------

// Everything Policy::Decide looks at: a data request (and its dry run) or a share.
struct DecisionInput {
  // The case as stored now; nullptr when the request names no known case (R09).
  const v1::Case* case_snapshot = nullptr;
  // The calling party, from its mTLS identity; nullptr when unknown (R27).
  const v1::Party* requester = nullptr;
  // The acting professional within the requester, from request metadata. Must be
  // non-empty (R27) and, for coordination, equal the designated coordinator's id (R10).
  absl::string_view professional_id;
  // The party asked for data (kDataRequest) or receiving data (kShareData), from the
  // same registry the Policy was created from; nullptr when unknown (R27).
  const v1::Party* target = nullptr;
  // Data request or share.
  RequestKind kind = RequestKind::kDataRequest;
  // Why (R07, R08).
  v1::Purpose purpose = v1::PURPOSE_UNSPECIFIED;
  // BSN of the one subject: a client of the case (R09, R11). Its client and
  // consents are found by this BSN (SubjectKey::Bsn, subject_key.h), so the
  // snapshot carries it on them again (the broker stores only pseudonyms).
  absl::string_view subject_bsn;
  // What identifies the subject to a target that may not process the BSN
  // (R19): enough of them, or the request is refused. nullptr: none given.
  const v1::SubjectDetails* subject_details = nullptr;
  // The named categories (R06): offered by the target for a data request, by the
  // requester for a share.
  CategoryList categories;
  // Why these categories are necessary at this step (R06, R21).
  absl::string_view justification;
  v1::Language language = v1::LANGUAGE_UNSPECIFIED;
};

// --- Case management -----------------------------------------------------------
// In each: `requester` (or `actor`) is the calling party from its mTLS
// identity, nullptr when unknown (R27); `professional_id` the acting
// professional from request metadata, non-empty (R27).

// Policy::DecideClientRequest (OpenClientCase).
struct ClientRequestInput {
  const v1::Party* requester = nullptr;
  absl::string_view professional_id;
  // The laws help is asked under (R01); repeats and unknown numbers do not count.
  const google::protobuf::RepeatedField<int>& social_laws;
  v1::Language language = v1::LANGUAGE_UNSPECIFIED;
};

// Policy::DecideProfessionalRequest (OpenProfessionalCase).
struct ProfessionalRequestInput {
  const v1::Party* requester = nullptr;
  absl::string_view professional_id;
  // The grounds (a), (b), (c) and the reasons the professional states (R02).
  const v1::ProfessionalGrounds& grounds;
  v1::Language language = v1::LANGUAGE_UNSPECIFIED;
};

// Policy::DecideOnProfessionalRequest (the municipality's decision on it).
struct OnProfessionalRequestInput {
  // The case the professional's request opened, as stored now.
  const v1::Case& case_snapshot;
  const v1::Party* requester = nullptr;
  absl::string_view professional_id;
  v1::Language language = v1::LANGUAGE_UNSPECIFIED;
};

// Policy::DecideRecordConsent.
struct RecordConsentInput {
  // The case's client the consent is of (found by the subject's pseudonym);
  // nullptr when the subject is no client of the case (R11).
  const v1::CaseClient* subject = nullptr;
  v1::Language language = v1::LANGUAGE_UNSPECIFIED;
};

// Policy::DecideStartCoordination.
struct StartCoordinationInput {
  const v1::Case& case_snapshot;
  const v1::Party* requester = nullptr;
  absl::string_view professional_id;
  // The coordination asked for: a designated coordinator or self-coordination (R13).
  const v1::Coordination& coordination;
  v1::Language language = v1::LANGUAGE_UNSPECIFIED;
};

// Policy::DecideRole.
struct RoleInput {
  // The calling party; nullptr when unknown.
  const v1::Party* actor = nullptr;
  // The caller's reading of the registry role the call needs (OpenClientCase:
  // a municipality; AuditService: an auditor or the privacy officer).
  bool role_fits = false;
  v1::Language language = v1::LANGUAGE_UNSPECIFIED;
};

// --- Case conference -------------------------------------------------------------
// `case_snapshot` is the conference's case as stored now, `conference` the
// conference as stored now; `requester`, `supplier` and `professional_id` as
// above.

// Policy::DecideConvene.
struct ConveneInput {
  const v1::Case& case_snapshot;
  const v1::Party* requester = nullptr;
  absl::string_view professional_id;
  v1::Language language = v1::LANGUAGE_UNSPECIFIED;
};

// Policy::DecideInvite.
struct InviteInput {
  const v1::Case& case_snapshot;
  const v1::Conference& conference;
  const v1::Party* requester = nullptr;
  absl::string_view professional_id;
  // The invitation asked for: the invitee's OIN and the necessity reason (R23).
  const v1::Invitation& invitation;
  // The registry entry of invitation.party_oin(); nullptr when unknown.
  const v1::Party* invitee = nullptr;
  v1::Language language = v1::LANGUAGE_UNSPECIFIED;
};

// Policy::DecideClientInvitation.
struct ClientInvitationInput {
  const v1::Case& case_snapshot;
  const v1::Conference& conference;
  const v1::Party* requester = nullptr;
  absl::string_view professional_id;
  // Whether the client is invited.
  bool invited = false;
  // Why not, when not invited (R23).
  absl::string_view weighty_interests;
  v1::Language language = v1::LANGUAGE_UNSPECIFIED;
};

// Policy::DecideShareItem.
struct ShareItemInput {
  // The case with its consents (the consent of its primary client counts,
  // R17), as stored: consents are matched on the primary client's key
  // (SubjectKey::Of: its BSN where the case carries one, else its pseudonym).
  const v1::Case& case_snapshot;
  const v1::Conference& conference;
  // The party sharing the item; nullptr when unknown.
  const v1::Party* supplier = nullptr;
  absl::string_view professional_id;
  // The item: categories, audience, onward-use assents.
  const v1::ConferenceItem& item;
  v1::Language language = v1::LANGUAGE_UNSPECIFIED;
};

// Policy::DecideFetchItems.
struct FetchItemsInput {
  const v1::Case& case_snapshot;
  const v1::Conference& conference;
  const v1::Party* requester = nullptr;
  absl::string_view professional_id;
  v1::Language language = v1::LANGUAGE_UNSPECIFIED;
};

// Policy::DecideAssentOnwardUse.
struct AssentOnwardUseInput {
  // The item as stored (supplier, audience, assents so far).
  const v1::ConferenceItem& item;
  const v1::Party* requester = nullptr;
  absl::string_view professional_id;
  // The party the supplier assents for.
  absl::string_view party_oin;
  v1::Language language = v1::LANGUAGE_UNSPECIFIED;
};

// Policy::DecideOnwardUse.
struct OnwardUseInput {
  const v1::ConferenceItem& item;
  const v1::Party* requester = nullptr;
  absl::string_view professional_id;
  v1::Language language = v1::LANGUAGE_UNSPECIFIED;
};

}  // namespace wams::policy

#endif  // WAMS_POLICY_DECISION_INPUTS_H_
