// rest_server.h: the REST/JSON face of the broker (issue 20): HTTPS with
// the same mTLS as the gRPC port, the routes of the google.api.http
// annotations, protobuf's JSON mapping, the same CallGate and cores.
//
// One request: TLS verifies the client certificate against the client CA
// bundle (server_tls.ca_bundle_file) -> the route (404 / 405 with Allow) ->
// CallGate::EnterVerified (the certificate's OIN, the CRL, the party's
// limits: 401 / 403 / 429) -> the request message (request_reader.h: 400 /
// 415) -> Idempotency-Key into request_id -> CallGate::Screen (the field
// rules, receipted: 400) -> the method's core call (rest_calls.h) -> 200
// with the response as JSON, or problem+json (problem.h).
//
// Every response carries API-Version (api_version.h); calls that take a
// trace context answer traceparent, fsc-transaction-id and traceresponse as
// the gRPC face does. GET /api/v1/openapi.json serves the API's document;
// GET /api/v1/problem-types/{rule} the problem type of a rule.
//
// Thread-safety: handlers run on the server's own threads, each waiting for
// its core call; the cores' work runs where their gRPC calls' does.
#ifndef WAMS_BROKER_REST_REST_SERVER_H_
#define WAMS_BROKER_REST_REST_SERVER_H_

#include <httplib.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/http/serving_thread.h"
#include "broker/base/logging/call_log.h"
#include "broker/base/trace_ids.h"
#include "broker/rest/rest_calls.h"
#include "broker/rest/rest_metrics.h"
#include "broker/rest/route_table.h"
#include "broker/services/call_handler.h"

namespace wams::rest {

struct RestServerOptions {
  // host:port; port 0 picks one.
  std::string address;
  // The broker's certificate chain and key, and the CA bundle client
  // certificates must chain to (server_tls).
  std::string certificate_file;
  std::string private_key_file;
  std::string ca_bundle_file;
  // The largest request body (limits.max_message_bytes; 413 above it).
  size_t max_body_bytes = 4 * 1024 * 1024;
  // Connections served at once, each on a thread of its own
  // (http::ConnectionThreads); more wait in the accept queue.
  size_t max_connections = 1024;
  // A connection that has not finished its TLS handshake (or sent its
  // request) by then is closed (limits.handshake_timeout).
  absl::Duration handshake_timeout = absl::Seconds(5);
  // Served at GET /api/v1/openapi.json (404 when empty).
  std::string_view openapi_document;
  // Where the calls are counted (rest_metrics.h); null: not counted.
  prometheus::Registry* metrics_registry = nullptr;
};

class RestServer {
 public:
  // Borrows `gate`, which must outlive the server. INVALID_ARGUMENT naming
  // the field for a malformed address or unusable TLS files (private key
  // open to group or others included); UNAVAILABLE when it cannot listen.
  static absl::StatusOr<std::unique_ptr<RestServer>> Start(const RestServerOptions& options,
                                                           const services::CallGate& gate,
                                                           RestCallTable calls);
  ~RestServer();
  RestServer(const RestServer&) = delete;
  RestServer& operator=(const RestServer&) = delete;

  int port() const { return port_; }
  // Stops accepting and waits for the requests being served. Idempotent.
  void Stop();

 private:
  RestServer(const services::CallGate& gate, RestCallTable calls, RouteTable routes);
  void Serve(const httplib::Request& request, httplib::Response& response) const;
  // A routed call, from the caller's identity to the answer; its outcome
  // (OK or the refusal) and, in `record`, what its log line says.
  absl::Status ServeCall(const httplib::Request& request, const RouteMatch& match,
                         const base::TraceIds& trace, httplib::Response& response,
                         logging::CallRecord& record) const;

  const services::CallGate& gate_;
  const RestCallTable calls_;
  const RouteTable routes_;
  std::string openapi_document_;
  std::unique_ptr<RestMetrics> metrics_;  // null: not counted
  std::unique_ptr<httplib::SSLServer> http_;
  std::unique_ptr<http::ServingThread> serving_;
  int port_ = 0;
};

}  // namespace wams::rest

#endif  // WAMS_BROKER_REST_REST_SERVER_H_
