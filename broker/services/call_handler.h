// call_handler.h: the shape every broker handler shares: identify the
// caller from the mTLS peer, admit it under its party's limits, run the core
// (on a worker when it may block), release the party's slot, translate the
// result.
//
//   CallGate gate(authenticator, admission);
//   return ServeOnPool(gate, pool, context, response,
//                      [&](const identity::Caller& caller) { return core.Do(caller, *request); });
#ifndef WAMS_BROKER_SERVICES_CALL_HANDLER_H_
#define WAMS_BROKER_SERVICES_CALL_HANDLER_H_

#include <optional>

#include "absl/status/statusor.h"
#include "broker/common/worker_pool.h"
#include "broker/identity/caller_identity.h"
#include "broker/services/admission.h"
#include "broker/services/grpc_status.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"

namespace wams::services {

// An identified caller whose call its party's limits admitted. The ticket
// holds the party's concurrency slot until released or destroyed.
struct AdmittedCall {
  identity::Caller caller;
  Admission::Ticket ticket;
};

// The front door of every broker call: identity, then the party's limits.
// Thread-safe; borrows both, which must outlive it.
class CallGate {
 public:
  CallGate(const identity::Authenticator& authenticator, Admission& admission)
      : authenticator_(authenticator), admission_(admission) {}

  // The identity errors of Authenticator::Identify, then RESOURCE_EXHAUSTED
  // from Admission::Admit.
  absl::StatusOr<AdmittedCall> Enter(grpc::ServerContextBase& context,
                                     Admission::CallKind kind = Admission::CallKind::kCall) const {
    absl::StatusOr<identity::Caller> caller =
        authenticator_.Identify(*context.auth_context(), context.client_metadata());
    if (!caller.ok()) return caller.status();
    absl::StatusOr<Admission::Ticket> ticket = admission_.Admit(*caller->party, kind);
    if (!ticket.ok()) return ticket.status();
    return AdmittedCall{.caller = *std::move(caller), .ticket = *std::move(ticket)};
  }

 private:
  const identity::Authenticator& authenticator_;
  Admission& admission_;
};

// The admitted call of `context`, or nullopt after finishing `reactor` with
// the refusal (UNAUTHENTICATED, PERMISSION_DENIED naming the OIN,
// RESOURCE_EXHAUSTED naming the limit).
inline std::optional<AdmittedCall> EnterOrFinish(const CallGate& gate,
                                                 grpc::CallbackServerContext* context,
                                                 grpc::ServerUnaryReactor* reactor) {
  absl::StatusOr<AdmittedCall> call = gate.Enter(*context);
  if (!call.ok()) {
    reactor->Finish(ToGrpcStatus(call.status()));
    return std::nullopt;
  }
  return *std::move(call);
}

// Admits the caller, then runs `core(caller) -> StatusOr<Response>` on
// `pool` (the core may wait for a durable write) and finishes the call with
// its result copied into `response`. The party's slot is given back before
// the call finishes, so a client that sends its next call as soon as it has
// the answer finds it free.
template <typename Response, typename Core>
grpc::ServerUnaryReactor* ServeOnPool(const CallGate& gate, common::WorkerPool& pool,
                                      grpc::CallbackServerContext* context, Response* response,
                                      Core core) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::optional<AdmittedCall> call = EnterOrFinish(gate, context, reactor);
  if (!call.has_value()) return reactor;
  pool.Schedule([reactor, response, core = std::move(core), call = *std::move(call)]() mutable {
    absl::StatusOr<Response> result = core(call.caller);
    if (result.ok()) *response = *std::move(result);
    call.ticket.Release();
    reactor->Finish(ToGrpcStatus(result.status()));
  });
  return reactor;
}

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_CALL_HANDLER_H_
