// receipt_builder.h: the fields every receipt shares, filled in one place.
//
//   v1::Receipt receipt = NewReceipt(v1::RECEIPT_KIND_CASE_EVENT, caller, case_id);
//   receipt.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
#ifndef WAMS_BROKER_CASES_RECEIPT_BUILDER_H_
#define WAMS_BROKER_CASES_RECEIPT_BUILDER_H_

#include "absl/strings/string_view.h"
#include "broker/identity/caller_identity.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::cases {

namespace v1 = ::wams::broker::v1;

// A receipt with a fresh UUIDv7 id, the current time, the kind, the case and
// the acting party and professional.
v1::Receipt NewReceipt(v1::ReceiptKind kind, const identity::Caller& caller,
                       absl::string_view case_id);

}  // namespace wams::cases

#endif  // WAMS_BROKER_CASES_RECEIPT_BUILDER_H_
