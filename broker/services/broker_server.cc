#include "broker/services/broker_server.h"

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/audit/audit_core.h"
#include "broker/base/files/private_dir.h"
#include "broker/base/logging/log.h"
#include "broker/base/secret_file.h"
#include "broker/base/status_macros.h"
#include "broker/base/worker_pool.h"
#include "broker/cases/case_manager.h"
#include "broker/cases/case_store.h"
#include "broker/conference/conference_manager.h"
#include "broker/conference/conference_store.h"
#include "broker/exchange/exchange_core.h"
#include "broker/exchange/outcome_store.h"
#include "broker/identity/caller_identity.h"
#include "broker/identity/party_registry.h"
#include "broker/ledger/store/ledger.h"
#include "broker/ledger/store/ledger_config.h"
#include "broker/rest/openapi/openapi_document.h"
#include "broker/rest/rest_calls.h"
#include "broker/rest/rest_server.h"
#include "broker/retention/erasure.h"
#include "broker/retention/retention_job.h"
#include "broker/retention/retention_options.h"
#include "broker/routing/grpc_provider_transport.h"
#include "broker/services/admission.h"
#include "broker/services/audit_service.h"
#include "broker/services/broker_metrics.h"
#include "broker/services/call_handler.h"
#include "broker/services/call_log_interceptor.h"
#include "broker/services/case_service.h"
#include "broker/services/conference_service.h"
#include "broker/services/exchange_service.h"
#include "broker/services/metered_provider_transport.h"
#include "broker/services/unparsable_request.h"
#include "broker/storage/open_backend.h"
#include "broker/subjects/subject_key_table.h"
#include "broker/witnessing/witness_pusher.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "policy/policy.h"
#include "wams/broker/v1/audit.grpc.pb.h"
#include "wams/broker/v1/conference.grpc.pb.h"

