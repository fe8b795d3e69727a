// catalogue.h: the data-category catalogue and the party registry the policy
// decides against, validated once at start-up.
//
// Built from the configuration's `repeated CategoryCatalog` (one per domain)
// and `repeated Party`. Create() rejects, with INVALID_ARGUMENT naming the
// field, everything that would make a decision ambiguous: an unknown or
// duplicate domain, an empty, malformed, wildcard-like or duplicate category
// name, a malformed or duplicate party OIN, an unset party domain, role or
// secrecy regime, and a party offering a category that is not in its domain's
// catalogue, e.g.
//
//   parties[2].data_categories[1]: "xyz" is not in the catalogue of DOMAIN_EDUCATION
//
// Usage:
//
//   WAMS_ASSIGN_OR_RETURN(wams::policy::Catalogue catalogue,
//                         wams::policy::Catalogue::Create(config.catalogs(),
//                                                         config.parties()));
//   if (catalogue.Offers(ggz, "treatment_summary")) {
//     v1::SecrecyRegime regime = catalogue.EffectiveRegime(ggz, "treatment_summary");
//   }
//
// Thread-safety: immutable after Create(); const methods are safe to call
// concurrently.
#ifndef WAMS_POLICY_CATALOGUE_H_
#define WAMS_POLICY_CATALOGUE_H_

#include <array>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_field.h"
#include "wams/broker/v1/common.pb.h"

namespace wams::policy {

namespace v1 = ::wams::broker::v1;

class Catalogue {
 public:
  // Validates and indexes the catalogue and the parties (see the file comment
  // for what is rejected). Copies what it needs; the arguments may go away.
  static absl::StatusOr<Catalogue> Create(
      const google::protobuf::RepeatedPtrField<v1::CategoryCatalog>& catalogs,
      const google::protobuf::RepeatedPtrField<v1::Party>& parties);

  // The category `name` in the catalogue of `domain`, or nullptr.
  const v1::DataCategory* Find(v1::Domain domain, absl::string_view name) const;

  // True when `name` is in the catalogue of some domain. A name in none is
  // bad input (INVALID_ARGUMENT naming the field), not a policy refusal: no
  // party can offer it. A known name that the asked party does not offer is
  // for the policy to refuse (R06).
  bool Knows(absl::string_view name) const;

  // INVALID_ARGUMENT `<field>[i]: "<name>" is in no catalogue` for the first
  // of `names` that Knows() does not know, else OK. The names must have
  // passed the CATEGORY field syntax (so they may be echoed).
  absl::Status CheckKnown(absl::string_view field,
                          const google::protobuf::RepeatedPtrField<std::string>& names) const;

  // True when `party` lists `name` in its data_categories and the category is in
  // the catalogue of the party's domain. Uses the Party as given, so it also
  // answers for a party that is not in the registry (deny when in doubt).
  bool Offers(const v1::Party& party, absl::string_view name) const;

  // The regime over `category` at `party`: the category's own regime when set,
  // else the party's regime. A category unknown to the catalogue gets the
  // party's regime; an unset party regime yields SECRECY_REGIME_UNSPECIFIED,
  // which callers must treat as the strictest case.
  v1::SecrecyRegime EffectiveRegime(const v1::Party& party, absl::string_view category) const;

  // The registered party with this OIN, or nullptr.
  const v1::Party* FindParty(absl::string_view oin) const;

  // A canonical text of everything that can change a decision (categories and
  // their regimes per domain; parties' OIN, domain, role, regime, BSN permission
  // and offered categories), sorted, independent of configuration order. The
  // policy version is a digest over this text and the rule table.
  const std::string& canonical_text() const { return canonical_text_; }

 private:
  // Domain enum values are small and dense (0..13), so one map per domain in
  // an array indexed by the enum value is the cheapest lookup.
  static constexpr int kDomainSlots = v1::Domain_ARRAYSIZE;

  Catalogue() = default;

  std::array<absl::flat_hash_map<std::string, v1::DataCategory>, kDomainSlots> by_domain_;
  absl::flat_hash_map<std::string, v1::Party> parties_;
  std::string canonical_text_;
};

}  // namespace wams::policy

#endif  // WAMS_POLICY_CATALOGUE_H_
