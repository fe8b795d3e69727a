#include "broker/services/exchange_service.h"

#include "broker/services/call_handler.h"
#include "proto/wire/field_validator.h"
#include "wams/broker/v1/provider.pb.h"

namespace wams::services {
namespace {

// The metadata entry `key` when it keeps the rule of the ProviderRequest
// field that carries it on (`field`), else "" as if it were not sent: these
// values are recorded in receipts and sent to providers, whose SDK checks
// them again, and a trace context is no reason to refuse a call.
std::string HeaderValue(const grpc::CallbackServerContext& context, absl::string_view key,
                        absl::string_view field) {
  auto found = context.client_metadata().find(grpc::string_ref(key.data(), key.size()));
  if (found == context.client_metadata().end()) return "";
  absl::string_view value(found->second.data(), found->second.size());
  const v1::FieldRule& rule = wire::RuleOf(*v1::ProviderRequest::descriptor(), field);
  if (wire::CheckValue(key, rule, value).has_value()) return "";
  return std::string(value);
}

exchange::TraceContext TraceOf(const grpc::CallbackServerContext& context) {
  return exchange::TraceContext{
      .traceparent = HeaderValue(context, kTraceparentHeader, "traceparent"),
      .transaction_id = HeaderValue(context, kTransactionIdHeader, "transaction_id")};
}

// Finishes `reactor` with a core result, copying the answer into `response`
// and giving the party's slot back first. For RequestData and ShareData this
// runs when the core calls back (after the provider's answer), so the slot
// is held for as long as the request is really in flight.
template <typename Response>
auto FinishWith(grpc::ServerUnaryReactor* reactor, Response* response, Admission::Ticket ticket) {
  return [reactor, response, ticket = std::move(ticket)](absl::StatusOr<Response> result) mutable {
    if (result.ok()) *response = *std::move(result);
    ticket.Release();
    reactor->Finish(ToGrpcStatus(result.status()));
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