namespace wams::services {
namespace {

// Case changes wait for a durable receipt; a few workers keep gRPC's own
// threads free while they do.
constexpr int kCaseWorkers = 4;

// Marks a failure of a step that reads what the config names (TLS files,
// keys, CRLs, witness keys, the data directory's permissions): the config is
// at fault, not the environment (see IsConfigError).
constexpr absl::string_view kConfigErrorPayload = "wams.broker/config-error";

absl::Status ConfigFault(absl::Status status) {
  if (!status.ok()) status.SetPayload(kConfigErrorPayload, absl::Cord("the config"));
  return status;
}

template <typename T>
absl::StatusOr<T> ConfigFault(absl::StatusOr<T> result) {
  if (!result.ok()) return ConfigFault(result.status());
  return result;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTlsCredentials(
    const v1::TlsFiles& tls) {
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  WAMS_ASSIGN_OR_RETURN(pair.private_key, base::ReadPrivateFile(tls.private_key_file(),
                                                                "server_tls.private_key_file"));
  WAMS_ASSIGN_OR_RETURN(
      pair.cert_chain, base::ReadPublicFile(tls.certificate_file(), "server_tls.certificate_file"));
  WAMS_ASSIGN_OR_RETURN(options.pem_root_certs,
                        base::ReadPublicFile(tls.ca_bundle_file(), "server_tls.ca_bundle_file"));
  options.pem_key_cert_pairs.push_back(std::move(pair));
  return grpc::SslServerCredentials(options);
}

exchange::ExchangeOptions ExchangeOptionsFrom(const v1::Limits& limits) {
  exchange::ExchangeOptions options;
  if (limits.has_provider_deadline()) {
    options.provider_deadline = absl::Seconds(limits.provider_deadline().seconds()) +
                                absl::Nanoseconds(limits.provider_deadline().nanos());
  }
  if (limits.max_categories() > 0) options.max_categories = limits.max_categories();
  if (limits.max_justification_bytes() > 0) {
    options.max_justification_bytes = limits.max_justification_bytes();
  }
  return options;
}

absl::StatusOr<std::unique_ptr<listener::BoundedListener>> ListenFor(const v1::BrokerConfig& config,
                                                                     ServingStatus& serving) {
  listener::BoundedListenerOptions options;
  options.address = config.listen_address();
  options.max_connections = static_cast<int>(config.limits().max_connections());
  if (config.limits().has_handshake_timeout()) {
    options.handshake_timeout = absl::Seconds(config.limits().handshake_timeout().seconds()) +
                                absl::Nanoseconds(config.limits().handshake_timeout().nanos());
  }
  options.on_accepting_changed = [&serving](bool accepting) {
    serving.SetListenerAccepting(accepting);
  };
  options.log = [](listener::Severity severity, absl::string_view message) {
    if (severity == listener::Severity::kWarning) {
      logging::LogWarning(message);
    } else {
      logging::LogInfo(message);
    }
  };
  absl::StatusOr<std::unique_ptr<listener::BoundedListener>> listener =
      listener::BoundedListener::Listen(std::move(options));
  if (!listener.ok()) {
    // The listener names its own options; the operator knows the config's.
    absl::string_view field = listener.status().code() == absl::StatusCode::kFailedPrecondition
                                  ? "limits."
                                  : "listen_address: ";
    return absl::Status(listener.status().code(), absl::StrCat(field, listener.status().message()));
  }
  return listener;
}

// limits.max_categories holds for conference items as for data requests.
conference::ConferenceOptions ConferenceOptionsFrom(const v1::Limits& limits) {
  conference::ConferenceOptions options;
  if (limits.max_categories() > 0) options.max_categories = limits.max_categories();
  return options;
}

absl::Duration ExportIdleTimeoutFrom(const v1::Limits& limits) {
  if (!limits.has_export_idle_timeout()) return kDefaultExportIdleTimeout;
  return absl::Seconds(limits.export_idle_timeout().seconds()) +
         absl::Nanoseconds(limits.export_idle_timeout().nanos());
}

}  // namespace

// Declared in dependency order: members are destroyed in reverse, so the
// services go before the cores, the cores before the ledger, the ledger
// before the storage.
struct BrokerServer::Parts {
  Parts(std::unique_ptr<base::SystemClock> system_clock_in, const base::Clock& clock_in,
        identity::PartyRegistry registry_in, policy::Policy policy_in)
      : system_clock(std::move(system_clock_in)),
        clock(clock_in),
        registry(std::move(registry_in)),
        policy(std::move(policy_in)) {}

