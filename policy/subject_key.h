// subject_key.h: the key a person is matched on in a case: a BSN or the
// HMAC pseudonym the broker stores instead, never one passed as the other.
//
// A data request names its subject by BSN, and the broker's snapshot of the
// case carries that BSN again for the subject's client and consents
// (broker/cases/case_reader.h); a case as stored (a case conference) holds
// only pseudonyms. A key says which of the two it is, so each side of a
// match compares like with like:
//
//   SubjectKey::Bsn(request.subject_bsn()).Matches(consent)   // consent.subject_bsn()
//   SubjectKey::Of(*primary_client).Matches(consent)           // its BSN, else its pseudonym
//
// A SubjectKey is a view, like absl::string_view: it does not own the text,
// which must outlive it. A default (kNone) or empty key matches nobody.
//
// Thread-safety: a plain value; no state.
#ifndef WAMS_POLICY_SUBJECT_KEY_H_
#define WAMS_POLICY_SUBJECT_KEY_H_

#include "absl/strings/string_view.h"
#include "wams/broker/v1/case.pb.h"

namespace wams::policy {

namespace v1 = ::wams::broker::v1;

class SubjectKey {
 public:
  enum class Kind {
    kNone,       // matches nobody
    kBsn,        // a BSN: compared with CaseClient.bsn, Consent.subject_bsn
    kPseudonym,  // an HMAC pseudonym: compared with the subject_pseudonym fields
  };

  SubjectKey() = default;
  static SubjectKey Bsn(absl::string_view bsn) { return SubjectKey(Kind::kBsn, bsn); }
  static SubjectKey Pseudonym(absl::string_view pseudonym) {
    return SubjectKey(Kind::kPseudonym, pseudonym);
  }
  // The key of a client of a case: its BSN where the case carries one (a
  // snapshot for a request about this person), else its pseudonym as stored.
  static SubjectKey Of(const v1::CaseClient& client);

  Kind kind() const { return kind_; }
  absl::string_view value() const { return value_; }
  // False for kNone and for an empty value.
  bool empty() const { return kind_ == Kind::kNone || value_.empty(); }

  // Whether the client or consent is of this person, compared on the field
  // of the key's kind. An empty key matches nothing.
  bool Matches(const v1::CaseClient& client) const;
  bool Matches(const v1::Consent& consent) const;

 private:
  SubjectKey(Kind kind, absl::string_view value) : kind_(kind), value_(value) {}

  Kind kind_ = Kind::kNone;
  absl::string_view value_;
};

}  // namespace wams::policy

#endif  // WAMS_POLICY_SUBJECT_KEY_H_
