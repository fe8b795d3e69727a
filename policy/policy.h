// policy.h: the Wams rules as pure, explainable decision functions.
//
// A Policy is built once from the broker configuration (category catalogue and
// party registry). For every request it answers whether the request may go
// ahead and why: each rule it checked appears in the v1::Decision with its ID,
// article, outcome (PASSED / FAILED / NOT_APPLICABLE) and a plain-language
// message in Dutch or English. Deny by default: a Decision is allowed only when
// no rule failed. The same function serves the dry run (CheckRequest) and the
// real request, so the two can never disagree.
//
//   WAMS_ASSIGN_OR_RETURN(wams::policy::Policy policy, wams::policy::Policy::Create(config));
//
//   wams::policy::DecisionInput in;
//   in.case_snapshot = found ? &the_case : nullptr;
//   in.requester = &caller;               // from the mTLS identity
//   in.professional_id = professional_id; // from request metadata
//   in.target = provider;                 // registry lookup of request.provider_oin()
//   in.kind = wams::policy::RequestKind::kDataRequest;
//   in.purpose = request.purpose();
//   in.subject_bsn = request.subject_bsn();
//   in.subject_details = &request.subject_details();   // R19
//   in.categories = request.categories();
//   in.justification = request.justification();
//   in.language = request.language();
//   v1::Decision decision = policy.Decide(in);
//   if (!decision.allowed()) return Refuse(decision);          // receipted too
//   bool send_bsn = wams::policy::ForwardsBsn(decision, *provider);              // R19
//   bool send_details = wams::policy::ForwardsSubjectDetails(decision, *provider);
//   ... forward with decision.obligations() and decision.consent_basis() ...
//   v1::Decision verdict = policy.CheckAnswer(decision, provider_response, in.language);
//   if (!verdict.allowed()) return Block(verdict);            // verdict.failed_rule_ids()
//
// Thread-safety: a Policy is immutable after Create(); every method is const
// and safe to call concurrently. Decisions are deterministic: the same input
// gives the same Decision, byte for byte under deterministic serialisation.
#ifndef WAMS_POLICY_POLICY_H_
#define WAMS_POLICY_POLICY_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "google/protobuf/repeated_field.h"
#include "policy/catalogue.h"
#include "wams/broker/v1/case.pb.h"
#include "wams/broker/v1/common.pb.h"
#include "wams/broker/v1/conference.pb.h"
#include "wams/broker/v1/config.pb.h"
#include "wams/broker/v1/provider.pb.h"

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

// Everything Decide() looks at. Nothing is owned: every pointer and view must
// stay valid during the call only. A null pointer means "not found" and is
// refused with a citation, never dereferenced.
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
  // BSN of the one subject: a client of the case (R09, R11).
  absl::string_view subject_bsn;
  // What identifies the subject to a target that may not process the BSN
  // (R19): enough of them, or the request is refused. nullptr: none given.
  const v1::SubjectDetails* subject_details = nullptr;
  // The named categories (R06): offered by the target for a data request, by the
  // requester for a share.
  CategoryList categories;
  // Why these categories are necessary at this step (R06, R21).
  absl::string_view justification;
  // Language of the messages; LANGUAGE_UNSPECIFIED means Dutch.
  v1::Language language = v1::LANGUAGE_UNSPECIFIED;
};

// R19, what identifies the subject to `target` (the party the Decision was
// made for). ForwardsBsn: a granted Decision lets the broker send the BSN
// (the target may process it; identifying details, if supplied, are not
// sent). ForwardsSubjectDetails: a granted Decision lets the broker send the
// identifying details instead, never the BSN (the target may not process it;
// R19 passed only because the details identify the person). At most one of
// the two is true; both are false for a refusal.
bool ForwardsBsn(const v1::Decision& decision, const v1::Party& target);
bool ForwardsSubjectDetails(const v1::Decision& decision, const v1::Party& target);

