#include "broker/rest/rest_server.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "broker/base/http/bind.h"
#include "broker/base/http/connection_threads.h"
#include "broker/base/logging/call_log.h"
#include "broker/base/logging/trace_context.h"
#include "broker/base/secret_file.h"
#include "broker/base/status_details.h"
#include "broker/rest/api_version.h"
#include "broker/rest/problem.h"
#include "broker/rest/request_reader.h"
#include "broker/services/exchange_service.h"
#include "google/protobuf/util/json_util.h"
#include "wams/broker/v1/common.pb.h"

namespace wams::rest {
namespace {

namespace v1 = ::wams::broker::v1;

constexpr char kJson[] = "application/json";
constexpr char kIdempotencyKeyHeader[] = "Idempotency-Key";

void Answer(httplib::Response& response, const Problem& problem) {
  response.status = problem.status;
  response.set_content(problem.json, kProblemContentType);
}

// The client certificate TLS verified, as PEM; nullopt when there is none
// (the handshake requires one, so only a bug gets here).
std::optional<std::string> PeerCertificatePem(const httplib::Request& request) {
  if (request.ssl == nullptr) return std::nullopt;
  X509* certificate = SSL_get1_peer_certificate(request.ssl);
  if (certificate == nullptr || SSL_get_verify_result(request.ssl) != X509_V_OK) {
    X509_free(certificate);
    return std::nullopt;
  }
  BIO* bio = BIO_new(BIO_s_mem());
  std::optional<std::string> pem;
  if (bio != nullptr && PEM_write_bio_X509(bio, certificate) == 1) {
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    pem = std::string(data, static_cast<size_t>(length));
  }
  BIO_free(bio);
  X509_free(certificate);
  return pem;
}

// A header sent once, or nullopt; `repeated` is set when sent more than once
// (which of two would be meant?).
std::optional<std::string> SingleHeader(const httplib::Request& request, const char* name,
                                        bool* repeated) {
  const size_t count = request.get_header_value_count(name);
  if (count > 1) *repeated = true;
  if (count != 1) return std::nullopt;
  return request.get_header_value(name);
}

// The ids of the call, as the gRPC face resolves them from its metadata.
base::TraceIds TraceOf(const httplib::Request& request, httplib::Response& response) {
  bool ignored = false;
  base::TraceIds trace = base::ResolveTraceIds(
      SingleHeader(request, logging::kTraceparentHeader, &ignored).value_or(""),
      SingleHeader(request, logging::kTracestateHeader, &ignored).value_or(""),
      SingleHeader(request, services::kTransactionIdHeader, &ignored).value_or(""));
  response.set_header(logging::kTraceparentHeader, trace.traceparent);
  response.set_header(services::kTransactionIdHeader, trace.transaction_id);
  response.set_header(services::kTraceresponseHeader,
                      logging::ChildTraceparent(trace.traceparent, trace.span_id));
  return trace;
}

// Idempotency-Key is the request id of the methods that have one: it fills
// an empty request_id and must equal one given in the body.
absl::Status ApplyIdempotencyKey(const httplib::Request& http, google::protobuf::Message& request) {
  bool repeated = false;
  std::optional<std::string> key = SingleHeader(http, kIdempotencyKeyHeader, &repeated);
  if (repeated) return absl::InvalidArgumentError("Idempotency-Key: sent more than once");
  if (!key.has_value()) return absl::OkStatus();
  const google::protobuf::FieldDescriptor* field =
      request.GetDescriptor()->FindFieldByName("request_id");
  if (field == nullptr || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
      field->is_repeated()) {
    return absl::InvalidArgumentError("Idempotency-Key: this route has no request id");
  }
  const google::protobuf::Reflection& reflection = *request.GetReflection();
  const std::string given = reflection.GetString(request, field);
  if (given.empty()) {
    // The field rules (CallGate::Screen) check it as they check a body's.
    reflection.SetString(&request, field, *key);
  } else if (given != *key) {
    return absl::InvalidArgumentError("Idempotency-Key: differs from requestId in the body");
  }
  return absl::OkStatus();
}

// The request's case id (a top-level case_id), for the call's log line.
std::string CaseIdOf(const google::protobuf::Message& request) {
  const google::protobuf::FieldDescriptor* field =
      request.GetDescriptor()->FindFieldByName("case_id");
  if (field == nullptr || field->is_repeated() ||
      field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
    return "";
  }
  return request.GetReflection()->GetString(request, field);
}

// The rules a refusal cites, for the call's log line.
std::vector<std::string> FailedRulesOf(const absl::Status& status) {
  v1::Decision decision;
  if (!base::ReadDetail(status, &decision)) return {};
  return {decision.failed_rule_ids().begin(), decision.failed_rule_ids().end()};
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  // Integrators see every field, a false or a zero too.
  options.always_print_primitive_fields = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

// The TLS context: TLS 1.2 or later, the broker's chain and key, client
// certificates required and verified against the client CA bundle.
bool SetUpTls(SSL_CTX& context, const RestServerOptions& options) {
  return SSL_CTX_set_min_proto_version(&context, TLS1_2_VERSION) == 1 &&
         SSL_CTX_use_certificate_chain_file(&context, options.certificate_file.c_str()) == 1 &&
         SSL_CTX_use_PrivateKey_file(&context, options.private_key_file.c_str(),
                                     SSL_FILETYPE_PEM) == 1 &&
         SSL_CTX_check_private_key(&context) == 1 &&
         SSL_CTX_load_verify_locations(&context, options.ca_bundle_file.c_str(), nullptr) == 1 &&
         [&] {
           STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.ca_bundle_file.c_str());
           if (names == nullptr) return false;
           SSL_CTX_set_client_CA_list(&context, names);
           SSL_CTX_set_verify(&context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
           return true;
         }();
}

}  // namespace

RestServer::RestServer(const services::CallGate& gate, RestCallTable calls, RouteTable routes)
    : gate_(gate), calls_(std::move(calls)), routes_(std::move(routes)) {}

RestServer::~RestServer() { Stop(); }

void RestServer::Stop() {
  if (serving_ != nullptr) serving_->Stop();
}

absl::StatusOr<std::unique_ptr<RestServer>> RestServer::Start(const RestServerOptions& options,
                                                              const services::CallGate& gate,
                                                              RestCallTable calls) {
  const size_t colon = options.address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(options.address.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError("rest_address: not host:port");
  }
  std::string host = options.address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (absl::Status key =
          base::ReadPrivateFile(options.private_key_file, "server_tls.private_key_file").status();
      !key.ok()) {
    return key;
  }
  absl::StatusOr<RouteTable> routes = RouteTable::FromServices(V1Services());
  if (!routes.ok()) return routes.status();
  for (const Route& route : routes->routes()) {
    if (!calls.contains(route.method->full_name())) {
      return absl::InternalError(absl::StrCat("rest: no call for ", route.method->full_name()));
    }
  }
  std::unique_ptr<RestServer> server(new RestServer(gate, std::move(calls), *std::move(routes)));
  server->openapi_document_ = std::string(options.openapi_document);
  if (options.metrics_registry != nullptr) {
    server->metrics_ = std::make_unique<RestMetrics>(*options.metrics_registry, server->routes_);
  }
  server->http_ = std::make_unique<httplib::SSLServer>(
      [&options](SSL_CTX& context) { return SetUpTls(context, options); });
  if (!server->http_->is_valid()) {
    return absl::InvalidArgumentError(
        "server_tls: the REST face cannot use the certificate, key or CA bundle");
  }
  httplib::SSLServer& http = *server->http_;
  const size_t max_connections = options.max_connections;
  http.new_task_queue = [max_connections] { return new http::ConnectionThreads(max_connections); };
  http.set_payload_max_length(options.max_body_bytes);
  // The handshake and each request's reading are bounded by this.
  const absl::Duration timeout = options.handshake_timeout;
  http.set_read_timeout(absl::ToInt64Seconds(timeout),
                        absl::ToInt64Microseconds(timeout) % 1'000'000);
  http.set_write_timeout(10, 0);
  // Many requests per kept-alive connection (no TLS handshake each); an idle
  // one is closed after 5 s, giving its thread back.
  http.set_keep_alive_max_count(1000);
  // Answers go out at once: with Nagle's algorithm on, a kept-alive client's
  // next request waited for the delayed ACK (about 88 ms a call, measured).
  http.set_tcp_nodelay(true);
  http.set_keep_alive_timeout(5);
  // httplib's own refusals (a body too large, a malformed request line) in
  // the same form as ours.
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& response) {
        // Our own problems carry it already; httplib's refusals get it here.
        if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        response.set_header(kApiVersionHeader, kApiVersion);
        Answer(response, PlainProblem(response.status, ReasonPhrase(response.status)));
        return httplib::Server::HandlerResponse::Handled;
      }));
  const RestServer* self = server.get();
  auto serve = [self](const httplib::Request& request, httplib::Response& response) {
    self->Serve(request, response);
  };
  http.Get(".*", serve);
  http.Post(".*", serve);
  http.Put(".*", serve);
  http.Patch(".*", serve);
  http.Delete(".*", serve);
  server->port_ = http::BindForServing(http, host, port);
  if (server->port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("rest_address: cannot listen on ", options.address));
  }
  server->serving_ = std::make_unique<http::ServingThread>(http);
  return server;
}

