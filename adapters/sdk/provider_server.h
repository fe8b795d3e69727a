// provider_server.h: a party's ProviderService over mutual TLS.
//
// Runs the gRPC server under the party's own certificate, accepts calls only
// from the configured broker (by the OIN in its certificate), checks each
// request itself (the API's field rules; no purpose the Wams forbids, R08),
// hands each granted request to the party's Backend through its AnswerPolicy
// (and each share from the municipality, R21, through its share policy,
// share_policy.h), and logs one call line per request, served or refused
// (broker/base/logging/call_log.h: ids, trace, outcome, the rules a refusal
// applied, latency, and "deliver ..." or "share ..." with the categories'
// outcomes), never the BSN or data.
//
//   ProviderServerOptions options;
//   options.listen_address = "0.0.0.0:7452";
//   options.certificate_file = "/etc/wams/ggz.crt";
//   options.private_key_file = "/etc/wams/ggz.key";      // mode 0600
//   options.ca_bundle_file = "/etc/wams/pkioverheid.crt";
//   options.broker_oin = "00000001001234567100";
//   options.policy = {.party_name = "GGZ Voorbeeld", .categories = {...}};
//   absl::StatusOr<std::unique_ptr<ProviderServer>> server =
//       ProviderServer::Start(std::move(options), std::make_unique<MyBackend>());
//   ...
//   (*server)->Shutdown(absl::Seconds(10));
#ifndef WAMS_ADAPTERS_SDK_PROVIDER_SERVER_H_
#define WAMS_ADAPTERS_SDK_PROVIDER_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/sdk/adapter_metrics.h"
#include "adapters/sdk/answer_policy.h"
#include "adapters/sdk/backend.h"
#include "broker/base/listener/bounded_listener.h"
#include "broker/base/metrics/grpc_call_metrics.h"
#include "broker/base/metrics/metrics_endpoint.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server.h"

namespace wams::adapters {

struct ProviderServerOptions {
  // host:port to listen on; port 0 picks a free one (see port()).
  // Default: none, required.
  std::string listen_address;
  // The party's certificate chain (PEM). Default: none, required.
  std::string certificate_file;
  // The party's private key (PEM); refused when group or others can read it.
  // Default: none, required.
  std::string private_key_file;
  // CA bundle the caller's certificate must chain to. Default: none, required.
  std::string ca_bundle_file;
  // OIN (20 digits) of the broker, the only caller accepted. Default: none,
  // required.
  std::string broker_oin;
  // How the party answers, per category. Default: none, required.
  PartyPolicy policy;
  // Most connections open at once, handshaking or established; a new one
  // beyond it is closed at once (broker/base/listener/bounded_listener.h).
  // Default: 0, meaning three quarters of the open-file limit (the soft limit
  // is raised to the hard one at start), at most 4096.
  int max_connections = 0;
  // A connection whose TLS handshake has not finished after this is closed.
  // 1 s to 120 s. Default: 5 s.
  absl::Duration handshake_timeout = absl::Seconds(5);
  // host:port of the Prometheus endpoint (plain HTTP GET /metrics): calls by
  // method and code, connections open and handshaking, the backend's
  // latency and the refusals (adapter_metrics.h). Port 0 picks a free one (see
  // metrics_port()). Default: empty, no endpoint.
  std::string metrics_address;
};

// Owns the gRPC server and its listener (broker/base/listener/bounded_listener.h:
// bounded connections, handshake timeout, accepting never stops for good).
// The server also serves grpc.health.v1.Health: NOT_SERVING while the
// listener cannot take new connections. Thread-safe; Shutdown is called once,
// by its owner.
class ProviderServer {
 public:
  // Validates `options`, reads the TLS files and starts serving.
  // INVALID_ARGUMENT naming the option, NOT_FOUND / FAILED_PRECONDITION for
  // the files, UNAVAILABLE when the address cannot be bound,
  // FAILED_PRECONDITION naming max_connections when it does not fit the
  // open-file limit.
  static absl::StatusOr<std::unique_ptr<ProviderServer>> Start(ProviderServerOptions options,
                                                               std::unique_ptr<Backend> backend);
  ~ProviderServer();  // Shutdown(0) if still running
  ProviderServer(const ProviderServer&) = delete;
  ProviderServer& operator=(const ProviderServer&) = delete;

  // The bound port.
  int port() const { return port_; }
  // The bound metrics port; 0 without options.metrics_address.
  int metrics_port() const { return metrics_ == nullptr ? 0 : metrics_->port(); }
  // Stops accepting calls, lets in-flight calls run for up to `grace`, then
  // cancels the rest and waits for the server threads.
  void Shutdown(absl::Duration grace);

 private:
  class Service;
  // `metrics`: the endpoint, or null without options.metrics_address.
  ProviderServer(std::unique_ptr<Backend> backend, AnswerPolicy policy, std::string broker_oin,
                 std::unique_ptr<metrics::MetricsEndpoint> metrics);

  // Before the server and listener it reads; stopped first in Shutdown.
  std::unique_ptr<metrics::MetricsEndpoint> metrics_;
  std::unique_ptr<metrics::GrpcCallMetrics> call_metrics_;
  // The backend's latency and the refusals; null without metrics_.
  std::unique_ptr<AdapterMetrics> adapter_metrics_;
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  // After server_: destroyed first, so no connection reaches a server that
  // is gone.
  std::unique_ptr<listener::BoundedListener> listener_;
  // The server's, once it started; told whether the listener accepts.
  grpc::HealthCheckServiceInterface* health_ = nullptr;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_SDK_PROVIDER_SERVER_H_
