#include "broker/receipts/receipt_builder.h"

#include <string>

#include "broker/base/uuid.h"

namespace wams::receipts {

void SetTimestamp(absl::Time time, google::protobuf::Timestamp* timestamp) {
  timestamp->set_seconds(absl::ToUnixSeconds(time));
  timestamp->set_nanos(static_cast<int32_t>(absl::ToUnixNanos(time) % 1000000000));
}

v1::Receipt NewReceipt(v1::ReceiptKind kind, const identity::Caller& caller,
                       absl::string_view case_id, const base::Clock& clock) {
  const absl::Time now = clock.Now();
  v1::Receipt receipt;
  receipt.set_receipt_id(base::NewUuidV7(now));
  receipt.set_kind(kind);
  SetTimestamp(now, receipt.mutable_time());
  receipt.set_case_id(std::string(case_id));
  if (caller.party != nullptr) receipt.set_requester_oin(caller.party->oin());
  receipt.set_professional_id(caller.professional_id);
  return receipt;
}

}  // namespace wams::receipts
