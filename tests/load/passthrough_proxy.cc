// wams-passthrough: the broker's network path without the broker, as the
// baseline its cost is measured against.
//
//   wams-passthrough --listen 127.0.0.1:0 --cert broker.crt --key broker.key --ca ca.crt
//       --upstream 127.0.0.1:7453
//
// Serves ExchangeService.RequestData with the broker's server mTLS (the same
// certificate, key and CA, client certificate required) and forwards each call
// to a provider's ProviderService.Deliver with the broker's client mTLS (the
// same certificate presented), both over gRPC's callback API as the broker
// does, and answers with what the provider said. Nothing else: no identity
// lookup, no policy, no receipts, no idempotency, no storage.
//
// The translation is the smallest that lets one client drive both this and
// the broker: the request's request_id, case_id, subject_bsn, purpose,
// categories and justification (and the x-wams-professional-id metadata)
// are copied into a ProviderRequest; the ProviderResponse's status, data,
// conditions, good_care_statement, legal_basis and refusal_reasons are
// copied into the DataResponse. A provider error is returned as is. Other
// ExchangeService methods answer UNIMPLEMENTED.
//
// Prints "listening on HOST:PORT" on stdout; SIGTERM or SIGINT stops it.
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broker/base/cli/command_line.h"
#include "broker/base/secret_file.h"
#include "broker/base/stop_signals.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "wams/broker/v1/exchange.grpc.pb.h"
#include "wams/broker/v1/provider.grpc.pb.h"

namespace wams::load {
namespace {

namespace v1 = ::wams::broker::v1;

constexpr int kExitBadFlags = 2;
constexpr int kExitStartError = 1;
// As the broker's default provider_deadline.
constexpr absl::Duration kUpstreamDeadline = absl::Seconds(5);

constexpr char kDescription[] =
    "Serves ExchangeService.RequestData with mutual TLS and forwards each call to the\n"
    "ProviderService at --upstream, presenting the same certificate. No policy, no ledger.";

class Passthrough final : public v1::ExchangeService::CallbackService {
 public:
  explicit Passthrough(std::shared_ptr<grpc::Channel> upstream)
      : stub_(v1::ProviderService::NewStub(std::move(upstream))) {}

  grpc::ServerUnaryReactor* RequestData(grpc::CallbackServerContext* context,
                                        const v1::DataRequest* request,
                                        v1::DataResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    // Owns what must live until the provider answers.
    struct Call {
      grpc::ClientContext context;
      v1::ProviderRequest request;
      v1::ProviderResponse response;
    };
    auto* call = new Call;
    call->request.set_request_id(request->request_id());
    call->request.set_case_id(request->case_id());
    call->request.set_subject_bsn(request->subject_bsn());
    call->request.set_purpose(request->purpose());
    *call->request.mutable_categories() = request->categories();
    call->request.set_justification(request->justification());
    if (auto found = context->client_metadata().find("x-wams-professional-id");
        found != context->client_metadata().end()) {
      call->request.set_professional_id(std::string(found->second.data(), found->second.size()));
    }
    call->context.set_deadline(absl::ToChronoTime(absl::Now() + kUpstreamDeadline));
    stub_->async()->Deliver(&call->context, &call->request, &call->response,
                            [call, reactor, response](grpc::Status status) {
                              std::unique_ptr<Call> owned(call);
                              if (status.ok()) {
                                v1::ProviderResponse& answer = owned->response;
                                response->set_status(answer.status());
                                *response->mutable_data() = std::move(*answer.mutable_data());
                                *response->mutable_conditions() = answer.conditions();
                                response->set_good_care_statement(answer.good_care_statement());
                                response->set_legal_basis(answer.legal_basis());
                                response->set_refusal_reasons(answer.refusal_reasons());
                              }
                              reactor->Finish(status);
                            });
    return reactor;
  }

 private:
  std::unique_ptr<v1::ProviderService::Stub> stub_;
};

int Main(int argc, char** argv) {
  CLI::App app(kDescription, "wams-passthrough");
  cli::AddVersionFlag(app);
  app.footer("Exit codes: 0 stopped cleanly, 1 cannot start, 2 bad command line or TLS file.");
  std::string listen, upstream, cert_file, key_file, ca_file;
  app.add_option("--listen", listen, "address to serve on")->option_text("HOST:PORT")->required();
  app.add_option("--upstream", upstream, "the ProviderService to forward to")
      ->option_text("HOST:PORT")
      ->required();
  app.add_option("--cert", cert_file, "PEM certificate")->option_text("FILE")->required();
  app.add_option("--key", key_file, "PEM private key (0600)")->option_text("FILE")->required();
  app.add_option("--ca", ca_file, "PEM CA bundle")->option_text("FILE")->required();
  if (std::optional<int> done = cli::Parse(app, argc, argv)) return *done;
  // The broker's own readers: the key's permissions are checked as the broker does.
  absl::StatusOr<std::string> cert = base::ReadPublicFile(cert_file, "--cert");
  absl::StatusOr<std::string> key = base::ReadPrivateFile(key_file, "--key");
  absl::StatusOr<std::string> ca = base::ReadPublicFile(ca_file, "--ca");
  for (const absl::StatusOr<std::string>* file : {&cert, &key, &ca}) {
    if (!file->ok()) {
      std::cerr << "wams-passthrough: " << file->status().message() << "\n";
      return kExitBadFlags;
    }
  }

  // Before any thread starts, so every thread inherits the blocked mask.
  const wams::base::StopSignals stop_signals;

  // The broker's two TLS roles with the broker's own files.
  grpc::SslCredentialsOptions client_tls;
  client_tls.pem_root_certs = *ca;
  client_tls.pem_cert_chain = *cert;
  client_tls.pem_private_key = *key;
  Passthrough service(grpc::CreateChannel(upstream, grpc::SslCredentials(client_tls)));

  grpc::SslServerCredentialsOptions server_tls(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  server_tls.pem_root_certs = *ca;
  server_tls.pem_key_cert_pairs.push_back({*key, *cert});
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::SslServerCredentials(server_tls), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::cerr << "wams-passthrough: cannot listen on " << listen << "\n";
    return kExitStartError;
  }
  std::cout << "listening on " << listen.substr(0, listen.rfind(':')) << ":" << port << std::endl;

  stop_signals.Wait();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server->Wait();
  return 0;
}

}  // namespace
}  // namespace wams::load

int main(int argc, char** argv) { return wams::load::Main(argc, argv); }