// Whether coordination is a duty or a power in `c` (R12): two or more distinct
// social-domain laws make it a duty; one law plus an adjacent domain (not
// DOMAIN_SOCIAL) a power; anything else COORDINATION_GROUND_NONE. The one
// reading of R12: DecideStartCoordination and the case's field use it.
v1::CoordinationGround CoordinationGroundOf(const v1::Case& c);

// Who coordinates `c` (R13), from its coordination: a designated professional
// of the municipality or of an involved party, self-coordination, or
// COORDINATOR_KIND_UNSPECIFIED before coordination started.
v1::CoordinatorKind CoordinatorKindOf(const v1::Case& c);

class Policy {
 public:
  // Builds the policy from the configuration's catalogs and parties (see
  // Catalogue::Create for what is rejected: INVALID_ARGUMENT naming the field).
  static absl::StatusOr<Policy> Create(const v1::BrokerConfig& config);
  static absl::StatusOr<Policy> Create(
      const google::protobuf::RepeatedPtrField<v1::CategoryCatalog>& catalogs,
      const google::protobuf::RepeatedPtrField<v1::Party>& parties);

  // "wams-policy-1/<first 16 hex of SHA-256>", over the engine revision, the rule
  // table (IDs and articles) and the catalogue's canonical text. Put in every
  // Decision so an auditor can replay it against the same policy.
  const std::string& version() const { return version_; }
  // The full hex SHA-256 behind version().
  const std::string& digest_hex() const { return digest_hex_; }
  const Catalogue& catalogue() const { return catalogue_; }

  // The data request and share decision. Checks, in this order: R02, R04, R06,
  // R07, R08, R09, R10, R11, R12, R13, R16, R17, R18, R19, R21, R27; every one
  // appears in decision.rules(). When allowed, obligations hold R16 (conditions
  // and weighty reasons allowed), R17 (good-care statement for medical/SKJ
  // categories without explicit, unwithdrawn consent of the subject for the
  // target) and R18 (legal basis for Wpg/Wjsg categories). For a data request
  // consent_basis holds one entry per requested category, in request order
  // (also on a refusal, for the auditor); CheckAnswer relies on it.
  v1::Decision Decide(const DecisionInput& in) const;
  // The same, filling `*out` (cleared first). For hot paths: with `out` on a
  // protobuf arena (e.g. the gRPC response's decision field) or a reused
  // message, the decision costs almost no heap allocation.
  void Decide(const DecisionInput& in, v1::Decision* out) const;

  // Checks a provider's answer to a granted data request against its Decision:
  // R16 (status set; refusal and withholding state reasons; a partial answer lists
  // the withheld categories; only requested categories, each once; a full answer
  // has them all), R17 (good-care statement where that obligation was placed and
  // such a category was provided), R18 (legal basis likewise). allowed() false
  // means the answer is blocked: not delivered, receipted as blocked, with
  // failed_rule_ids naming why.
  v1::Decision CheckAnswer(const v1::Decision& decision, const v1::ProviderResponse& answer,
                           v1::Language language) const;
  // The same, filling `*out` (cleared first; must not alias `decision`).
  void CheckAnswer(const v1::Decision& decision, const v1::ProviderResponse& answer,
                   v1::Language language, v1::Decision* out) const;

  // --- Case management -------------------------------------------------------

  // OpenClientCase (R01): help is asked under at least one known social-domain
  // law (`social_laws`, repeats and unknown numbers not counted); the
  // requester is an identified professional (R27).
  v1::Decision DecideClientRequest(const v1::Party* requester, absl::string_view professional_id,
                                   const google::protobuf::RepeatedField<int>& social_laws,
                                   v1::Language language) const;

  // OpenProfessionalCase (R02): the grounds state (c) and (a) or (b), and reasons;
  // the requester is an identified provider or municipality professional (R27).
  v1::Decision DecideProfessionalRequest(const v1::Party* requester,
                                         absl::string_view professional_id,
                                         const v1::ProfessionalGrounds& grounds,
                                         v1::Language language) const;

  // DecideProfessionalRequest (the municipality's decision on a professional's
  // request): R02 the case awaits that decision, R27 the acting professional
  // is identified.
  v1::Decision DecideOnProfessionalRequest(const v1::Case& case_snapshot,
                                           const v1::Party* requester,
                                           absl::string_view professional_id,
                                           v1::Language language) const;

