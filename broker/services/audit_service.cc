#include "broker/services/audit_service.h"

#include <string>
#include <utility>

#include "broker/services/call_handler.h"
#include "broker/services/export_stream.h"

namespace wams::services {

grpc::ServerUnaryReactor* AuditService::GetCheckpoint(grpc::CallbackServerContext* context,
                                                      const v1::GetCheckpointRequest* request,
                                                      v1::Checkpoint* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return core_.GetCheckpoint(caller, *request);
                     });
}

grpc::ServerUnaryReactor* AuditService::ListReceipts(grpc::CallbackServerContext* context,
                                                     const v1::ListReceiptsRequest* request,
                                                     v1::ListReceiptsResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return core_.ListReceipts(caller, *request);
                     });
}

grpc::ServerUnaryReactor* AuditService::GetInclusionProof(
    grpc::CallbackServerContext* context, const v1::GetInclusionProofRequest* request,
    v1::InclusionProof* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return core_.GetInclusionProof(caller, *request);
                     });
}

grpc::ServerUnaryReactor* AuditService::GetReceipt(grpc::CallbackServerContext* context,
                                                   const v1::GetReceiptRequest* request,
                                                   v1::ReceiptView* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return core_.GetReceipt(caller, *request);
                     });
}

grpc::ServerUnaryReactor* AuditService::GetConsistencyProof(
    grpc::CallbackServerContext* context, const v1::GetConsistencyProofRequest* request,
    v1::ConsistencyProof* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return core_.GetConsistencyProof(caller, *request);
                     });
}

grpc::ServerWriteReactor<v1::ExportChunk>* AuditService::Export(
    grpc::CallbackServerContext* context, const v1::ExportRequest* request) {
  return new ExportReactor(gate_, core_, pool_, watchdog_, context, *request);
}

grpc::ServerUnaryReactor* AuditService::AddCosignature(grpc::CallbackServerContext* context,
                                                       const v1::AddCosignatureRequest* request,
                                                       v1::AddCosignatureResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return core_.AddCosignature(caller, *request);
                     });
}

grpc::ServerUnaryReactor* AuditService::GetDisclosureOverview(grpc::CallbackServerContext* context,
                                                              const v1::DisclosureRequest* request,
                                                              v1::DisclosureResponse* response) {
  return ServeOnPool(gate_, pool_, context, *request, response,
                     [this, request](const identity::Caller& caller) {
                       return core_.GetDisclosureOverview(caller, *request);
                     });
}

grpc::ServerUnaryReactor* AuditService::EraseSubject(grpc::CallbackServerContext* context,
                                                     const v1::EraseSubjectRequest* request,
                                                     v1::EraseSubjectResponse* response) {
  return ServeOnPool(
      gate_, pool_, context, *request, response,
      [this, request](const identity::Caller& caller) -> absl::StatusOr<v1::EraseSubjectResponse> {
        if (erasure_ == nullptr) {
          return absl::UnimplementedError("EraseSubject: this broker has no subject keys to shred");
        }
        return erasure_->EraseSubject(caller, *request);
      });
}

}  // namespace wams::services
