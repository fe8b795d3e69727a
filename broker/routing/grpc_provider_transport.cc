#include "broker/routing/grpc_provider_transport.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/base/logging/trace_context.h"
#include "broker/base/secret_file.h"
#include "broker/base/status_macros.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "grpcpp/support/channel_arguments.h"

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
  std::shared_ptr<HandshakeRefusals> refusals;
};

// What a failed call tells the exchange. gRPC reports a handshake our
// verifier refused as UNAVAILABLE, with the verifier's message inside its
// own; the refusal recorded for the channel gives the clean message (naming
// what was found). It stays UNAVAILABLE: the provider was not reached, and
// a retry helps once the right party answers there again. The refusal is
// used only when gRPC's message carries it, so a later failure of another
// kind (the provider went down) is not mistaken for an old refusal. Any
// other status is passed on as gRPC reported it: the provider's own, or
// gRPC's about reaching it or taking its answer.
absl::Status CallFailure(const grpc::Status& status, const HandshakeRefusals& refusals,
                         absl::string_view provider_name) {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    if (std::optional<absl::Status> refused = refusals.Last();
        refused.has_value() && absl::StrContains(status.error_message(), refused->message())) {
      return absl::UnavailableError(absl::StrCat(provider_name, ": ", refused->message(),
                                                 "; refused at the TLS handshake, nothing "
                                                 "was sent"));
    }
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(provider_name, ": ", status.error_message()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcProviderTransport>> GrpcProviderTransport::Create(
    const v1::TlsFiles& tls, const base::Clock& clock, absl::string_view field) {
  WAMS_ASSIGN_OR_RETURN(
      std::string ca_bundle,
      base::ReadPublicFile(tls.ca_bundle_file(), absl::StrCat(field, ".ca_bundle_file")));
  grpc::experimental::IdentityKeyCertPair identity;
  WAMS_ASSIGN_OR_RETURN(
      identity.certificate_chain,
      base::ReadPublicFile(tls.certificate_file(), absl::StrCat(field, ".certificate_file")));
  WAMS_ASSIGN_OR_RETURN(
      identity.private_key,
      base::ReadPrivateFile(tls.private_key_file(), absl::StrCat(field, ".private_key_file")));
  std::shared_ptr<identity::CrlFile> crl;
  if (!tls.crl_file().empty()) {
    WAMS_ASSIGN_OR_RETURN(crl, identity::CrlFile::Load(tls.crl_file(), tls.ca_bundle_file(),
                                                       absl::StrCat(field, ".crl_file"), clock));
  }
  auto certificates = std::make_shared<grpc::experimental::StaticDataCertificateProvider>(
      std::move(ca_bundle), std::vector{std::move(identity)});
  return std::unique_ptr<GrpcProviderTransport>(
      new GrpcProviderTransport(std::move(certificates), std::move(crl)));
}

const GrpcProviderTransport::ProviderChannel& GrpcProviderTransport::ChannelFor(
    const v1::Party& provider) {
  absl::MutexLock lock(&mu_);
  ProviderChannel& channel = channels_[{provider.endpoint(), provider.oin()}];
  if (channel.stub == nullptr) {
    channel.refusals = std::make_shared<HandshakeRefusals>();
    // TLS credentials rather than SslCredentials: only they take a verifier,
    // and the verifier is what checks the provider's OIN before anything is
    // sent. The chain is still verified against the bundle (the default).
    grpc::experimental::TlsChannelCredentialsOptions options;
    options.set_certificate_provider(certificates_);
    options.watch_root_certs();
    options.watch_identity_key_cert_pairs();
    options.set_certificate_verifier(
        grpc::experimental::ExternalCertificateVerifier::Create<ProviderCertificateVerifier>(
            ExpectedProvider{
                .name = provider.name(), .oin = provider.oin(), .endpoint = provider.endpoint()},
            crl_, channel.refusals));
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, kMaxReconnectBackoffMs);
    channel.stub = v1::ProviderService::NewStub(grpc::CreateCustomChannel(
        provider.endpoint(), grpc::experimental::TlsCredentials(options), args));
  }
  return channel;
}

void GrpcProviderTransport::Deliver(const v1::Party& provider, const v1::ProviderRequest& request,
                                    absl::Duration deadline, Done done) {
  if (provider.endpoint().empty()) {
    std::move(done)(absl::FailedPreconditionError(
        absl::StrCat(provider.name(), " (OIN ", provider.oin(), ") has no endpoint")));
    return;
  }
  const ProviderChannel& channel = ChannelFor(provider);
  auto* call = new Call;
  call->request = request;
  call->done = std::move(done);
  call->refusals = channel.refusals;
  call->context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  // W3C Trace Context as metadata too, where OpenTelemetry's gRPC
  // instrumentation looks for it: the adapter's spans join the trace.
  if (!request.traceparent().empty()) {
    call->context.AddMetadata(logging::kTraceparentHeader, request.traceparent());
  }
  if (!request.tracestate().empty()) {
    call->context.AddMetadata(logging::kTracestateHeader, request.tracestate());
  }
  channel.stub->async()->Deliver(
      &call->context, &call->request, &call->response,
      [call, name = provider.name()](const grpc::Status& status) {
        std::unique_ptr<Call> owned(call);
        if (status.ok()) {
          std::move(owned->done)(std::move(owned->response));
          return;
        }
        std::move(owned->done)(CallFailure(status, *owned->refusals, name));
      });
}

}  // namespace wams::routing
