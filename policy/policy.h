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
// The case and conference decisions take one input struct each
// (decision_inputs.h), best written with designated initializers:
//
//   v1::Decision d = policy.DecideConvene({.case_snapshot = the_case,
//                                          .requester = caller.party,
//                                          .professional_id = caller.professional_id,
//                                          .language = v1::LANGUAGE_ENGLISH});
//
// The implementation has one file per room: policy.cc (Create, the version),
// request_rules.cc (Decide), answer_rules.cc (CheckAnswer), case_decisions.cc
// and conference_decisions.cc; internal/ holds the decision builder, the
// facts about a case, the consent lookup and the checks they share. The rule
// catalogue (every rule, what is checked where, what a person judges) is
// policy/rules.md.
//
// Thread-safety: a Policy is immutable after Create(); every method is const
// and safe to call concurrently. Decisions are deterministic: the same input
// gives the same Decision, byte for byte under deterministic serialisation.
#ifndef WAMS_POLICY_POLICY_H_
#define WAMS_POLICY_POLICY_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_field.h"
#include "policy/catalogue.h"
#include "policy/decision_inputs.h"
#include "wams/broker/v1/case.pb.h"
#include "wams/broker/v1/common.pb.h"
#include "wams/broker/v1/conference.pb.h"
#include "wams/broker/v1/config.pb.h"
#include "wams/broker/v1/provider.pb.h"

namespace wams::policy {

namespace v1 = ::wams::broker::v1;

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
  // Each takes its own input struct (decision_inputs.h) and gives a Decision
  // of the same shape as Decide's, with the rules named below.

  // OpenClientCase (R01): help is asked under at least one known social-domain
  // law (repeats and unknown numbers not counted); the requester is an
  // identified professional (R27).
  v1::Decision DecideClientRequest(const ClientRequestInput& in) const;

  // OpenProfessionalCase (R02): the grounds state (c) and (a) or (b), and reasons;
  // the requester is an identified provider or municipality professional (R27).
  v1::Decision DecideProfessionalRequest(const ProfessionalRequestInput& in) const;

  // DecideProfessionalRequest (the municipality's decision on a professional's
  // request): R02 the case awaits that decision, R27 the acting professional
  // is identified.
  v1::Decision DecideOnProfessionalRequest(const OnProfessionalRequestInput& in) const;

  // RecordConsent (R11): the consent's subject is a client of the case. A
  // family member is added, with their agreement, before a consent of theirs
  // is recorded.
  v1::Decision DecideRecordConsent(const RecordConsentInput& in) const;

  // StartCoordination: a professional case accepted and informed (R02), case
  // open (R09), the municipality of the case (R10, R27) in research (R10), a
  // duty or power to coordinate (R12), and either a designated coordinator of
  // the municipality or an involved party, or self-coordination (R13; allowed,
  // but then no coordination request will pass).
  v1::Decision DecideStartCoordination(const StartCoordinationInput& in) const;

  // R27 alone, for a call only some roles may make (OpenClientCase: a
  // municipality; AuditService: an auditor or the privacy officer): the actor
  // is a known party and `role_fits`.
  v1::Decision DecideRole(const RoleInput& in) const;

  // --- Case conference -------------------------------------------------------

  // Convene: case open (R09); the municipality of the case in research, the
  // designated coordinator (party and professional) in coordination (R22); R27.
  v1::Decision DecideConvene(const ConveneInput& in) const;

  // Invite a party: R09; R22 the convener, still entitled; R23 a necessity
  // reason and a known non-auditor invitee matching invitation.party_oin(); R27.
  v1::Decision DecideInvite(const InviteInput& in) const;

  // Invite the client or record why not: R09; R22 the convener, still
  // entitled; R23 not inviting the client needs the weighty interests stated;
  // R27.
  v1::Decision DecideClientInvitation(const ClientInvitationInput& in) const;

  // Share an item: R06 the categories it names are offered by the supplier
  // (not applicable without categories); R09 case open; R25 the supplier takes
  // part and the audience is non-empty and all invited; R26 onward use
  // assented only for parties in the audience; R24 with R17/R18 obligations
  // for what care, police and justice suppliers share (consent of the case's
  // primary client for the supplier); R27.
  v1::Decision DecideShareItem(const ShareItemInput& in) const;

  // Fetch the items addressed to one: R09 case open (nothing is fetched after
  // the case ends), R25 the requester takes part in the conference, R27.
  v1::Decision DecideFetchItems(const FetchItemsInput& in) const;

  // The supplier of an item assents to its onward use by `party_oin`: R25 the
  // party was in the item's audience (judged for the supplier only); R26 only
  // the supplier assents; R27.
  v1::Decision DecideAssentOnwardUse(const AssentOnwardUseInput& in) const;

  // Take an item into one's own task: R25 the requester was in its audience,
  // R26 the supplier assented for this party, R27.
  v1::Decision DecideOnwardUse(const OnwardUseInput& in) const;

 private:
  Policy(Catalogue catalogue, std::string digest_hex);

  Catalogue catalogue_;
  std::string digest_hex_;
  std::string version_;
};

}  // namespace wams::policy

#endif  // WAMS_POLICY_POLICY_H_
