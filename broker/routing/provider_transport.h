// provider_transport.h: how the broker reaches a provider's ProviderService.
//
// The seam between the exchange core and the network: production uses
// GrpcProviderTransport (mutual TLS, a deadline per call); unit tests use a fake.
//
//   transport.Deliver(provider, request, absl::Seconds(5),
//                     [](absl::StatusOr<v1::ProviderResponse> answer) { ... });
#ifndef WAMS_BROKER_ROUTING_PROVIDER_TRANSPORT_H_
#define WAMS_BROKER_ROUTING_PROVIDER_TRANSPORT_H_

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "wams/broker/v1/common.pb.h"
#include "wams/broker/v1/provider.pb.h"

namespace wams::routing {

namespace v1 = ::wams::broker::v1;

class ProviderTransport {
 public:
  using Done = absl::AnyInvocable<void(absl::StatusOr<v1::ProviderResponse>) &&>;

  virtual ~ProviderTransport() = default;

  // Sends `request` to `provider` and calls `done` exactly once, from any
  // thread, with the answer or: UNAVAILABLE (unreachable, refused, or the
  // certificate at the endpoint is not the registered party's or is
  // revoked: nothing of `request` was sent; the message names what was
  // found), DEADLINE_EXCEEDED (no answer within `deadline`),
  // FAILED_PRECONDITION (the provider has no endpoint), or the provider's
  // own error, its message as the provider sent it (unescaped: the caller
  // escapes it). The call carries `request.traceparent` and
  // `request.tracestate` (when set) as metadata entries of the same names.
  // Never blocks the caller.
  virtual void Deliver(const v1::Party& provider, const v1::ProviderRequest& request,
                       absl::Duration deadline, Done done) = 0;
};

}  // namespace wams::routing

#endif  // WAMS_BROKER_ROUTING_PROVIDER_TRANSPORT_H_
