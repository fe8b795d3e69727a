#include "broker/services/exchange_service.h"

#include "broker/base/logging/trace_context.h"
#include "broker/base/trace_ids.h"
#include "broker/services/call_handler.h"

namespace wams::services {
namespace {

// The metadata entry `key` as sent, or "" when not sent or sent more than
// once (which of two would be meant?). gRPC bounds its size;
// base::ResolveTraceIds decides whether it is used.
absl::string_view HeaderValue(const grpc::CallbackServerContext& context, absl::string_view key) {
  const grpc::string_ref name(key.data(), key.size());
  if (context.client_metadata().count(name) != 1) return "";
  auto found = context.client_metadata().find(name);
  return absl::string_view(found->second.data(), found->second.size());
}

// The trace ids the call uses: the caller's when valid, fresh ones instead
// of what is invalid or absent (common/trace_ids.h). The caller hears which
// in the response's initial metadata, under the keys it sends them with, on
// every outcome of the call, also a refusal.
exchange::TraceContext TraceOf(grpc::CallbackServerContext& context) {
  exchange::TraceContext trace = base::ResolveTraceIds(HeaderValue(context, kTraceparentHeader),
                                                       HeaderValue(context, kTracestateHeader),
                                                       HeaderValue(context, kTransactionIdHeader));
  context.AddInitialMetadata(kTraceparentHeader, trace.traceparent);
  context.AddInitialMetadata(kTransactionIdHeader, trace.transaction_id);
  // The broker's own span of the call (W3C Trace Context Level 2), which the
  // call's log line (services/call_log_interceptor.h) reads from here too.
  context.AddInitialMetadata(kTraceresponseHeader,
                             logging::ChildTraceparent(trace.traceparent, trace.span_id));
  return trace;
}

// Finishes `reactor` with a core result, copying the answer into `response`
// and giving the party's slot back first. For RequestData and ShareData this
// runs when the core calls back (after the provider's answer), so the slot
// is held for as long as the request is really in flight.
template <typename Response>
auto FinishWith(grpc::ServerUnaryReactor* reactor, Response* response, Admission::Ticket ticket) {
  return [reactor, response, ticket = std::move(ticket)](absl::StatusOr<Response> result) mutable {
    const absl::Status status = result.status();
    if (result.ok()) *response = *std::move(result);
    ticket.Release();
    reactor->Finish(ToGrpcStatus(status));
  };
}

}  // namespace

grpc::ServerUnaryReactor* ExchangeService::RequestData(grpc::CallbackServerContext* context,
                                                       const v1::DataRequest* request,
                                                       v1::DataResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::optional<AdmittedCall> call = EnterOrFinish(gate_, context, *request, reactor);
  if (call.has_value()) {
    core_.RequestData(call->caller, *request, TraceOf(*context),
                      FinishWith(reactor, response, std::move(call->ticket)));
  }
  return reactor;
}

grpc::ServerUnaryReactor* ExchangeService::ShareData(grpc::CallbackServerContext* context,
                                                     const v1::ShareRequest* request,
                                                     v1::ShareResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::optional<AdmittedCall> call = EnterOrFinish(gate_, context, *request, reactor);
  if (call.has_value()) {
    core_.ShareData(call->caller, *request, TraceOf(*context),
                    FinishWith(reactor, response, std::move(call->ticket)));
  }
  return reactor;
}

grpc::ServerUnaryReactor* ExchangeService::CheckRequest(grpc::CallbackServerContext* context,
                                                        const v1::DataRequest* request,
                                                        v1::CheckResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::optional<AdmittedCall> call = EnterOrFinish(gate_, context, *request, reactor);
  if (call.has_value()) {
    // Asynchronous: the dry run's consultation receipt is made durable first.
    core_.CheckRequest(call->caller, *request, TraceOf(*context),
                       FinishWith(reactor, response, std::move(call->ticket)));
  }
  return reactor;
}

grpc::ServerUnaryReactor* ExchangeService::WhoAmI(grpc::CallbackServerContext* context,
                                                  const v1::WhoAmIRequest* request,
                                                  v1::WhoAmIResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::optional<AdmittedCall> call = EnterOrFinish(gate_, context, *request, reactor);
  if (!call.has_value()) return reactor;
  *response->mutable_party() = *call->caller.party;
  response->set_certificate_oin(call->caller.certificate_oin);
  response->set_professional_id(call->caller.professional_id);
  call->ticket.Release();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace wams::services
