#include "adapters/sdk/share_policy.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "proto/wire/field_validator.h"
#include "proto/wire/text_checks.h"

namespace wams::adapters {
namespace {

bool Names(const v1::ProviderRequest& share, const std::string& category) {
  return std::find(share.categories().begin(), share.categories().end(), category) !=
         share.categories().end();
}

// The share's own consistency; the field rules were checked before.
absl::Status CheckShare(const v1::ProviderRequest& share) {
  if (share.request_id().empty()) return absl::InvalidArgumentError("request_id: required");
  // The party stores the share under it (one file per transaction id).
  if (share.transaction_id().empty()) {
    return absl::InvalidArgumentError("transaction_id: required for a share");
  }
  if (share.categories().empty()) {
    return absl::InvalidArgumentError("categories: at least one is required");
  }
  for (int i = 0; i < share.shared_data_size(); ++i) {
    if (!Names(share, share.shared_data(i).category())) {
      return absl::InvalidArgumentError(
          absl::StrCat("shared_data[", i, "].category: not among the categories the share names"));
    }
  }
  // The BSN itself never goes into the message: it may be the wrong person's.
  if (!share.subject_bsn().empty() && !wire::IsValidBsn(share.subject_bsn())) {
    return absl::InvalidArgumentError("subject_bsn: not a valid BSN (eleven test)");
  }
  return absl::OkStatus();
}

void AllTagged(const v1::ProviderRequest& share, absl::string_view tag, Answer& answer) {
  absl::flat_hash_set<std::string> seen;
  for (const std::string& category : share.categories()) {
    if (seen.insert(category).second) answer.outcomes.emplace_back(category, std::string(tag));
  }
}

}  // namespace

absl::Status ValidateShareCategories(const std::vector<std::string>& categories,
                                     absl::string_view list_field) {
  const v1::FieldRule& rule = wire::RuleOf(*v1::ProviderRequest::descriptor(), "categories");
  absl::flat_hash_set<std::string> seen;
  for (size_t i = 0; i < categories.size(); ++i) {
    const std::string field = absl::StrCat(list_field, "[", i, "]");
    if (categories[i].empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
    if (std::optional<wire::Violation> bad = wire::CheckValue(field, rule, categories[i])) {
      return absl::InvalidArgumentError(bad->ToStatus().message());
    }
    if (!seen.insert(categories[i]).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": '", categories[i], "' is listed twice"));
    }
  }
  return absl::OkStatus();
}

Answer ReceiveShare(const PartyPolicy& policy, const v1::ProviderRequest& share, Backend& backend) {
  Answer answer;
  if (absl::Status malformed = CheckShare(share); !malformed.ok()) {
    answer.status = malformed;
    return answer;
  }
  v1::ProviderResponse& response = answer.response;

  // All or nothing: a party that took part of a share would hold data the
  // municipality cannot tell apart from what it refused.
  std::vector<std::string> reasons;
  absl::flat_hash_set<std::string> seen;
  for (const std::string& category : share.categories()) {
    if (!seen.insert(category).second) continue;
    if (std::find(policy.share_categories.begin(), policy.share_categories.end(), category) !=
        policy.share_categories.end()) {
      continue;
    }
    response.add_withheld_categories(category);
    reasons.push_back(absl::StrCat(category, ": ", policy.party_name,
                                   " does not accept shares of this category"));
  }
  if (!reasons.empty()) {
    // An accepted category in a refused share is not taken either.
    AllTagged(share, "refused", answer);
    for (auto& [category, tag] : answer.outcomes) {
      if (std::find(response.withheld_categories().begin(), response.withheld_categories().end(),
                    category) != response.withheld_categories().end()) {
        tag = "not_accepted";
      }
    }
    response.set_status(v1::PROVIDER_ANSWER_STATUS_REFUSED);
    response.set_refusal_reasons(absl::StrJoin(reasons, "; "));
    return answer;
  }

  ShareAnswer received = backend.Receive(share);
  switch (received.kind) {
    case ShareAnswer::Kind::kAccepted:
      AllTagged(share, "accepted", answer);
      response.set_status(v1::PROVIDER_ANSWER_STATUS_PROVIDED);
      break;
    case ShareAnswer::Kind::kRefused:
      AllTagged(share, "refused", answer);
      response.set_status(v1::PROVIDER_ANSWER_STATUS_REFUSED);
      response.set_refusal_reasons(
          received.reason.empty() ? absl::StrCat(policy.party_name, " does not accept this share")
                                  : received.reason);
      break;
    case ShareAnswer::Kind::kUnavailable:
      AllTagged(share, "unavailable", answer);
      answer.status = absl::UnavailableError(absl::StrCat(policy.party_name,
                                                          "'s system could not take the share (",
                                                          received.reason, "); share again later"));
      break;
  }
  return answer;
}

}  // namespace wams::adapters
