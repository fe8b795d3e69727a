#include "broker/services/conference_service.h"

#include "broker/services/call_handler.h"

namespace wams::services {

grpc::ServerUnaryReactor* ConferenceService::Convene(grpc::CallbackServerContext* context,
                                                     const v1::ConveneRequest* request,
                                                     v1::ConferenceResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return conferences_.Convene(caller, *request);
                     });
}

grpc::ServerUnaryReactor* ConferenceService::Invite(grpc::CallbackServerContext* context,
                                                    const v1::InviteRequest* request,
                                                    v1::ConferenceResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return conferences_.Invite(caller, *request);
                     });
}

grpc::ServerUnaryReactor* ConferenceService::SetClientInvitation(
    grpc::CallbackServerContext* context, const v1::SetClientInvitationRequest* request,
    v1::ConferenceResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return conferences_.SetClientInvitation(caller, *request);
                     });
}

grpc::ServerUnaryReactor* ConferenceService::ShareItem(grpc::CallbackServerContext* context,
                                                       const v1::ShareItemRequest* request,
                                                       v1::ShareItemResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return conferences_.ShareItem(caller, *request);
                     });
}

grpc::ServerUnaryReactor* ConferenceService::FetchItems(grpc::CallbackServerContext* context,
                                                        const v1::FetchItemsRequest* request,
                                                        v1::FetchItemsResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return conferences_.FetchItems(caller, *request);
                     });
}

grpc::ServerUnaryReactor* ConferenceService::AssentOnwardUse(
    grpc::CallbackServerContext* context, const v1::AssentOnwardUseRequest* request,
    v1::OnwardUseResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return conferences_.AssentOnwardUse(caller, *request);
                     });
}

grpc::ServerUnaryReactor* ConferenceService::RequestOnwardUse(
    grpc::CallbackServerContext* context, const v1::RequestOnwardUseRequest* request,
    v1::OnwardUseResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return conferences_.RequestOnwardUse(caller, *request);
                     });
}

}  // namespace wams::services
