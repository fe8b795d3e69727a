#include "broker/routing/grpc_provider_transport.h"

#include "absl/strings/str_cat.h"
#include "broker/common/secret_file.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"
#include "policy/base/status_macros.h"

namespace wams::routing {
namespace {

// gRPC's default reconnect backoff grows to 120 s: after a provider's outage
// of a few minutes the broker would keep answering UNAVAILABLE for up to two
// minutes while the provider is back. Capped at 1 s, a provider that returns
// is reached again within about a second, for one connection attempt a
// second per provider that is down.
constexpr int kMaxReconnectBackoffMs = 1000;

// One outbound call; owns what must live until the callback.
struct Call {
  grpc::ClientContext context;
  v1::ProviderRequest request;
  v1::ProviderResponse response;
  ProviderTransport::Done done;
};

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcProviderTransport>> GrpcProviderTransport::Create(
    const v1::TlsFiles& tls) {
  grpc::SslCredentialsOptions options;
  WAMS_ASSIGN_OR_RETURN(options.pem_root_certs,
                        common::ReadPublicFile(tls.ca_bundle_file(), "client_tls.ca_bundle_file"));
  WAMS_ASSIGN_OR_RETURN(
      options.pem_cert_chain,
      common::ReadPublicFile(tls.certificate_file(), "client_tls.certificate_file"));
  WAMS_ASSIGN_OR_RETURN(
      options.pem_private_key,
      common::ReadPrivateFile(tls.private_key_file(), "client_tls.private_key_file"));
  return std::unique_ptr<GrpcProviderTransport>(
      new GrpcProviderTransport(grpc::SslCredentials(options)));
}

v1::ProviderService::Stub* GrpcProviderTransport::StubFor(const std::string& endpoint) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<v1::ProviderService::Stub>& stub = stubs_[endpoint];
  if (stub == nullptr) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, kMaxReconnectBackoffMs);
    stub = v1::ProviderService::NewStub(grpc::CreateCustomChannel(endpoint, credentials_, args));
  }
  return stub.get();
}

void GrpcProviderTransport::Deliver(const v1::Party& provider, const v1::ProviderRequest& request,
                                    absl::Duration deadline, Done done) {
  if (provider.endpoint().empty()) {
    std::move(done)(absl::FailedPreconditionError(
        absl::StrCat(provider.name(), " (OIN ", provider.oin(), ") has no endpoint")));
    return;
  }
  auto* call = new Call;
  call->request = request;
  call->done = std::move(done);
  call->context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  StubFor(provider.endpoint())
      ->async()
      ->Deliver(
          &call->context, &call->request, &call->response,
          [call, name = provider.name()](grpc::Status status) {
            std::unique_ptr<Call> owned(call);
            if (status.ok()) {
              std::move(owned->done)(std::move(owned->response));
              return;
            }
            std::move(owned->done)(absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                                                absl::StrCat(name, ": ", status.error_message())));
          });
}

}  // namespace wams::routing
