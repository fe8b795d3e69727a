#include "broker/services/audit_service.h"

#include <string>
#include <utility>

#include "broker/services/call_handler.h"

namespace wams::services {
namespace {

// Streams an export: keys, receipts [from_index, checkpoint size), then the
// checkpoint. The export is authorised and receipted on a worker (that
// waits for a durable receipt); after that each write's completion reads and
// sends the next receipt, so memory stays one receipt whatever the log size.
// Deletes itself in OnDone.
class ExportReactor final : public grpc::ServerWriteReactor<v1::ExportChunk> {
 public:
  ExportReactor(const CallGate& gate, audit_service::AuditCore& core, common::WorkerPool& pool,
                grpc::CallbackServerContext* context, const v1::ExportRequest& request)
      : core_(core) {
    absl::StatusOr<AdmittedCall> call = gate.Enter(*context);
    if (!call.ok()) {
      Finish(ToGrpcStatus(call.status()));
      return;
    }
    // The party's slot is held for the whole stream.
    ticket_ = std::move(call->ticket);
    pool.Schedule([this, caller = std::move(call->caller), request]() {
      absl::StatusOr<audit_service::ExportPlan> plan = core_.BeginExport(caller, request);
      if (!plan.ok()) {
        Done(ToGrpcStatus(plan.status()));
        return;
      }
      plan_ = *std::move(plan);
      next_leaf_ = plan_.from_index;
      WriteNext();
    });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Done(grpc::Status(grpc::StatusCode::CANCELLED, "the export stream broke off"));
      return;
    }
    WriteNext();
  }

  void OnDone() override { delete this; }

 private:
  // Gives the party's slot back, then finishes the stream.
  void Done(const grpc::Status& status) {
    ticket_.Release();
    Finish(status);
  }

  void WriteNext() {
    chunk_.Clear();
    if (next_key_ < plan_.keys.size()) {
      chunk_.set_key(plan_.keys[next_key_++]);
    } else if (next_leaf_ < plan_.checkpoint.tree_size()) {
      absl::StatusOr<v1::SignedReceipt> receipt = core_.ReadReceipt(next_leaf_);
      if (!receipt.ok()) {
        Done(ToGrpcStatus(receipt.status()));
        return;
      }
      *chunk_.mutable_receipt() = *std::move(receipt);
      chunk_.mutable_receipt()->set_leaf_index(next_leaf_++);
    } else if (!checkpoint_sent_) {
      *chunk_.mutable_checkpoint() = plan_.checkpoint;
      checkpoint_sent_ = true;
    } else {
      Done(grpc::Status::OK);
      return;
    }
    StartWrite(&chunk_);
  }

  audit_service::AuditCore& core_;
  Admission::Ticket ticket_;
  audit_service::ExportPlan plan_;
  size_t next_key_ = 0;
  uint64_t next_leaf_ = 0;
  bool checkpoint_sent_ = false;
  v1::ExportChunk chunk_;
};

}  // namespace

grpc::ServerUnaryReactor* AuditService::GetCheckpoint(grpc::CallbackServerContext* context,
                                                      const v1::GetCheckpointRequest* request,
                                                      v1::Checkpoint* response) {
  return ServeOnPool(gate_, pool_, context, response,
                     [this, request](const identity::Caller& caller) {
                       return core_.GetCheckpoint(caller, *request);
                     });
}

grpc::ServerUnaryReactor* AuditService::ListReceipts(grpc::CallbackServerContext* context,
                                                     const v1::ListReceiptsRequest* request,
                                                     v1::ListReceiptsResponse* response) {
  return ServeOnPool(gate_, pool_, context, response,
                     [this, request](const identity::Caller& caller) {
                       return core_.ListReceipts(caller, *request);
                     });
}

grpc::ServerUnaryReactor* AuditService::GetInclusionProof(
    grpc::CallbackServerContext* context, const v1::GetInclusionProofRequest* request,
    v1::InclusionProof* response) {
  return ServeOnPool(gate_, pool_, context, response,
                     [this, request](const identity::Caller& caller) {
                       return core_.GetInclusionProof(caller, *request);
                     });
}

grpc::ServerUnaryReactor* AuditService::GetConsistencyProof(
    grpc::CallbackServerContext* context, const v1::GetConsistencyProofRequest* request,
    v1::ConsistencyProof* response) {
  return ServeOnPool(gate_, pool_, context, response,
                     [this, request](const identity::Caller& caller) {
                       return core_.GetConsistencyProof(caller, *request);
                     });
}

grpc::ServerWriteReactor<v1::ExportChunk>* AuditService::Export(
    grpc::CallbackServerContext* context, const v1::ExportRequest* request) {
  return new ExportReactor(gate_, core_, pool_, context, *request);
}

grpc::ServerUnaryReactor* AuditService::AddCosignature(grpc::CallbackServerContext* context,
                                                       const v1::AddCosignatureRequest* request,
                                                       v1::AddCosignatureResponse* response) {
  return ServeOnPool(gate_, pool_, context, response,
                     [this, request](const identity::Caller& caller) {
                       return core_.AddCosignature(caller, *request);
                     });
}

grpc::ServerUnaryReactor* AuditService::GetDisclosureOverview(grpc::CallbackServerContext* context,
                                                              const v1::DisclosureRequest* request,
                                                              v1::DisclosureResponse* response) {
  return ServeOnPool(gate_, pool_, context, response,
                     [this, request](const identity::Caller& caller) {
                       return core_.GetDisclosureOverview(caller, *request);
                     });
}

}  // namespace wams::services
