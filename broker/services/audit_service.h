// audit_service.h: the AuditService gRPC handlers. Thin: identify the caller,
// run the audit core on a worker (audit queries wait for their durable
// receipt), translate. Export streams the log with an ExportReactor
// (export_stream.h), whose idle streams the service's watchdog cancels.
//
// EraseSubject runs the erasure core (broker/retention/erasure.h).
//
//   AuditService service(gate, *core, pool, absl::Seconds(60), erasure.get());
//   builder.RegisterService(&service);
#ifndef WAMS_BROKER_SERVICES_AUDIT_SERVICE_H_
#define WAMS_BROKER_SERVICES_AUDIT_SERVICE_H_

#include "broker/audit/audit_core.h"
#include "broker/base/worker_pool.h"
#include "broker/retention/erasure.h"
#include "broker/services/call_handler.h"
#include "broker/services/export_stream.h"
#include "wams/broker/v1/audit.grpc.pb.h"

namespace wams::services {

namespace v1 = ::wams::broker::v1;

// Thread-safe; borrows everything, which must outlive the service.
class AuditService final : public v1::AuditService::CallbackService {
 public:
  // `export_idle_timeout`: limits.export_idle_timeout. `erasure` null:
  // EraseSubject answers UNIMPLEMENTED (no subject keys to shred).
  AuditService(const CallGate& gate, audit::AuditCore& core, base::WorkerPool& pool,
               absl::Duration export_idle_timeout = kDefaultExportIdleTimeout,
               retention::Erasure* erasure = nullptr)
      : gate_(gate), core_(core), pool_(pool), watchdog_(export_idle_timeout), erasure_(erasure) {}

  grpc::ServerUnaryReactor* GetCheckpoint(grpc::CallbackServerContext* context,
                                          const v1::GetCheckpointRequest* request,
                                          v1::Checkpoint* response) override;
  grpc::ServerUnaryReactor* ListReceipts(grpc::CallbackServerContext* context,
                                         const v1::ListReceiptsRequest* request,
                                         v1::ListReceiptsResponse* response) override;
  grpc::ServerUnaryReactor* GetInclusionProof(grpc::CallbackServerContext* context,
                                              const v1::GetInclusionProofRequest* request,
                                              v1::InclusionProof* response) override;
  grpc::ServerUnaryReactor* GetReceipt(grpc::CallbackServerContext* context,
                                       const v1::GetReceiptRequest* request,
                                       v1::ReceiptView* response) override;
  grpc::ServerUnaryReactor* GetConsistencyProof(grpc::CallbackServerContext* context,
                                                const v1::GetConsistencyProofRequest* request,
                                                v1::ConsistencyProof* response) override;
  grpc::ServerWriteReactor<v1::ExportChunk>* Export(grpc::CallbackServerContext* context,
                                                    const v1::ExportRequest* request) override;
  grpc::ServerUnaryReactor* AddCosignature(grpc::CallbackServerContext* context,
                                           const v1::AddCosignatureRequest* request,
                                           v1::AddCosignatureResponse* response) override;
  grpc::ServerUnaryReactor* GetDisclosureOverview(grpc::CallbackServerContext* context,
                                                  const v1::DisclosureRequest* request,
                                                  v1::DisclosureResponse* response) override;
  grpc::ServerUnaryReactor* EraseSubject(grpc::CallbackServerContext* context,
                                         const v1::EraseSubjectRequest* request,
                                         v1::EraseSubjectResponse* response) override;

 private:
  const CallGate& gate_;
  audit::AuditCore& core_;
  base::WorkerPool& pool_;
  ExportWatchdog watchdog_;
  retention::Erasure* const erasure_;
};

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_AUDIT_SERVICE_H_