  // The one time source of every part below: `system_clock` unless the
  // options gave one (then null).
  std::unique_ptr<base::SystemClock> system_clock;
  const base::Clock& clock;
  identity::PartyRegistry registry;
  policy::Policy policy;
  // Null when config.metrics_address is empty. Before the ledger and the
  // transport, which report to it.
  std::unique_ptr<BrokerMetrics> metrics;
  // Before the cores: a data request's ticket is released when the core
  // calls back, so the limiter outlives them.
  std::unique_ptr<Admission> admission;
  std::unique_ptr<storage::Backend> storage;
  std::unique_ptr<ledger::store::Ledger> ledger;
  // Per-subject pseudonym keys, over `storage` (broker/subjects).
  std::unique_ptr<subjects::SubjectKeyTable> subject_keys;
  // Pushes checkpoints to the witnesses with a url; its thread stops before
  // the ledger goes.
  std::unique_ptr<witnessing::WitnessPusher> witness_pusher;
  std::unique_ptr<routing::GrpcProviderTransport> transport;
  // Wraps `transport` when metrics are on.
  std::unique_ptr<MeteredProviderTransport> metered_transport;
  std::unique_ptr<cases::CaseStore> case_store;
  std::unique_ptr<cases::CaseManager> case_manager;
  std::unique_ptr<exchange::OutcomeStore> outcomes;
  std::unique_ptr<exchange::ExchangeCore> exchange;
  std::unique_ptr<conference::ConferenceStore> conference_store;
  std::unique_ptr<conference::ConferenceManager> conferences;
  std::unique_ptr<identity::Authenticator> authenticator;
  std::unique_ptr<BadInput> bad_input;
  std::unique_ptr<CallGate> gate;
  std::unique_ptr<base::WorkerPool> workers;
  std::unique_ptr<ExchangeService> exchange_service;
  std::unique_ptr<CaseService> case_service;
  std::unique_ptr<ConferenceService> conference_service;
  std::unique_ptr<::wams::audit::AuditCore> audit;
  // The job's thread stops before the key table, the ledger and storage
  // close.
  std::unique_ptr<retention::Erasure> erasure;
  std::unique_ptr<retention::RetentionJob> retention;
  std::unique_ptr<AuditService> audit_service;
  // The REST/JSON face (config.rest_address), over the gate and cores
  // above: last, so it stops first.
  std::unique_ptr<rest::RestServer> rest;
};

BrokerServer::BrokerServer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

BrokerServer::~BrokerServer() { Shutdown(absl::ZeroDuration()); }

bool IsConfigError(const absl::Status& status) {
  return status.GetPayload(kConfigErrorPayload).has_value();
}

absl::StatusOr<std::unique_ptr<BrokerServer>> BrokerServer::Start(const v1::BrokerConfig& config,
                                                                  BrokerServerOptions options) {
  // One clock for everything, made before anything that reads the time.
  std::unique_ptr<base::SystemClock> system_clock;
  if (options.clock == nullptr) system_clock = std::make_unique<base::SystemClock>();
  const base::Clock& clock = options.clock != nullptr ? *options.clock : *system_clock;
  // Everything that reads what the config names comes first and is marked
  // ConfigFault, so that wams-broker exits 2 for it like for any config error.
  WAMS_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                        ConfigFault(MutualTlsCredentials(config.server_tls())));
  // Revoked client certificates are refused by the authenticator on every
  // call (broker/identity/revocation_list.h says why not at the handshake).
  std::unique_ptr<identity::CrlFile> client_crl;
  if (!config.server_tls().crl_file().empty()) {
    WAMS_ASSIGN_OR_RETURN(client_crl,
                          ConfigFault(identity::CrlFile::Load(config.server_tls().crl_file(),
                                                              config.server_tls().ca_bundle_file(),
                                                              "server_tls.crl_file", clock)));
  }
  WAMS_ASSIGN_OR_RETURN(identity::PartyRegistry registry,
                        ConfigFault(identity::PartyRegistry::Create(config)));
  WAMS_ASSIGN_OR_RETURN(policy::Policy policy, ConfigFault(policy::Policy::Create(config)));
  WAMS_ASSIGN_OR_RETURN(ledger::store::LedgerSetup ledger_setup,
                        ConfigFault(ledger::store::LoadLedgerSetup(config.ledger())));
  WAMS_ASSIGN_OR_RETURN(
      std::unique_ptr<routing::GrpcProviderTransport> transport,
      ConfigFault(
          config.has_client_tls()
              ? routing::GrpcProviderTransport::Create(config.client_tls(), clock)
              : routing::GrpcProviderTransport::Create(config.server_tls(), clock, "server_tls")));
  auto parts = std::make_unique<Parts>(std::move(system_clock), clock, std::move(registry),
                                       std::move(policy));
  parts->transport = std::move(transport);
  routing::ProviderTransport* provider_transport = parts->transport.get();
  if (!config.metrics_address().empty()) {
    parts->metrics = std::make_unique<BrokerMetrics>();
    ledger_setup.options.observer = parts->metrics.get();
    parts->metered_transport =
        std::make_unique<MeteredProviderTransport>(*parts->transport, *parts->metrics);
    provider_transport = parts->metered_transport.get();
  }

