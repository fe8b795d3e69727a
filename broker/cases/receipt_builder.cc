#include "broker/cases/receipt_builder.h"

#include "absl/time/clock.h"
#include "broker/base/uuid.h"

namespace wams::cases {

v1::Receipt NewReceipt(v1::ReceiptKind kind, const identity::Caller& caller,
                       absl::string_view case_id) {
  absl::Time now = absl::Now();
  v1::Receipt receipt;
  receipt.set_receipt_id(base::NewUuidV7(now));
  receipt.set_kind(kind);
  receipt.mutable_time()->set_seconds(absl::ToUnixSeconds(now));
  receipt.mutable_time()->set_nanos(static_cast<int32_t>(absl::ToUnixNanos(now) % 1000000000));
  receipt.set_case_id(std::string(case_id));
  if (caller.party != nullptr) receipt.set_requester_oin(caller.party->oin());
  receipt.set_professional_id(caller.professional_id);
  return receipt;
}

}  // namespace wams::cases
