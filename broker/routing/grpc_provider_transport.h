// grpc_provider_transport.h: ProviderTransport over gRPC with mutual TLS.
//
// One channel per provider (endpoint and registered OIN), made on first use
// and kept; the broker presents its own certificate and, during the TLS
// handshake, checks the provider's: it must chain to the CA bundle, name the
// host, carry the OIN registered for the endpoint and not be revoked by the
// CRL file (provider_certificate_check.h). A provider that fails the check is
// sent nothing; its calls end UNAVAILABLE naming what was found. A channel
// whose provider went down retries connecting at least once a second, so a
// provider that comes back is reached again within about a second, whatever
// the length of its outage. Calls are asynchronous (the callback API), so no
// broker thread waits for a provider.
//
//   WAMS_ASSIGN_OR_RETURN(auto transport,
//                         GrpcProviderTransport::Create(tls_files, clock, "client_tls"));
//
// Thread-safe.
#ifndef WAMS_BROKER_ROUTING_GRPC_PROVIDER_TRANSPORT_H_
#define WAMS_BROKER_ROUTING_GRPC_PROVIDER_TRANSPORT_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/container/node_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "broker/base/clock.h"
#include "broker/identity/revocation_list.h"
#include "broker/routing/provider_certificate_check.h"
#include "broker/routing/provider_transport.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "wams/broker/v1/config.pb.h"
#include "wams/broker/v1/provider.grpc.pb.h"

namespace wams::routing {

class GrpcProviderTransport final : public ProviderTransport {
 public:
  // Reads the client certificate, key (permissions checked), CA bundle and,
  // when set, the CRL file (re-read when it changes). Errors name the field
  // under `field`, the config message `tls` came from (e.g. "client_tls").
  // `clock` (borrowed, must outlive the transport) tells when the CRL is
  // past its nextUpdate.
  static absl::StatusOr<std::unique_ptr<GrpcProviderTransport>> Create(
      const v1::TlsFiles& tls, const base::Clock& clock, absl::string_view field = "client_tls");

  void Deliver(const v1::Party& provider, const v1::ProviderRequest& request,
               absl::Duration deadline, Done done) override;

 private:
  // One provider's channel and what its handshakes last refused.
  struct ProviderChannel {
    std::unique_ptr<v1::ProviderService::Stub> stub;
    std::shared_ptr<HandshakeRefusals> refusals;
  };

  GrpcProviderTransport(
      std::shared_ptr<grpc::experimental::StaticDataCertificateProvider> certificates,
      std::shared_ptr<identity::CrlFile> crl)
      : certificates_(std::move(certificates)), crl_(std::move(crl)) {}

  // The channel to `provider`, made on first use; valid as long as the transport.
  const ProviderChannel& ChannelFor(const v1::Party& provider);

  const std::shared_ptr<grpc::experimental::StaticDataCertificateProvider> certificates_;
  const std::shared_ptr<identity::CrlFile> crl_;  // nullptr: no CRL configured
  absl::Mutex mu_;
  // Keyed by endpoint and OIN: each channel checks for its own provider. A
  // node map: ChannelFor hands out references that later inserts keep valid.
  absl::node_hash_map<std::pair<std::string, std::string>, ProviderChannel> channels_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace wams::routing

#endif  // WAMS_BROKER_ROUTING_GRPC_PROVIDER_TRANSPORT_H_
