#include "adapters/sdk/provider_server.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/sdk/adapter_metrics.h"
#include "broker/base/logging/call_log.h"
#include "broker/base/logging/log.h"
#include "broker/base/logging/trace_context.h"
#include "broker/base/metrics/scrape_gauges.h"
#include "broker/base/pki/certificate_cache.h"
#include "broker/base/secret_file.h"
#include "broker/base/status_macros.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/server_context.h"
#include "proto/wire/field_validator.h"
#include "proto/wire/subject_details.h"
#include "proto/wire/text_checks.h"
#include "wams/broker/v1/provider.grpc.pb.h"

namespace wams::adapters {
namespace {

grpc::Status ToGrpc(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::Status Required(bool present, absl::string_view field) {
  if (present) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
}

absl::Status ValidateOptions(const ProviderServerOptions& options) {
  WAMS_RETURN_IF_ERROR(Required(!options.listen_address.empty(), "listen_address"));
  WAMS_RETURN_IF_ERROR(Required(!options.certificate_file.empty(), "certificate_file"));
  WAMS_RETURN_IF_ERROR(Required(!options.private_key_file.empty(), "private_key_file"));
  WAMS_RETURN_IF_ERROR(Required(!options.ca_bundle_file.empty(), "ca_bundle_file"));
  if (!wire::IsOinSyntax(options.broker_oin)) {
    return absl::InvalidArgumentError("broker_oin: must be the broker's 20-digit OIN");
  }
  return listener::ValidateLimits(options.max_connections, options.handshake_timeout);
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTlsCredentials(
    const ProviderServerOptions& options) {
  // The broker must present a certificate chaining to the CA bundle; a caller
  // without one never gets past the handshake.
  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  WAMS_ASSIGN_OR_RETURN(pair.private_key,
                        base::ReadPrivateFile(options.private_key_file, "private_key_file"));
  WAMS_ASSIGN_OR_RETURN(pair.cert_chain,
                        base::ReadPublicFile(options.certificate_file, "certificate_file"));
  WAMS_ASSIGN_OR_RETURN(ssl.pem_root_certs,
                        base::ReadPublicFile(options.ca_bundle_file, "ca_bundle_file"));
  ssl.pem_key_cert_pairs.push_back(std::move(pair));
  return grpc::SslServerCredentials(ssl);
}

absl::StatusOr<std::unique_ptr<listener::BoundedListener>> ListenFor(
    const ProviderServerOptions& options, grpc::HealthCheckServiceInterface** health) {
  listener::BoundedListenerOptions listen;
  listen.address = options.listen_address;
  listen.max_connections = options.max_connections;
  listen.handshake_timeout = options.handshake_timeout;
  // Set once the server exists; the listener reports its first state only
  // from Start(), after that.
  listen.on_accepting_changed = [health](bool accepting) {
    if (*health != nullptr) (*health)->SetServingStatus(accepting);
  };
  listen.log = [](listener::Severity severity, absl::string_view message) {
    if (severity == listener::Severity::kWarning) {
      logging::LogWarning(message);
    } else {
      logging::LogInfo(message);
    }
  };
  absl::StatusOr<std::unique_ptr<listener::BoundedListener>> bound =
      listener::BoundedListener::Listen(std::move(listen));
  // FAILED_PRECONDITION names max_connections already; the rest is about
  // the address.
  if (!bound.ok() && bound.status().code() != absl::StatusCode::kFailedPrecondition) {
    return absl::Status(bound.status().code(),
                        absl::StrCat("listen_address: ", bound.status().message()));
  }
  return bound;
}

// The caller's OIN from its verified certificate. UNAUTHENTICATED when there
// is no authenticated peer certificate.
absl::StatusOr<std::string> CallerOin(const grpc::ServerContext& context,
                                      pki::CertificateCache& oins) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) {
    return absl::UnauthenticatedError("no authenticated client certificate");
  }
  std::vector<grpc::string_ref> pems = auth->FindPropertyValues("x509_pem_cert");
  if (pems.empty()) return absl::UnauthenticatedError("no client certificate in the TLS session");
  return oins.OinFromCertificatePem(absl::string_view(pems.front().data(), pems.front().size()));
}

// A delivery the SDK refuses: the status the broker gets, and the reason
// and rule counted and logged (adapter_metrics.h).
struct Refusal {
  absl::Status status;
  std::string reason;
  std::string rule;
};

// The SDK's own check of a delivered request, whatever the broker decided:
// every field within the API's field rules (a request id with CR/LF never
// reaches a log line or an HTTP header), a subject the party can find (a
// BSN, or for a party that may not process it, identifying details that
// suffice: R19), and no purpose the Wams forbids (R08: criminal
// investigation, fraud control). nullopt, or a refusal: INVALID_ARGUMENT
// (RESOURCE_EXHAUSTED for an oversized field) naming the field, or
// PERMISSION_DENIED citing R08.
std::optional<Refusal> CheckDelivery(const v1::ProviderRequest& request) {
  if (absl::Status valid = wire::Validate(request); !valid.ok()) {
    return Refusal{valid, "invalid_request", ""};
  }
  if (request.subject_bsn().empty()) {
    if (std::vector<absl::string_view> missing =
            wire::MissingSubjectDetails(request.subject_details());
        !missing.empty()) {
      return Refusal{absl::InvalidArgumentError(absl::StrCat(
                         "subject_details: the request has no BSN and too few identifying "
                         "details to find the person (R19); missing ",
                         absl::StrJoin(missing, ", "))),
                     "too_few_subject_details", "R19"};
    }
  }
  if (request.purpose() == v1::PURPOSE_CRIMINAL_INVESTIGATION ||
      request.purpose() == v1::PURPOSE_FRAUD_CONTROL) {
    return Refusal{absl::PermissionDeniedError(absl::StrCat(
                       "purpose: ", v1::Purpose_Name(request.purpose()),
                       " is never a ground for sharing under the Wams (R08); this adapter "
                       "refuses it whatever the broker decided")),
                   "forbidden_purpose", "R08"};
  }
  return std::nullopt;
}

// The trace context of a delivery, from the call's metadata (where the
// broker and OpenTelemetry put it) or else the request's fields, valid
// values only. The adapter's own span continues the broker's.
struct IncomingTrace {
  std::string for_backend;     // traceparent with the adapter's span as parent, or ""
  std::string tracestate;      // the valid tracestate that came with it, or ""
  std::string span_id;         // the adapter's span of the call
  std::string parent_span_id;  // the broker's span of the call, or ""
};

// The value of `key` in the call's metadata when sent exactly once, else "".
std::string MetadataValue(const grpc::ServerContext& context, absl::string_view key) {
  const grpc::string_ref name(key.data(), key.size());
  if (context.client_metadata().count(name) != 1) return "";
  const grpc::string_ref value = context.client_metadata().find(name)->second;
  return std::string(value.data(), value.size());
}

IncomingTrace TraceOf(const grpc::ServerContext& context, const v1::ProviderRequest& request) {
  IncomingTrace trace;
  trace.span_id = logging::NewSpanId();
  std::string traceparent = MetadataValue(context, logging::kTraceparentHeader);
  std::string tracestate = MetadataValue(context, logging::kTracestateHeader);
  if (traceparent.empty()) {
    traceparent = request.traceparent();
    tracestate = request.tracestate();
  }
  std::optional<std::string> continued = logging::ContinuedTraceparent(traceparent);
  if (!continued.has_value()) return trace;
  trace.for_backend = logging::ChildTraceparent(*continued, trace.span_id);
  trace.tracestate = logging::ValidTracestate(tracestate);
  trace.parent_span_id = logging::ParentIdOf(*continued);
  return trace;
}

}  // namespace

class ProviderServer::Service final : public v1::ProviderService::Service {
 public:
  // `metrics` may be null (no metrics endpoint); it then meters nothing.
  Service(Backend& backend, AnswerPolicy policy, std::string broker_oin, AdapterMetrics* metrics)
      : policy_(std::move(policy)),
        broker_oin_(std::move(broker_oin)),
        metrics_(metrics),
        metered_(metrics == nullptr ? nullptr
                                    : std::make_unique<MeteredBackend>(backend, *metrics)),
        backend_(metered_ != nullptr ? *metered_ : backend) {}

