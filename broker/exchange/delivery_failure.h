// delivery_failure.h: what the requester is told when a granted request
// (or share) could not be delivered, and what its NOT_DELIVERED receipt says.
//
// The code tells the caller whether asking again later (with a new request
// id: the outcome is kept under this one) can help:
//
//   transport or provider status               requester gets
//   DEADLINE_EXCEEDED                          DEADLINE_EXCEEDED
//   UNAVAILABLE (down, connection refused or   UNAVAILABLE
//     reset, refused at the TLS handshake:
//     another party's or a revoked
//     certificate), CANCELLED (the call cut
//     short, e.g. the provider stopping)
//   anything else: the provider's own error    FAILED_PRECONDITION
//     (UNIMPLEMENTED, INVALID_ARGUMENT,
//     PERMISSION_DENIED, NOT_FOUND, INTERNAL,
//     UNKNOWN, ...), an answer gRPC could not
//     take (INTERNAL, RESOURCE_EXHAUSTED), a
//     provider without an endpoint
//
// The provider is outside the broker's trust boundary: its reason is
// escaped, bounded and BSN-redacted (wire::LogSafe) before it reaches the
// requester or a receipt, and the original code is named in both.
//
//   DeliveryFailure failed = DeliveryFailureOf(answer.status());
//   receipt.set_detail(failed.receipt_detail);
//   return failed.status;
//
// Thread-safety: a pure function.
#ifndef WAMS_BROKER_EXCHANGE_DELIVERY_FAILURE_H_
#define WAMS_BROKER_EXCHANGE_DELIVERY_FAILURE_H_

#include <string>

#include "absl/status/status.h"

namespace wams::exchange {

// The longest provider reason passed on, before LogSafe's cut mark.
inline constexpr size_t kMaxProviderReasonBytes = 512;

struct DeliveryFailure {
  // For the requester: "not delivered: <reason> (<CODE>; <advice>)", with
  // the code above.
  absl::Status status;
  // For the NOT_DELIVERED receipt: "<CODE>: <reason>".
  std::string receipt_detail;
};

// `transport_error` (not OK) from routing::ProviderTransport::Deliver.
DeliveryFailure DeliveryFailureOf(const absl::Status& transport_error);

}  // namespace wams::exchange

#endif  // WAMS_BROKER_EXCHANGE_DELIVERY_FAILURE_H_
