// call_handler.h: the shape every broker handler shares: identify the
// caller from the mTLS peer, admit it under its party's limits, check the
// request against the API's field rules (refusing and receipting bad input
// in bounded form), run the core (on a worker when it may block), release
// the party's slot, translate the result.
//
//   CallGate gate(authenticator, admission, &bad_input);
//   return ServeOnPool(gate, pool, context, *request, response,
//                      [&](const identity::Caller& caller) { return core.Do(caller, *request); });
#ifndef WAMS_BROKER_SERVICES_CALL_HANDLER_H_
#define WAMS_BROKER_SERVICES_CALL_HANDLER_H_

#include <optional>

#include "absl/status/statusor.h"
#include "broker/base/worker_pool.h"
#include "broker/identity/caller_identity.h"
#include "broker/services/admission.h"
#include "broker/services/bad_input.h"
#include "broker/services/grpc_status.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "proto/wire/field_validator.h"

namespace wams::services {

// An identified caller whose call its party's limits admitted. The ticket
// holds the party's concurrency slot until released or destroyed.
struct AdmittedCall {
  identity::Caller caller;
  Admission::Ticket ticket;
};

// The front door of every broker call: identity, then the party's limits,
// then the request's field rules. Thread-safe; borrows all three, which must
// outlive it.
class CallGate {
 public:
  CallGate(const identity::Authenticator& authenticator, Admission& admission,
           const BadInput& bad_input)
      : authenticator_(authenticator), admission_(admission), bad_input_(bad_input) {}

  // The identity errors of Authenticator::Identify, then RESOURCE_EXHAUSTED
  // from Admission::Admit.
  absl::StatusOr<AdmittedCall> Enter(grpc::ServerContextBase& context,
                                     Admission::CallKind kind = Admission::CallKind::kCall) const {
    return Admit(authenticator_.Identify(*context.auth_context(), context.client_metadata()), kind);
  }
  // The same for a call of the REST face, whose own TLS session verified
  // `certificate_pem` (Authenticator::IdentifyVerified).
  absl::StatusOr<AdmittedCall> EnterVerified(
      absl::string_view certificate_pem, std::optional<absl::string_view> professional_id,
      Admission::CallKind kind = Admission::CallKind::kCall) const {
    return Admit(authenticator_.IdentifyVerified(certificate_pem, professional_id), kind);
  }

  // True when `request` keeps every field rule. Otherwise receipts the
  // refusal in bounded form, gives the party's slot back, calls `refused`
  // (once, on any thread) with RESOURCE_EXHAUSTED or INVALID_ARGUMENT
  // naming the field and the limit, and returns false. Never blocks.
  template <typename Refused>
  bool Screen(AdmittedCall& call, const google::protobuf::Message& request, Refused refused) const {
    std::optional<wire::Violation> bad = wire::FindViolation(request);
    if (!bad.has_value()) return true;
    bad_input_.Refuse(call.caller, request, *bad,
                      [ticket = std::move(call.ticket),
                       refused = std::move(refused)](absl::Status status) mutable {
                        ticket.Release();
                        std::move(refused)(std::move(status));
                      });
    return false;
  }

 private:
  absl::StatusOr<AdmittedCall> Admit(absl::StatusOr<identity::Caller> caller,
                                     Admission::CallKind kind) const {
    if (!caller.ok()) return caller.status();
    absl::StatusOr<Admission::Ticket> ticket = admission_.Admit(*caller->party, kind);
    if (!ticket.ok()) return ticket.status();
    return AdmittedCall{.caller = *std::move(caller), .ticket = *std::move(ticket)};
  }

  const identity::Authenticator& authenticator_;
  Admission& admission_;
  const BadInput& bad_input_;
};

// The admitted call of `context` whose `request` keeps the field rules, or
// nullopt after finishing `reactor` with the refusal (UNAUTHENTICATED,
// PERMISSION_DENIED naming the OIN, RESOURCE_EXHAUSTED naming the limit,
// INVALID_ARGUMENT naming the field).
inline std::optional<AdmittedCall> EnterOrFinish(const CallGate& gate,
                                                 grpc::CallbackServerContext* context,
                                                 const google::protobuf::Message& request,
                                                 grpc::ServerUnaryReactor* reactor) {
  absl::StatusOr<AdmittedCall> call = gate.Enter(*context);
  if (!call.ok()) {
    reactor->Finish(ToGrpcStatus(call.status()));
    return std::nullopt;
  }
  if (!gate.Screen(*call, request, [reactor](const absl::Status& refused) {
        reactor->Finish(ToGrpcStatus(refused));
      })) {
    return std::nullopt;
  }
  return *std::move(call);
}

// Admits the caller and screens `request`, then runs `core(caller) -> StatusOr<Response>` on
// `pool` (the core may wait for a durable write) and finishes the call with
// its result copied into `response`. The party's slot is given back before
// the call finishes, so a client that sends its next call as soon as it has
// the answer finds it free.
template <typename Response, typename Core>
grpc::ServerUnaryReactor* ServeOnPool(const CallGate& gate, base::WorkerPool& pool,
                                      grpc::CallbackServerContext* context,
                                      const google::protobuf::Message& request, Response* response,
                                      Core core) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::optional<AdmittedCall> call = EnterOrFinish(gate, context, request, reactor);
  if (!call.has_value()) return reactor;
  pool.Schedule([reactor, response, core = std::move(core), call = *std::move(call)]() mutable {
    absl::StatusOr<Response> result = core(call.caller);
    const absl::Status status = result.status();
    if (result.ok()) *response = *std::move(result);
    call.ticket.Release();
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_CALL_HANDLER_H_
