#include "broker/services/case_service.h"

#include "broker/services/call_handler.h"

namespace wams::services {

grpc::ServerUnaryReactor* CaseService::OpenClientCase(grpc::CallbackServerContext* context,
                                                      const v1::OpenClientCaseRequest* request,
                                                      v1::CaseResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return cases_.OpenClientCase(caller, *request);
                     });
}

grpc::ServerUnaryReactor* CaseService::OpenProfessionalCase(
    grpc::CallbackServerContext* context, const v1::OpenProfessionalCaseRequest* request,
    v1::CaseResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return cases_.OpenProfessionalCase(caller, *request);
                     });
}

grpc::ServerUnaryReactor* CaseService::DecideProfessionalRequest(
    grpc::CallbackServerContext* context, const v1::DecideProfessionalRequestRequest* request,
    v1::CaseResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return cases_.DecideProfessionalRequest(caller, *request);
                     });
}

grpc::ServerUnaryReactor* CaseService::InformClient(grpc::CallbackServerContext* context,
                                                    const v1::InformClientRequest* request,
                                                    v1::CaseResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return cases_.InformClient(caller, *request);
                     });
}

grpc::ServerUnaryReactor* CaseService::RecordConsent(grpc::CallbackServerContext* context,
                                                     const v1::RecordConsentRequest* request,
                                                     v1::CaseResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return cases_.RecordConsent(caller, *request);
                     });
}

grpc::ServerUnaryReactor* CaseService::WithdrawConsent(grpc::CallbackServerContext* context,
                                                       const v1::WithdrawConsentRequest* request,
                                                       v1::CaseResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return cases_.WithdrawConsent(caller, *request);
                     });
}

grpc::ServerUnaryReactor* CaseService::SetClientScope(grpc::CallbackServerContext* context,
                                                      const v1::SetClientScopeRequest* request,
                                                      v1::CaseResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return cases_.SetClientScope(caller, *request);
                     });
}

grpc::ServerUnaryReactor* CaseService::AddFamilyMember(grpc::CallbackServerContext* context,
                                                       const v1::AddFamilyMemberRequest* request,
                                                       v1::CaseResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return cases_.AddFamilyMember(caller, *request);
                     });
}

grpc::ServerUnaryReactor* CaseService::StartCoordination(
    grpc::CallbackServerContext* context, const v1::StartCoordinationRequest* request,
    v1::CaseResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return cases_.StartCoordination(caller, *request);
                     });
}

grpc::ServerUnaryReactor* CaseService::CloseCase(grpc::CallbackServerContext* context,
                                                 const v1::CloseCaseRequest* request,
                                                 v1::CaseResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return cases_.CloseCase(caller, *request);
                     });
}

grpc::ServerUnaryReactor* CaseService::GetCase(grpc::CallbackServerContext* context,
                                               const v1::GetCaseRequest* request,
                                               v1::CaseResponse* response) {
  return ServeOnPool(
      gate_, pool_, context, *request, response,
      [this, request](const identity::Caller& caller) { return cases_.GetCase(caller, *request); });
}

}  // namespace wams::services