  // One call line for every call, served or refused (call_log.h): what
  // Answer() filled in, the status and the latency.
  grpc::Status Deliver(grpc::ServerContext* context, const v1::ProviderRequest* request,
                       v1::ProviderResponse* response) override {
    const absl::Time start = absl::Now();
    logging::CallRecord record;
    record.kind = "provider_request";
    record.method = kDeliverMethod;
    grpc::Status status = Answer(*context, *request, *response, record);
    record.outcome =
        std::string(absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())));
    record.latency = absl::Now() - start;
    logging::LogCall(record);
    return status;
  }

 private:
  static constexpr char kDeliverMethod[] = "/wams.broker.v1.ProviderService/Deliver";

  // Checks the caller and the request, then answers through the policy,
  // filling `record` with what may be logged as it goes.
  grpc::Status Answer(const grpc::ServerContext& context, const v1::ProviderRequest& request,
                      v1::ProviderResponse& response, logging::CallRecord& record) {
    // Identity first: nothing of the request is looked at, or logged, for a
    // caller that is not the broker.
    absl::StatusOr<std::string> caller = CallerOin(context, oins_);
    if (!caller.ok()) {
      Refused(record, "unauthenticated", "");
      record.detail = absl::StrCat("refused a caller: ", caller.status().message());
      return ToGrpc(caller.status());
    }
    record.peer_oin = *caller;
    if (*caller != broker_oin_) {
      Refused(record, "not_the_broker", "");
      record.detail = absl::StrCat("refused caller oin=", *caller, ": not the configured broker");
      return grpc::Status(
          grpc::StatusCode::PERMISSION_DENIED,
          absl::StrCat("caller with OIN ", *caller, " is not the broker this adapter answers"));
    }

    // The broker's request: its ids and trace go on the line whatever
    // follows (made log-safe there, so a malformed id cannot forge a line).
    IncomingTrace trace = TraceOf(context, request);
    record.trace_id = logging::TraceIdOf(trace.for_backend);
    record.span_id = trace.span_id;
    record.parent_span_id = trace.parent_span_id;
    record.transaction_id = request.transaction_id();
    record.case_id = request.case_id();
    record.caller_oin = request.requester_oin();
    record.professional_id = request.professional_id();
    const std::string kind = request.is_share() ? "share" : "deliver";

    if (std::optional<Refusal> refused = CheckDelivery(request); refused.has_value()) {
      Refused(record, refused->reason, refused->rule);
      record.detail =
          absl::StrCat("refused a delivery from the broker: ", refused->status.message());
      return ToGrpc(refused->status);
    }

    v1::ProviderRequest traced = request;
    traced.set_traceparent(trace.for_backend);
    traced.set_tracestate(trace.tracestate);
    adapters::Answer answer = policy_.Respond(traced, backend_);
    std::vector<std::string> outcomes;
    outcomes.reserve(answer.outcomes.size());
    for (const auto& [category, tag] : answer.outcomes) {
      outcomes.push_back(absl::StrCat(category, "=", tag));
      if (auto [reason, rule] = RefusalOfOutcome(tag); !reason.empty())
        Refused(record, reason, rule);
    }
    if (answer.status.code() == absl::StatusCode::kInvalidArgument) {
      Refused(record, "invalid_request", "");
    }
    std::string outcome = answer.status.ok()
                              ? std::string(v1::ProviderAnswerStatus_Name(answer.response.status()))
                              : std::string(absl::StatusCodeToString(answer.status.code()));
    record.detail =
        absl::StrCat(kind, " request_id=", request.request_id(),
                     " purpose=", v1::Purpose_Name(request.purpose()), " outcome=", outcome,
                     " categories=[", absl::StrJoin(outcomes, " "), "]");
    if (!answer.status.ok()) return ToGrpc(answer.status);
    response = std::move(answer.response);
    return grpc::Status::OK;
  }

  // Counts a refusal and puts its rule on the call line (once).
  void Refused(logging::CallRecord& record, absl::string_view reason, absl::string_view rule) {
    if (metrics_ != nullptr) metrics_->CountRefusal(reason, rule);
    if (!rule.empty() && std::find(record.failed_rules.begin(), record.failed_rules.end(), rule) ==
                             record.failed_rules.end()) {
      record.failed_rules.emplace_back(rule);
    }
  }

  const AnswerPolicy policy_;
  const std::string broker_oin_;
  AdapterMetrics* const metrics_;
  const std::unique_ptr<MeteredBackend> metered_;
  Backend& backend_;
  pki::CertificateCache oins_;
};

