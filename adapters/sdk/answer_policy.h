// answer_policy.h: how a party answers a granted request, around its Backend.
//
// The broker has already decided that the request may go ahead; the party
// still answers under its own law (R16-R18). AnswerPolicy applies the party's
// configured rule per category:
//   - a category the party does not offer is withheld, named in the reasons;
//   - without explicit consent on record (or when the broker placed a
//     good-care obligation), a category under medical secrecy or SKJ (R17) is
//     withheld, or provided with the party's good-care judgement stated;
//   - police and justice data (R18) is provided only with its Wpg/Wjsg legal
//     basis stated; a legal-basis obligation for a category without one
//     configured withholds that category;
//   - the party's further conditions (R16) travel with what it provides;
//   - what the Backend withholds for weighty reasons is stated (R16);
//   - a share from the municipality (R21) is accepted only in the categories
//     the party lists for shares (share_policy.h).
//
//   WAMS_ASSIGN_OR_RETURN(AnswerPolicy policy, AnswerPolicy::Create(party_policy));
//   Answer answer = policy.Respond(request, backend);
//   if (answer.status.ok()) Send(answer.response);
#ifndef WAMS_ADAPTERS_SDK_ANSWER_POLICY_H_
#define WAMS_ADAPTERS_SDK_ANSWER_POLICY_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/sdk/backend.h"
#include "wams/broker/v1/common.pb.h"
#include "wams/broker/v1/provider.pb.h"

namespace wams::adapters {

// What the party does with a category asked without explicit consent (R17).
enum class WithoutConsent {
  // No rule: only for categories outside a consent regime. Such a category
  // asked with a good-care obligation is withheld.
  kNotSet,
  // Withhold it: provided only with consent.
  kRefuse,
  // Provide it with `good_care_statement` stated.
  kProvideWithGoodCareStatement,
};

// The party's rule for one category.
struct CategoryPolicy {
  // The category name, as in the broker's catalogue. Default: none, required.
  std::string name;
  // The regime over the category. MEDICAL and YOUTH_CARE_SKJ require
  // `without_consent`; POLICE_WPG and JUSTICE_WJSG require `legal_basis`.
  // Default: no special regime.
  v1::SecrecyRegime regime = v1::SECRECY_REGIME_NONE;
  // R17. Default: not set.
  WithoutConsent without_consent = WithoutConsent::kNotSet;
  // R17: the judgement stated when providing without consent. Default: empty;
  // required with kProvideWithGoodCareStatement.
  std::string good_care_statement;
  // R18: the Wpg/Wjsg article, stated whenever the category is provided.
  // Default: empty.
  std::string legal_basis;
  // R16: conditions attached whenever the category is provided. Default: none.
  std::vector<std::string> conditions;
};

// The party's rules.
struct PartyPolicy {
  // The party's name, used in reasons. Default: none, required.
  std::string party_name;
  // One rule per offered category. Default: none; at least one required.
  std::vector<CategoryPolicy> categories;
  // The categories the party accepts when the municipality shares data with
  // it (R21); a share naming any other is refused as a whole, with a reason
  // per category (adapters/sdk/share_policy.h). Default: none, every share
  // refused.
  std::vector<std::string> share_categories;
};

// The answer to one request, and what happened per category for the log.
struct Answer {
  // OK, or the gRPC-facing error: INVALID_ARGUMENT for a malformed request,
  // UNAVAILABLE when nothing could be provided (or a share not taken)
  // because the party's system failed (a retry may succeed, and an outage is
  // not a refusal to record).
  absl::Status status;
  // The answer; meaningful only when `status` is OK.
  v1::ProviderResponse response;
  // Per asked category, a short outcome tag ("provided", "no_consent",
  // "not_offered", "unavailable", ...). Holds no BSN, data or backend text.
  std::vector<std::pair<std::string, std::string>> outcomes;
};

// A validated party policy. Immutable, so thread-safe.
class AnswerPolicy {
 public:
  // INVALID_ARGUMENT naming the field when `policy` is incomplete.
  static absl::StatusOr<AnswerPolicy> Create(PartyPolicy policy);

  // Answers `request`, asking `backend` for each category the rules let
  // through; a share (`is_share`) goes to ReceiveShare (share_policy.h)
  // instead. Never crashes on what the request or backend holds.
  Answer Respond(const v1::ProviderRequest& request, Backend& backend) const;

  const PartyPolicy& policy() const { return policy_; }

 private:
  explicit AnswerPolicy(PartyPolicy policy);

  PartyPolicy policy_;
  absl::flat_hash_map<std::string, size_t> index_;  // category name -> policy_.categories
};

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_SDK_ANSWER_POLICY_H_