  // RecordConsent (R11): the consent's subject is a client of the case
  // (`subject`, the case's client with the subject's pseudonym, or null). A
  // family member is added, with their agreement, before a consent of theirs
  // is recorded.
  v1::Decision DecideRecordConsent(const v1::CaseClient* subject, v1::Language language) const;

  // StartCoordination: the municipality of the case (R27, R10) in research (R09,
  // R10), a professional case accepted and informed (R02), a duty or power to
  // coordinate (R12), and either a designated coordinator of the municipality or
  // an involved party, or self-coordination (R13; allowed, but then no
  // coordination request will pass).
  v1::Decision DecideStartCoordination(const v1::Case& case_snapshot, const v1::Party* requester,
                                       absl::string_view professional_id,
                                       const v1::Coordination& coordination,
                                       v1::Language language) const;

  // R27 alone, for a call only some roles may make (OpenClientCase: a
  // municipality; AuditService: an auditor or the privacy officer): the actor
  // is a known party and `role_fits`, the caller's reading of the registry
  // role the call needs.
  v1::Decision DecideRole(const v1::Party* actor, bool role_fits, v1::Language language) const;

  // --- Case conference -------------------------------------------------------

  // Convene (R22): the municipality of the case in research, the designated
  // coordinator (party and professional) in coordination; case open (R09).
  v1::Decision DecideConvene(const v1::Case& case_snapshot, const v1::Party* requester,
                             absl::string_view professional_id, v1::Language language) const;

  // Invite a party (R22 convener acting, R23 a necessity reason, a known
  // non-auditor invitee matching invitation.party_oin()).
  v1::Decision DecideInvite(const v1::Case& case_snapshot, const v1::Conference& conference,
                            const v1::Party* requester, absl::string_view professional_id,
                            const v1::Invitation& invitation, const v1::Party* invitee,
                            v1::Language language) const;

  // Invite the client or record why not (R22 convener acting, R23: not inviting
  // the client needs the weighty interests stated).
  v1::Decision DecideClientInvitation(const v1::Case& case_snapshot,
                                      const v1::Conference& conference, const v1::Party* requester,
                                      absl::string_view professional_id, bool invited,
                                      absl::string_view weighty_interests,
                                      v1::Language language) const;

  // Share an item (R06 the categories it names are offered by the supplier,
  // R09 case open, R25 supplier participates and the audience is
  // non-empty and all invited, R24 with R17/R18 obligations for what care, police
  // and justice suppliers share; consent is looked up for the case's primary
  // client and the supplier).
  v1::Decision DecideShareItem(const v1::Case& case_snapshot, const v1::Conference& conference,
                               const v1::Party* supplier, absl::string_view professional_id,
                               const v1::ConferenceItem& item, v1::Language language) const;

  // Fetch the items addressed to one (R09 case open, R25 the requester takes
  // part in the conference, R27).
  v1::Decision DecideFetchItems(const v1::Case& case_snapshot, const v1::Conference& conference,
                                const v1::Party* requester, absl::string_view professional_id,
                                v1::Language language) const;

  // The supplier of an item assents to its onward use by `party_oin` (R25 the
  // party was in the item's audience, judged for the supplier only; R26 only
  // the supplier assents; R27).
  v1::Decision DecideAssentOnwardUse(const v1::ConferenceItem& item, const v1::Party* requester,
                                     absl::string_view professional_id, absl::string_view party_oin,
                                     v1::Language language) const;

  // Take an item into one's own task (R25 the requester was in its audience, R26
  // the supplier assented for this party).
  v1::Decision DecideOnwardUse(const v1::ConferenceItem& item, const v1::Party* requester,
                               absl::string_view professional_id, v1::Language language) const;

 private:
  Policy(Catalogue catalogue, std::string digest_hex);

  Catalogue catalogue_;
  std::string digest_hex_;
  std::string version_;
};

}  // namespace wams::policy

#endif  // WAMS_POLICY_POLICY_H_
