// exchange_service.h: the ExchangeService gRPC handlers.
//
// Thin: identify the caller, call the core, translate the result. WhoAmI is
// served here; RequestData, ShareData and CheckRequest answer UNIMPLEMENTED
// until the exchange flow lands.
#ifndef WAMS_BROKER_SERVICES_EXCHANGE_SERVICE_H_
#define WAMS_BROKER_SERVICES_EXCHANGE_SERVICE_H_

#include "broker/identity/caller_identity.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams::services {

namespace v1 = ::wams::broker::v1;

// Thread-safe; borrows the authenticator, which must outlive the service.
class ExchangeService final : public v1::ExchangeService::CallbackService {
 public:
  explicit ExchangeService(const identity::Authenticator& authenticator)
      : authenticator_(authenticator) {}

  grpc::ServerUnaryReactor* WhoAmI(grpc::CallbackServerContext* context,
                                   const v1::WhoAmIRequest* request,
                                   v1::WhoAmIResponse* response) override;

 private:
  const identity::Authenticator& authenticator_;
};

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_EXCHANGE_SERVICE_H_
