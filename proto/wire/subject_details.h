// subject_details.h: when identifying details stand in for the BSN (R19),
// and their canonical bytes for a keyed hash.
//
// A party that may not process the BSN finds the person by what the
// requester supplies instead (wams.broker.v1.SubjectDetails): its own client
// number, or family name, date of birth, postal code and house number
// together. The broker's policy (R19) and the adapter SDK judge "enough"
// with this one definition, so both sides of the trust boundary agree.
//
//   if (!wire::IdentifiesSubject(request.subject_details())) return Refuse("R19");
//   receipt.set_subject_details_hmac(*subject_keys.Keyed(
//       bsn, wire::SubjectDetailsHashInput(request.subject_details())));
//
// Thread-safety: pure functions.
#ifndef WAMS_PROTO_WIRE_SUBJECT_DETAILS_H_
#define WAMS_PROTO_WIRE_SUBJECT_DETAILS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "wams/broker/v1/common.pb.h"

namespace wams::wire {

// The fields `details` lacks to identify the subject: empty when
// party_client_number is set, or family_name, date_of_birth, postal_code and
// house_number all are (given_names is never required). Otherwise the missing
// ones of those four, in field order. Blank (whitespace only) counts as
// missing. Only presence is judged here; the field rules judge the syntax.
std::vector<absl::string_view> MissingSubjectDetails(const broker::v1::SubjectDetails& details);

// MissingSubjectDetails(details).empty().
bool IdentifiesSubject(const broker::v1::SubjectDetails& details);

// True when any field of `details` is set.
bool HasSubjectDetails(const broker::v1::SubjectDetails& details);

// The canonical bytes of `details` for a keyed hash (the receipt's
// subject_details_hmac): "wams-subject-details/1", then family_name,
// given_names, date_of_birth, postal_code, house_number and
// party_client_number, each as a 4-byte big-endian length and its bytes.
// Independent of protobuf's encoding, so an auditor holding the key can
// recompute it from the details alone.
std::string SubjectDetailsHashInput(const broker::v1::SubjectDetails& details);

}  // namespace wams::wire

#endif  // WAMS_PROTO_WIRE_SUBJECT_DETAILS_H_
