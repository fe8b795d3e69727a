// receipt_builder.h: the fields every receipt shares, filled in one place,
// for every room that receipts (cases, exchange, conference, audit, the
// services' bad-input refusals).
//
//   v1::Receipt receipt = NewReceipt(v1::RECEIPT_KIND_CASE_EVENT, caller, case_id, clock);
//   receipt.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
#ifndef WAMS_BROKER_RECEIPTS_RECEIPT_BUILDER_H_
#define WAMS_BROKER_RECEIPTS_RECEIPT_BUILDER_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "broker/base/clock.h"
#include "broker/identity/caller_identity.h"
#include "google/protobuf/timestamp.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::receipts {

namespace v1 = ::wams::broker::v1;

// A receipt with a fresh UUIDv7 id, `clock`'s current time (in the id and
// the time field alike), the kind, the case and the acting party and
// professional. Thread-safe.
v1::Receipt NewReceipt(v1::ReceiptKind kind, const identity::Caller& caller,
                       absl::string_view case_id, const base::Clock& clock);

// Writes `time` into `timestamp` (seconds and nanoseconds since the epoch),
// as receipts and stored records carry time.
void SetTimestamp(absl::Time time, google::protobuf::Timestamp* timestamp);

}  // namespace wams::receipts

#endif  // WAMS_BROKER_RECEIPTS_RECEIPT_BUILDER_H_