void RestServer::Serve(const httplib::Request& request, httplib::Response& response) const {
  response.set_header(kApiVersionHeader, kApiVersion);
  if (request.method == "GET" && request.path == absl::StrCat(kBasePath, "/openapi.json") &&
      !openapi_document_.empty()) {
    response.set_content(openapi_document_, kJson);
    return;
  }
  if (request.method == "GET" &&
      absl::StartsWith(request.path, absl::StrCat(kProblemTypesPath, "/"))) {
    std::optional<std::string> type = ProblemTypeJson(
        absl::string_view(request.path).substr(std::string(kProblemTypesPath).size() + 1));
    if (type.has_value()) {
      response.set_content(*type, kJson);
    } else {
      Answer(response, PlainProblem(404, "no such problem type"));
    }
    return;
  }
  const RouteMatch match = routes_.Match(request.method, request.path);
  if (match.route == nullptr) {
    if (!match.allowed_methods.empty()) {
      response.set_header("Allow", absl::StrJoin(match.allowed_methods, ", "));
      Answer(response, PlainProblem(405, "this path takes another method (see Allow)"));
    } else {
      Answer(response, PlainProblem(404, "no such route (see /api/v1/openapi.json)"));
    }
    return;
  }
  // One log line per call, as the gRPC face writes (call_log.h), with the
  // route and the HTTP status as its detail.
  const absl::Time start = absl::Now();
  const base::TraceIds trace = TraceOf(request, response);
  logging::CallRecord record;
  record.kind = "request";
  record.method = absl::StrCat("/", match.route->method->service()->full_name(), "/",
                               match.route->method->name());
  record.trace_id = logging::TraceIdOf(trace.traceparent);
  record.span_id = trace.span_id;
  record.parent_span_id = logging::ParentIdOf(trace.traceparent);
  record.transaction_id = trace.transaction_id;
  const absl::Status outcome = ServeCall(request, match, trace, response, record);
  record.outcome = absl::StatusCodeToString(outcome.code());
  record.latency = absl::Now() - start;
  record.detail =
      absl::StrCat("rest ", request.method, " ", match.route->path, " ", response.status);
  logging::LogCall(record);
  if (metrics_ != nullptr) metrics_->Record(*match.route, response.status, record.latency);
}

