// consents.h (internal): which secrecy regime asks for what (R17, R18), and
// the explicit consent each requested category can rely on. Shared by the
// data request (request_rules.cc) and a conference share (conference
// decisions). Not part of the public API.
//
//   ConsentList consents = ConsentsOf(c, SubjectKey::Bsn(subject_bsn), provider_oin);
//   ConsentIds ids = ResolveConsents(consents, categories);   // ids[i]: nullptr if none
//
// Thread-safety: pure functions; the lists point into the case and must not
// outlive it.
#ifndef WAMS_POLICY_INTERNAL_CONSENTS_H_
#define WAMS_POLICY_INTERNAL_CONSENTS_H_

#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "policy/decision_inputs.h"
#include "policy/subject_key.h"
#include "wams/broker/v1/case.pb.h"
#include "wams/broker/v1/common.pb.h"

namespace wams::policy::internal {

namespace v1 = ::wams::broker::v1;

// Medical secrecy or SKJ youth care (R17): explicit consent or a good-care
// statement. An unset regime (a party that bypassed the validated registry)
// gets this stricter rule rather than none.
bool NeedsConsentOrGoodCare(v1::SecrecyRegime regime);

// Police (Wpg) or justice (Wjsg) data (R18): the provider names its legal basis.
bool NeedsLegalBasis(v1::SecrecyRegime regime);

// The explicit, unwithdrawn consents of one subject for one provider, the
// subject matched on its key (a BSN or a pseudonym, subject_key.h). Filtering
// once keeps the per-category lookup short even in a case with many consents.
// An empty key has none.
using ConsentList = absl::InlinedVector<const v1::Consent*, 8>;
ConsentList ConsentsOf(const v1::Case& c, const SubjectKey& subject,
                       absl::string_view provider_oin);

// ids[i] = the id of the first consent in `consents` covering categories[i],
// or nullptr. A category named twice reports the same consent.
using ConsentIds = absl::InlinedVector<const std::string*, 16>;
ConsentIds ResolveConsents(const ConsentList& consents, const CategoryList& categories);

}  // namespace wams::policy::internal

#endif  // WAMS_POLICY_INTERNAL_CONSENTS_H_
