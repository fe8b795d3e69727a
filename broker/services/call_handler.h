// call_handler.h: the shape every broker handler shares: identify the
// caller from the mTLS peer, run the core (on a worker when it may block),
// translate the result.
#ifndef WAMS_BROKER_SERVICES_CALL_HANDLER_H_
#define WAMS_BROKER_SERVICES_CALL_HANDLER_H_

#include "absl/status/statusor.h"
#include "broker/common/worker_pool.h"
#include "broker/identity/caller_identity.h"
#include "broker/services/grpc_status.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"

namespace wams::services {

// The caller of `context`, or nullopt after finishing `reactor` with the
// identity error (UNAUTHENTICATED, PERMISSION_DENIED naming the OIN).
inline std::optional<identity::Caller> IdentifyOrFinish(
    const identity::Authenticator& authenticator, grpc::CallbackServerContext* context,
    grpc::ServerUnaryReactor* reactor) {
  absl::StatusOr<identity::Caller> caller =
      authenticator.Identify(*context->auth_context(), context->client_metadata());
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return std::nullopt;
  }
  return *std::move(caller);
}

// Identifies the caller, then runs `core(caller) -> StatusOr<Response>` on
// `pool` (the core may wait for a durable write) and finishes the call with
// its result copied into `response`.
template <typename Response, typename Core>
grpc::ServerUnaryReactor* ServeOnPool(const identity::Authenticator& authenticator,
                                      common::WorkerPool& pool,
                                      grpc::CallbackServerContext* context, Response* response,
                                      Core core) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::optional<identity::Caller> caller = IdentifyOrFinish(authenticator, context, reactor);
  if (!caller.has_value()) return reactor;
  pool.Schedule([reactor, response, core = std::move(core), caller = *std::move(caller)]() mutable {
    absl::StatusOr<Response> result = core(caller);
    if (result.ok()) *response = *std::move(result);
    reactor->Finish(ToGrpcStatus(result.status()));
  });
  return reactor;
}

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_CALL_HANDLER_H_
