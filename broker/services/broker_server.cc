#include "broker/services/broker_server.h"

#include "absl/strings/str_cat.h"
#include "broker/common/secret_file.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "policy/base/status_macros.h"

namespace wams::services {
namespace {

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTlsCredentials(
    const v1::TlsFiles& tls) {
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  WAMS_ASSIGN_OR_RETURN(pair.private_key, common::ReadPrivateFile(tls.private_key_file(),
                                                                  "server_tls.private_key_file"));
  WAMS_ASSIGN_OR_RETURN(pair.cert_chain, common::ReadPublicFile(tls.certificate_file(),
                                                                "server_tls.certificate_file"));
  WAMS_ASSIGN_OR_RETURN(options.pem_root_certs,
                        common::ReadPublicFile(tls.ca_bundle_file(), "server_tls.ca_bundle_file"));
  options.pem_key_cert_pairs.push_back(std::move(pair));
  return grpc::SslServerCredentials(options);
}

}  // namespace

BrokerServer::BrokerServer(identity::PartyRegistry registry)
    : registry_(std::move(registry)),
      authenticator_(registry_),
      exchange_service_(authenticator_) {}

BrokerServer::~BrokerServer() { Shutdown(absl::ZeroDuration()); }

absl::StatusOr<std::unique_ptr<BrokerServer>> BrokerServer::Start(const v1::BrokerConfig& config) {
  WAMS_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                        MutualTlsCredentials(config.server_tls()));
  WAMS_ASSIGN_OR_RETURN(identity::PartyRegistry registry, identity::PartyRegistry::Create(config));
  std::unique_ptr<BrokerServer> broker(new BrokerServer(std::move(registry)));

  // Both are process-wide switches that must be set before a builder is made.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen_address(), credentials, &broker->port_);
  builder.RegisterService(&broker->exchange_service_);
  builder.RegisterService(&broker->case_service_);
  builder.RegisterService(&broker->conference_service_);
  builder.RegisterService(&broker->audit_service_);
  broker->server_ = builder.BuildAndStart();
  if (broker->server_ == nullptr || broker->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("listen_address: cannot listen on ", config.listen_address()));
  }
  broker->server_->GetHealthCheckService()->SetServingStatus(true);
  return broker;
}

void BrokerServer::Shutdown(absl::Duration grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  server_->GetHealthCheckService()->SetServingStatus(false);
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
}

}  // namespace wams::services
