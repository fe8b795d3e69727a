// case_service.h: the CaseService gRPC handlers. Thin: identify and admit
// (call_handler.h), run the case manager on a worker (it waits for durable receipts), translate.
#ifndef WAMS_BROKER_SERVICES_CASE_SERVICE_H_
#define WAMS_BROKER_SERVICES_CASE_SERVICE_H_

#include "broker/base/worker_pool.h"
#include "broker/cases/case_manager.h"
#include "broker/services/call_handler.h"
#include "wams/broker/v1/case.grpc.pb.h"

namespace wams::services {

namespace v1 = ::wams::broker::v1;

// Thread-safe; borrows everything, which must outlive the service.
class CaseService final : public v1::CaseService::CallbackService {
 public:
  CaseService(const CallGate& gate, cases::CaseManager& cases, base::WorkerPool& pool)
      : gate_(gate), cases_(cases), pool_(pool) {}

  grpc::ServerUnaryReactor* OpenClientCase(grpc::CallbackServerContext* context,
                                           const v1::OpenClientCaseRequest* request,
                                           v1::CaseResponse* response) override;
  grpc::ServerUnaryReactor* OpenProfessionalCase(grpc::CallbackServerContext* context,
                                                 const v1::OpenProfessionalCaseRequest* request,
                                                 v1::CaseResponse* response) override;
  grpc::ServerUnaryReactor* DecideProfessionalRequest(
      grpc::CallbackServerContext* context, const v1::DecideProfessionalRequestRequest* request,
      v1::CaseResponse* response) override;
  grpc::ServerUnaryReactor* InformClient(grpc::CallbackServerContext* context,
                                         const v1::InformClientRequest* request,
                                         v1::CaseResponse* response) override;
  grpc::ServerUnaryReactor* RecordConsent(grpc::CallbackServerContext* context,
                                          const v1::RecordConsentRequest* request,
                                          v1::CaseResponse* response) override;
  grpc::ServerUnaryReactor* WithdrawConsent(grpc::CallbackServerContext* context,
                                            const v1::WithdrawConsentRequest* request,
                                            v1::CaseResponse* response) override;
  grpc::ServerUnaryReactor* SetClientScope(grpc::CallbackServerContext* context,
                                           const v1::SetClientScopeRequest* request,
                                           v1::CaseResponse* response) override;
  grpc::ServerUnaryReactor* AddFamilyMember(grpc::CallbackServerContext* context,
                                            const v1::AddFamilyMemberRequest* request,
                                            v1::CaseResponse* response) override;
  grpc::ServerUnaryReactor* StartCoordination(grpc::CallbackServerContext* context,
                                              const v1::StartCoordinationRequest* request,
                                              v1::CaseResponse* response) override;
  grpc::ServerUnaryReactor* CloseCase(grpc::CallbackServerContext* context,
                                      const v1::CloseCaseRequest* request,
                                      v1::CaseResponse* response) override;
  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* context,
                                    const v1::GetCaseRequest* request,
                                    v1::CaseResponse* response) override;

 private:
  const CallGate& gate_;
  cases::CaseManager& cases_;
  base::WorkerPool& pool_;
};

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_CASE_SERVICE_H_
