// share_policy.h: how a party takes data the municipality shares with it
// (ExchangeService.ShareData, R21), around its Backend.
//
// The broker has decided that the municipality may share; the party still
// decides what it takes in. A share is accepted or refused as a whole:
//   - every category shared must be one the party lists for shares
//     (PartyPolicy.share_categories); otherwise the share is refused, each
//     such category named with the reason, and the Backend is not called;
//   - then the Backend receives it (Backend::Receive), and its answer decides:
//     accepted, refused with its reason, or unavailable (a retry may succeed).
// Accepted is PROVIDER_ANSWER_STATUS_PROVIDED; refused is
// PROVIDER_ANSWER_STATUS_REFUSED with `refusal_reasons` (and, for categories
// not accepted, `withheld_categories`); the broker answers the municipality
// with them and receipts the delivery PROVIDER_REFUSED.
//
//   Answer answer = ReceiveShare(policy, share, backend);
//
// Thread-safety: pure functions; `backend` must be thread-safe.
#ifndef WAMS_ADAPTERS_SDK_SHARE_POLICY_H_
#define WAMS_ADAPTERS_SDK_SHARE_POLICY_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "adapters/sdk/answer_policy.h"
#include "adapters/sdk/backend.h"
#include "wams/broker/v1/provider.pb.h"

namespace wams::adapters {

// OK, or INVALID_ARGUMENT naming "<field>[i]" when a name is not a
// catalogue name (CATEGORY field rule) or is listed twice. `field` is the
// list's name where the caller's user wrote it (the reference adapter's
// config calls it "accepts_shares").
absl::Status ValidateShareCategories(const std::vector<std::string>& categories,
                                     absl::string_view field = "share_categories");

// The party's answer to `share` (is_share set). INVALID_ARGUMENT when the
// share is malformed (no request_id, transaction_id or categories; data in a
// category the share does not name; a BSN that fails the eleven test);
// UNAVAILABLE when the backend could not take it. Outcome tags per category:
// "accepted", "not_accepted", "refused", "unavailable".
Answer ReceiveShare(const PartyPolicy& policy, const v1::ProviderRequest& share, Backend& backend);

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_SDK_SHARE_POLICY_H_