ProviderServer::ProviderServer(std::unique_ptr<Backend> backend, AnswerPolicy policy,
                               std::string broker_oin,
                               std::unique_ptr<metrics::MetricsEndpoint> metrics)
    : metrics_(std::move(metrics)),
      adapter_metrics_(
          metrics_ == nullptr ? nullptr : std::make_unique<AdapterMetrics>(metrics_->registry())),
      backend_(std::move(backend)),
      service_(std::make_unique<Service>(*backend_, std::move(policy), std::move(broker_oin),
                                         adapter_metrics_.get())) {}

ProviderServer::~ProviderServer() { Shutdown(absl::ZeroDuration()); }

absl::StatusOr<std::unique_ptr<ProviderServer>> ProviderServer::Start(
    ProviderServerOptions options, std::unique_ptr<Backend> backend) {
  if (backend == nullptr) return absl::InvalidArgumentError("backend: required");
  WAMS_RETURN_IF_ERROR(ValidateOptions(options));
  WAMS_ASSIGN_OR_RETURN(AnswerPolicy policy, AnswerPolicy::Create(std::move(options.policy)));
  WAMS_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                        MutualTlsCredentials(options));

  std::unique_ptr<ProviderServer> server(new ProviderServer(
      std::move(backend), std::move(policy), options.broker_oin,
      options.metrics_address.empty() ? nullptr : std::make_unique<metrics::MetricsEndpoint>()));
  WAMS_ASSIGN_OR_RETURN(server->listener_, ListenFor(options, &server->health_));
  server->port_ = server->listener_->port();
  // Process-wide, like the broker's: the party's health probes (and the
  // flood test) see whether the adapter takes new connections.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  server->listener_->AddTo(builder, credentials);
  if (server->metrics_ != nullptr) {
    server->call_metrics_ = std::make_unique<metrics::GrpcCallMetrics>(
        server->metrics_->registry(),
        std::vector<std::string>{std::string(v1::ProviderService::service_full_name())});
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
    factories.push_back(server->call_metrics_->NewInterceptorFactory());
    // Which connections carried a call, for wams_connections_handshaking.
    factories.push_back(server->listener_->NewCallPeerInterceptorFactory());
    builder.experimental().SetInterceptorCreators(std::move(factories));
  }
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("listen_address: cannot serve on ", options.listen_address));
  }
  server->health_ = server->server_->GetHealthCheckService();
  server->listener_->Start();
  if (server->metrics_ != nullptr) {
    auto gauges = std::make_shared<metrics::ScrapeGauges>();
    const listener::BoundedListener* listener = server->listener_.get();
    gauges->Add("wams_open_connections",
                "Connections open on the ProviderService port (as of the listener's last sweep).",
                prometheus::MetricType::Gauge, [listener] {
                  return std::vector<metrics::Sample>{{{}, double(listener->open_connections())}};
                });
    gauges->Add(
        "wams_connections_handshaking",
        "Connections open on the ProviderService port that have not carried a call yet "
        "(as of the listener's last sweep): mostly TLS handshakes in progress.",
        prometheus::MetricType::Gauge, [listener] {
          return std::vector<metrics::Sample>{{{}, double(listener->handshaking_connections())}};
        });
    gauges->Add("wams_connections_refused_total",
                "Connections closed at once because the bound was reached.",
                prometheus::MetricType::Counter, [listener] {
                  return std::vector<metrics::Sample>{
                      {{}, static_cast<double>(listener->refused_at_bound_total())}};
                });
    server->metrics_->Register(std::move(gauges));
    absl::Status listening = server->metrics_->Listen(options.metrics_address);
    if (!listening.ok()) {
      return absl::Status(listening.code(), absl::StrCat("metrics_address: ", listening.message()));
    }
  }
  return server;
}

void ProviderServer::Shutdown(absl::Duration grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  if (metrics_ != nullptr) metrics_->Stop();
  // No new connection reaches a server that shuts down (gRPC would neither
  // serve nor close it).
  listener_->Stop();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
}

}  // namespace wams::adapters
