// conference_service.h: the ConferenceService gRPC handlers (R22 to R26).
// Thin: identify, run the conference manager on a worker (it waits for
// durable receipts), translate. The rules and status codes are the manager's;
// see broker/conference/conference_manager.h.
//
//   ConferenceService service(gate, conferences, workers);
//   builder.RegisterService(&service);
#ifndef WAMS_BROKER_SERVICES_CONFERENCE_SERVICE_H_
#define WAMS_BROKER_SERVICES_CONFERENCE_SERVICE_H_

#include "broker/base/worker_pool.h"
#include "broker/conference/conference_manager.h"
#include "broker/services/call_handler.h"
#include "wams/broker/v1/conference.grpc.pb.h"

namespace wams::services {

namespace v1 = ::wams::broker::v1;

// Thread-safe; borrows everything, which must outlive the service.
class ConferenceService final : public v1::ConferenceService::CallbackService {
 public:
  ConferenceService(const CallGate& gate, conference::ConferenceManager& conferences,
                    base::WorkerPool& pool)
      : gate_(gate), conferences_(conferences), pool_(pool) {}

  grpc::ServerUnaryReactor* Convene(grpc::CallbackServerContext* context,
                                    const v1::ConveneRequest* request,
                                    v1::ConferenceResponse* response) override;
  grpc::ServerUnaryReactor* Invite(grpc::CallbackServerContext* context,
                                   const v1::InviteRequest* request,
                                   v1::ConferenceResponse* response) override;
  grpc::ServerUnaryReactor* SetClientInvitation(grpc::CallbackServerContext* context,
                                                const v1::SetClientInvitationRequest* request,
                                                v1::ConferenceResponse* response) override;
  grpc::ServerUnaryReactor* ShareItem(grpc::CallbackServerContext* context,
                                      const v1::ShareItemRequest* request,
                                      v1::ShareItemResponse* response) override;
  grpc::ServerUnaryReactor* FetchItems(grpc::CallbackServerContext* context,
                                       const v1::FetchItemsRequest* request,
                                       v1::FetchItemsResponse* response) override;
  grpc::ServerUnaryReactor* AssentOnwardUse(grpc::CallbackServerContext* context,
                                            const v1::AssentOnwardUseRequest* request,
                                            v1::OnwardUseResponse* response) override;
  grpc::ServerUnaryReactor* RequestOnwardUse(grpc::CallbackServerContext* context,
                                             const v1::RequestOnwardUseRequest* request,
                                             v1::OnwardUseResponse* response) override;

 private:
  const CallGate& gate_;
  conference::ConferenceManager& conferences_;
  base::WorkerPool& pool_;
};

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_CONFERENCE_SERVICE_H_
