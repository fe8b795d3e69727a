// broker_server.h: the broker's gRPC server with mutual TLS.
//
// Owns the party registry, the services and the grpc::Server. Clients must
// present a certificate that chains to the configured CA bundle; the server
// also serves grpc.health.v1.Health and server reflection, so grpcurl and any
// gRPC health probe work against it.
//
//   WAMS_ASSIGN_OR_RETURN(auto server, BrokerServer::Start(config));
//   ... server->port() ...
//   server->Shutdown(absl::Seconds(10));  // in-flight calls finish
#ifndef WAMS_BROKER_SERVICES_BROKER_SERVER_H_
#define WAMS_BROKER_SERVICES_BROKER_SERVER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/identity/caller_identity.h"
#include "broker/identity/party_registry.h"
#include "broker/services/exchange_service.h"
#include "grpcpp/server.h"
#include "wams/broker/v1/audit.grpc.pb.h"
#include "wams/broker/v1/case.grpc.pb.h"
#include "wams/broker/v1/conference.grpc.pb.h"
#include "wams/broker/v1/config.pb.h"

namespace wams::services {

class BrokerServer {
 public:
  // Reads the TLS files (private key permissions checked), binds
  // `config.listen_address()` and starts serving. FAILED_PRECONDITION or
  // NOT_FOUND naming the config field for unusable TLS files; UNAVAILABLE
  // when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<BrokerServer>> Start(const v1::BrokerConfig& config);

  ~BrokerServer();

  // The bound port (useful with port 0).
  int port() const { return port_; }

  // Stops accepting calls, lets in-flight calls finish until `grace` has
  // passed, then cancels the rest. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  explicit BrokerServer(identity::PartyRegistry registry);

  identity::PartyRegistry registry_;
  identity::Authenticator authenticator_;
  ExchangeService exchange_service_;
  // Not implemented yet: the generated bases answer UNIMPLEMENTED.
  v1::CaseService::CallbackService case_service_;
  v1::ConferenceService::CallbackService conference_service_;
  v1::AuditService::CallbackService audit_service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_BROKER_SERVER_H_
