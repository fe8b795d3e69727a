#include "policy/subject_key.h"

#include "policy/internal/names.h"

namespace wams::policy {

SubjectKey SubjectKey::Of(const v1::CaseClient& client) {
  return client.bsn().empty() ? Pseudonym(client.subject_pseudonym()) : Bsn(client.bsn());
}

bool SubjectKey::Matches(const v1::CaseClient& client) const {
  if (empty()) return false;
  // FastEquals: consents are filtered in the policy's hot loop.
  return internal::FastEquals(kind_ == Kind::kBsn ? client.bsn() : client.subject_pseudonym(),
                              value_);
}

bool SubjectKey::Matches(const v1::Consent& consent) const {
  if (empty()) return false;
  return internal::FastEquals(
      kind_ == Kind::kBsn ? consent.subject_bsn() : consent.subject_pseudonym(), value_);
}

}  // namespace wams::policy