absl::Status RestServer::ServeCall(const httplib::Request& request, const RouteMatch& match,
                                   const base::TraceIds& trace, httplib::Response& response,
                                   logging::CallRecord& record) const {
  auto fail = [&response](const absl::Status& status, std::optional<Problem> problem = {}) {
    Answer(response, problem.has_value() ? *problem : ProblemOf(status));
    return status;
  };
  // The same front door as the gRPC face: identity, the party's limits.
  std::optional<std::string> pem = PeerCertificatePem(request);
  if (!pem.has_value()) return fail(absl::UnauthenticatedError("no verified client certificate"));
  bool repeated = false;
  std::optional<std::string> professional_id =
      SingleHeader(request, identity::kProfessionalIdHeader, &repeated);
  if (repeated) {
    return fail(absl::InvalidArgumentError(
        absl::StrCat(identity::kProfessionalIdHeader, ": sent more than once")));
  }
  absl::StatusOr<services::AdmittedCall> call = gate_.EnterVerified(
      *pem, professional_id.has_value() ? std::optional<absl::string_view>(*professional_id)
                                        : std::nullopt);
  if (!call.ok()) return fail(call.status());
  record.caller_oin = call->caller.certificate_oin;
  record.professional_id = call->caller.professional_id;

  HttpInput input{.content_type = request.get_header_value("Content-Type"),
                  .body = request.body,
                  .query = {request.params.begin(), request.params.end()}};
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message = ReadRequest(match, input);
  absl::Status read = message.ok() ? ApplyIdempotencyKey(request, **message) : message.status();
  if (!read.ok()) {
    call->ticket.Release();
    if (read.GetPayload(kUnsupportedMediaType).has_value()) {
      return fail(read, PlainProblem(415, read.message()));
    }
    return fail(read);
  }

  absl::Notification finished;
  CallResult result = absl::UnknownError("not run");
  auto done = [&finished, &result](CallResult outcome) {
    result = std::move(outcome);
    finished.Notify();
  };
  if (gate_.Screen(*call, **message,
                   [&done](absl::Status refused) { done(CallResult(std::move(refused))); })) {
    calls_.at(match.route->method->full_name())(
        call->caller, **message, trace, [&done](CallResult outcome) { done(std::move(outcome)); });
    finished.WaitForNotification();
    call->ticket.Release();
    // Only a request that kept the field rules: refused input is not logged as sent.
    record.case_id = CaseIdOf(**message);
  } else {
    finished.WaitForNotification();
  }
  if (!result.ok()) {
    record.failed_rules = FailedRulesOf(result.status());
    return fail(result.status());
  }
  response.status = 200;
  response.set_content(ToJson(**result), kJson);
  return absl::OkStatus();
}

}  // namespace wams::rest
