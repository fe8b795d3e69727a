// grpc_provider_transport.h: ProviderTransport over gRPC with mutual TLS.
//
// One channel per provider endpoint, made on first use and kept; the broker
// presents its own certificate and checks the provider's against the CA
// bundle. A channel whose provider went down retries connecting at least once
// a second, so a provider that comes back is reached again within about a
// second, whatever the length of its outage. Calls are asynchronous (the
// callback API), so no broker thread waits for a provider.
//
//   WAMS_ASSIGN_OR_RETURN(auto transport, GrpcProviderTransport::Create(tls_files));
//
// Thread-safe.
#ifndef WAMS_BROKER_ROUTING_GRPC_PROVIDER_TRANSPORT_H_
#define WAMS_BROKER_ROUTING_GRPC_PROVIDER_TRANSPORT_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "broker/routing/provider_transport.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "wams/broker/v1/config.pb.h"
#include "wams/broker/v1/provider.grpc.pb.h"

namespace wams::routing {

class GrpcProviderTransport final : public ProviderTransport {
 public:
  // Reads the client certificate, key (permissions checked) and CA bundle.
  static absl::StatusOr<std::unique_ptr<GrpcProviderTransport>> Create(const v1::TlsFiles& tls);

  void Deliver(const v1::Party& provider, const v1::ProviderRequest& request,
               absl::Duration deadline, Done done) override;

 private:
  explicit GrpcProviderTransport(std::shared_ptr<grpc::ChannelCredentials> credentials)
      : credentials_(std::move(credentials)) {}

  v1::ProviderService::Stub* StubFor(const std::string& endpoint);

  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<v1::ProviderService::Stub>> stubs_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace wams::routing

#endif  // WAMS_BROKER_ROUTING_GRPC_PROVIDER_TRANSPORT_H_
