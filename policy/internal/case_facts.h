// case_facts.h (internal): what a case, a party or a conference says, read
// the one way every decision reads it (is the case open, who is its
// municipality, who coordinates, who takes part). Pure functions over protos;
// no rule results. Not part of the public API.
//
// Thread-safety: pure functions.
#ifndef WAMS_POLICY_INTERNAL_CASE_FACTS_H_
#define WAMS_POLICY_INTERNAL_CASE_FACTS_H_

#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_field.h"
#include "wams/broker/v1/case.pb.h"
#include "wams/broker/v1/common.pb.h"
#include "wams/broker/v1/conference.pb.h"

namespace wams::policy::internal {

namespace v1 = ::wams::broker::v1;

// Awaiting a decision, in research or in coordination.
bool IsOpen(const v1::Case& c);

// `party` is a municipality and the case's own (same, non-empty OIN).
bool IsMunicipalityOf(const v1::Case& c, const v1::Party& party);

// `party` with `professional_id` is the case's designated coordinator (party
// OIN and professional id both match; an empty professional id never does).
bool IsDesignatedCoordinator(const v1::Case& c, const v1::Party& party,
                             absl::string_view professional_id);

// `oin` is listed among the case's involved parties.
bool IsInvolved(const v1::Case& c, absl::string_view oin);

// `party` lists `name` among the categories it offers.
bool Lists(const v1::Party& party, absl::string_view name);

bool ContainsDomain(const google::protobuf::RepeatedField<int>& domains, v1::Domain domain);

// The client of the case with this BSN, or nullptr.
const v1::CaseClient* FindPerson(const v1::Case& c, absl::string_view bsn);

// The case's primary client, or nullptr.
const v1::CaseClient* PrimaryClient(const v1::Case& c);

// Research, coordination or case conference (R07).
bool IsAllowedPurpose(v1::Purpose purpose);

// The phase a purpose belongs to. A case conference is held for research or
// coordination, whichever phase the case is in.
enum class Track { kNone, kResearch, kCoordination };
Track TrackOf(v1::Purpose purpose, const v1::Case* c);

// The distinct known social-domain laws in `laws` (R01, R12); unknown
// numbers and repeats do not count.
int DistinctSocialLaws(const google::protobuf::RepeatedField<int>& laws);

// `oin` is the conference's convener or one of its invitees.
bool IsParticipant(const v1::Conference& conference, absl::string_view oin);

}  // namespace wams::policy::internal

#endif  // WAMS_POLICY_INTERNAL_CASE_FACTS_H_