  const v1::StorageConfig storage_config = storage::StorageOf(config);
  if (storage_config.has_rocksdb()) {
    WAMS_RETURN_IF_ERROR(ConfigFault(files::PreparePrivateDirectory(
        storage_config.rocksdb().dir(), std::string(storage::LocalDirField(config)))));
  }
  WAMS_RETURN_IF_ERROR(ConfigFault(storage::CheckStorageFiles(storage_config)));
  if (config.limits().max_receipt_bytes() > 0) {
    ledger_setup.options.max_receipt_bytes = config.limits().max_receipt_bytes();
  }
  ledger_setup.options.clock = &clock;
  WAMS_ASSIGN_OR_RETURN(parts->storage, storage::OpenBackend(storage_config));
  WAMS_ASSIGN_OR_RETURN(parts->ledger,
                        ledger::store::Ledger::Open(*parts->storage, std::move(ledger_setup.signer),
                                                    std::move(ledger_setup.options)));
  // From the first start of this version on, receipts carry per-subject
  // pseudonyms; the log's size now is the migration point.
  absl::StatusOr<std::unique_ptr<subjects::SubjectKeyTable>> subject_keys =
      subjects::SubjectKeyTable::Open(*parts->storage, ledger_setup.pseudonym_key,
                                      parts->ledger->TreeSize());
  // A key file that is not the one the table was made with is the config's
  // fault (wams-broker exits 2), not the database's.
  if (absl::IsFailedPrecondition(subject_keys.status())) return ConfigFault(subject_keys.status());
  WAMS_ASSIGN_OR_RETURN(parts->subject_keys, std::move(subject_keys));
  parts->case_store = std::make_unique<cases::CaseStore>(*parts->storage);
  parts->case_manager = std::make_unique<cases::CaseManager>(cases::CaseManagerDeps{
      .store = parts->case_store.get(),
      .ledger = parts->ledger.get(),
      .subject_keys = parts->subject_keys.get(),
      .policy = &parts->policy,
      .registry = &parts->registry,
      .clock = &clock,
  });
  parts->outcomes = std::make_unique<exchange::OutcomeStore>(*parts->storage);
  parts->exchange = std::make_unique<exchange::ExchangeCore>(
      exchange::ExchangeDeps{
          .cases = parts->case_manager.get(),
          .involvement = parts->case_manager.get(),
          .ledger = parts->ledger.get(),
          .subject_keys = parts->subject_keys.get(),
          .policy = &parts->policy,
          .registry = &parts->registry,
          .transport = provider_transport,
          .outcomes = parts->outcomes.get(),
          .clock = &clock,
      },
      ExchangeOptionsFrom(config.limits()));
  parts->conference_store = std::make_unique<conference::ConferenceStore>(*parts->storage);
  parts->conferences = std::make_unique<conference::ConferenceManager>(
      conference::ConferenceDeps{
          .store = parts->conference_store.get(),
          .cases = parts->case_manager.get(),
          .ledger = parts->ledger.get(),
          .policy = &parts->policy,
          .registry = &parts->registry,
          .clock = &clock,
      },
      ConferenceOptionsFrom(config.limits()));
  parts->authenticator =
      std::make_unique<identity::Authenticator>(parts->registry, std::move(client_crl));
  parts->admission =
      std::make_unique<Admission>(AdmissionOptions::FromLimits(config.limits()), clock);
  parts->bad_input = std::make_unique<BadInput>(*parts->ledger, clock);
  parts->gate =
      std::make_unique<CallGate>(*parts->authenticator, *parts->admission, *parts->bad_input);
  parts->workers = std::make_unique<base::WorkerPool>(kCaseWorkers);
  parts->exchange_service = std::make_unique<ExchangeService>(*parts->gate, *parts->exchange);
  parts->case_service =
      std::make_unique<CaseService>(*parts->gate, *parts->case_manager, *parts->workers);
  WAMS_ASSIGN_OR_RETURN(parts->audit, ConfigFault(audit::AuditCore::Create(
                                          audit::AuditDeps{
                                              .ledger = parts->ledger.get(),
                                              .storage = parts->storage.get(),
                                              .subject_keys = parts->subject_keys.get(),
                                              .registry = &parts->registry,
                                              .policy = &parts->policy,
                                              .clock = &clock,
                                          },
                                          config)));
  WAMS_ASSIGN_OR_RETURN(std::vector<witnessing::WitnessTarget> witness_targets,
                        ConfigFault(witnessing::LoadWitnessTargets(config)));
  parts->witness_pusher = std::make_unique<witnessing::WitnessPusher>(
      *parts->ledger, *parts->storage, std::move(witness_targets),
      witnessing::WitnessPusherOptions());
  parts->witness_pusher->Start();
  const retention::RetentionOptions retention_options =
      retention::RetentionOptions::FromConfig(config.retention());
  parts->erasure = std::make_unique<retention::Erasure>(
      retention::ErasureDeps{.backend = parts->storage.get(),
                             .ledger = parts->ledger.get(),
                             .keys = parts->subject_keys.get(),
                             .policy = &parts->policy,
                             .clock = &clock},
      std::vector<std::string>(config.privacy_officer_ids().begin(),
                               config.privacy_officer_ids().end()),
      retention_options);
  parts->retention = std::make_unique<retention::RetentionJob>(
      retention::RetentionJobDeps{.backend = parts->storage.get(),
                                  .ledger = parts->ledger.get(),
                                  .keys = parts->subject_keys.get(),
                                  .clock = &clock},
      retention_options);
  parts->audit_service =
      std::make_unique<AuditService>(*parts->gate, *parts->audit, *parts->workers,
                                     ExportIdleTimeoutFrom(config.limits()), parts->erasure.get());
  parts->conference_service =
      std::make_unique<ConferenceService>(*parts->gate, *parts->conferences, *parts->workers);

