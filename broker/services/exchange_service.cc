#include "broker/services/exchange_service.h"

#include "broker/services/call_handler.h"

namespace wams::services {
namespace {

// Printable ASCII only and bounded: these values are recorded in receipts.
std::string HeaderValue(const grpc::CallbackServerContext& context, absl::string_view key) {
  constexpr size_t kMaxHeaderBytes = 256;
  auto found = context.client_metadata().find(grpc::string_ref(key.data(), key.size()));
  if (found == context.client_metadata().end()) return "";
  std::string value(found->second.data(), found->second.size());
  if (value.size() > kMaxHeaderBytes) return "";
  for (char c : value) {
    if (c < 0x21 || c > 0x7e) return "";
  }
  return value;
}

exchange::TraceContext TraceOf(const grpc::CallbackServerContext& context) {
  return exchange::TraceContext{.traceparent = HeaderValue(context, kTraceparentHeader),
                                .transaction_id = HeaderValue(context, kTransactionIdHeader)};
}

// Finishes `reactor` with a core result, copying the answer into `response`.
template <typename Response>
auto FinishWith(grpc::ServerUnaryReactor* reactor, Response* response) {
  return [reactor, response](absl::StatusOr<Response> result) {
    if (result.ok()) *response = *std::move(result);
    reactor->Finish(ToGrpcStatus(result.status()));
  };
}

}  // namespace

grpc::ServerUnaryReactor* ExchangeService::RequestData(grpc::CallbackServerContext* context,
                                                       const v1::DataRequest* request,
                                                       v1::DataResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::optional<identity::Caller> caller = IdentifyOrFinish(authenticator_, context, reactor);
  if (caller.has_value()) {
    core_.RequestData(*caller, *request, TraceOf(*context), FinishWith(reactor, response));
  }
  return reactor;
}

grpc::ServerUnaryReactor* ExchangeService::ShareData(grpc::CallbackServerContext* context,
                                                     const v1::ShareRequest* request,
                                                     v1::ShareResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::optional<identity::Caller> caller = IdentifyOrFinish(authenticator_, context, reactor);
  if (caller.has_value()) {
    core_.ShareData(*caller, *request, TraceOf(*context), FinishWith(reactor, response));
  }
  return reactor;
}

grpc::ServerUnaryReactor* ExchangeService::CheckRequest(grpc::CallbackServerContext* context,
                                                        const v1::DataRequest* request,
                                                        v1::CheckResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::optional<identity::Caller> caller = IdentifyOrFinish(authenticator_, context, reactor);
  if (caller.has_value()) FinishWith(reactor, response)(core_.CheckRequest(*caller, *request));
  return reactor;
}

grpc::ServerUnaryReactor* ExchangeService::WhoAmI(grpc::CallbackServerContext* context,
                                                  const v1::WhoAmIRequest* /*request*/,
                                                  v1::WhoAmIResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::optional<identity::Caller> caller = IdentifyOrFinish(authenticator_, context, reactor);
  if (!caller.has_value()) return reactor;
  *response->mutable_party() = *caller->party;
  response->set_certificate_oin(caller->certificate_oin);
  response->set_professional_id(caller->professional_id);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace wams::services
