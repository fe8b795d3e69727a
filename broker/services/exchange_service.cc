#include "broker/services/exchange_service.h"

#include "broker/services/grpc_status.h"

namespace wams::services {

grpc::ServerUnaryReactor* ExchangeService::WhoAmI(grpc::CallbackServerContext* context,
                                                  const v1::WhoAmIRequest* /*request*/,
                                                  v1::WhoAmIResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<identity::Caller> caller =
      authenticator_.Identify(*context->auth_context(), context->client_metadata());
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  *response->mutable_party() = *caller->party;
  response->set_certificate_oin(caller->certificate_oin);
  response->set_professional_id(caller->professional_id);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace wams::services