  // Both are process-wide switches that must be set before a builder is made.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  // The built-in health service has no C++ descriptors; using the generated
  // ones keeps them linked, so reflection can describe grpc.health.v1.Health
  // (grpcurl, grpcui).
  static_cast<void>(grpc::health::v1::HealthCheckRequest::descriptor());

  std::unique_ptr<BrokerServer> broker(new BrokerServer(std::move(parts)));
  Parts& p = *broker->parts_;
  WAMS_ASSIGN_OR_RETURN(broker->listener_, ListenFor(config, broker->serving_));
  broker->port_ = broker->listener_->port();
  grpc::ServerBuilder builder;
  broker->listener_->AddTo(builder, credentials);
  if (config.limits().max_message_bytes() > 0) {
    builder.SetMaxReceiveMessageSize(static_cast<int>(config.limits().max_message_bytes()));
  }
  // A request that does not parse: INVALID_ARGUMENT, not UNIMPLEMENTED.
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<UnparsableRequestInterceptorFactory>());
  if (p.metrics != nullptr) {
    interceptors.push_back(p.metrics->calls().NewInterceptorFactory());
    // Tells the listener which connections carried a call, for
    // wams_connections_handshaking; a few nanoseconds a call while none
    // is handshaking.
    interceptors.push_back(broker->listener_->NewCallPeerInterceptorFactory());
  }
  // After it, so the line has the status the caller gets: one line per call.
  interceptors.push_back(std::make_unique<CallLogInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.RegisterService(p.exchange_service.get());
  builder.RegisterService(p.case_service.get());
  builder.RegisterService(p.conference_service.get());
  builder.RegisterService(p.audit_service.get());
  broker->server_ = builder.BuildAndStart();
  if (broker->server_ == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("listen_address: cannot serve on ", config.listen_address()));
  }
  broker->serving_.Attach(broker->server_->GetHealthCheckService());
  // NOT_SERVING while the receipt log cannot write (e.g. a full disk), until
  // it recovers by itself; the observer is told the current state at once.
  broker->parts_->ledger->SetHealthObserver(
      [serving = &broker->serving_](const absl::Status& writable) {
        serving->SetLogWritable(writable.ok());
      });
  broker->listener_->Start();
  if (p.metrics != nullptr) {
    WatchedParts watched{.ledger = p.ledger.get(),
                         .storage = p.storage.get(),
                         .rocksdb_dir = storage_config.has_rocksdb()
                                            ? storage_config.rocksdb().dir()
                                            : std::string(),
                         .admission = p.admission.get(),
                         .party_oins = {},
                         .listener = broker->listener_.get(),
                         .retention = p.retention.get(),
                         .witnesses = p.witness_pusher.get()};
    for (const v1::Party& party : config.parties()) watched.party_oins.push_back(party.oin());
    p.metrics->Watch(watched);
    absl::Status listening = p.metrics->endpoint().Listen(config.metrics_address());
    if (!listening.ok()) {
      // A malformed address is the config's fault (exit 2); a taken port is not.
      absl::Status named(listening.code(), absl::StrCat("metrics_address: ", listening.message()));
      return listening.code() == absl::StatusCode::kInvalidArgument ? ConfigFault(named) : named;
    }
    broker->metrics_port_ = p.metrics->endpoint().port();
  }
  if (!config.rest_address().empty()) {
    rest::RestServerOptions rest_options{
        .address = config.rest_address(),
        .certificate_file = config.server_tls().certificate_file(),
        .private_key_file = config.server_tls().private_key_file(),
        .ca_bundle_file = config.server_tls().ca_bundle_file(),
        .openapi_document = rest::OpenApiDocument(),
        .metrics_registry = p.metrics != nullptr ? &p.metrics->endpoint().registry() : nullptr};
    if (config.limits().max_message_bytes() > 0) {
      rest_options.max_body_bytes = config.limits().max_message_bytes();
    }
    if (config.limits().has_handshake_timeout()) {
      rest_options.handshake_timeout =
          absl::Seconds(config.limits().handshake_timeout().seconds()) +
          absl::Nanoseconds(config.limits().handshake_timeout().nanos());
    }
    absl::StatusOr<std::unique_ptr<rest::RestServer>> rest =
        rest::RestServer::Start(rest_options, *p.gate,
                                rest::MakeRestCalls({.cases = p.case_manager.get(),
                                                     .exchange = p.exchange.get(),
                                                     .conferences = p.conferences.get(),
                                                     .audit = p.audit.get(),
                                                     .erasure = p.erasure.get(),
                                                     .workers = p.workers.get()}));
    if (!rest.ok()) {
      return rest.status().code() == absl::StatusCode::kInvalidArgument ? ConfigFault(rest.status())
                                                                        : rest.status();
    }
    p.rest = *std::move(rest);
    broker->rest_port_ = p.rest->port();
  }
  // Last: the job receipts its runs, so it starts once the broker serves.
  if (p.retention != nullptr) p.retention->Start();
  return broker;
}

retention::RetentionJob* BrokerServer::retention_job() const {
  return parts_ != nullptr ? parts_->retention.get() : nullptr;
}

void BrokerServer::Shutdown(absl::Duration grace) {
  // No scrape reads the parts while they go.
  if (parts_ != nullptr && parts_->metrics != nullptr) parts_->metrics->endpoint().Stop();
  // The REST face's requests finish before the gRPC server and the cores go.
  if (parts_ != nullptr && parts_->rest != nullptr) parts_->rest->Stop();
  // No new connection reaches a server that shuts down (gRPC would neither
  // serve nor close it).
  if (listener_ != nullptr) listener_->Stop();
  if (server_ != nullptr) {
    if (parts_ != nullptr) parts_->ledger->SetHealthObserver(nullptr);
    serving_.Detach();
    server_->GetHealthCheckService()->SetServingStatus(false);
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
    server_.reset();
  }
  // The workers finish queued case changes before the ledger and storage close.
  parts_.reset();
}

}  // namespace wams::services
