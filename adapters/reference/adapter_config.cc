#include "adapters/reference/adapter_config.h"

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "adapters/backends/file_backend.h"
#include "adapters/backends/http_backend.h"
#include "adapters/backends/share_inbox.h"
#include "adapters/sdk/share_policy.h"
#include "broker/base/config_file.h"
#include "broker/base/listener/bounded_listener.h"
#include "broker/base/metrics/metrics_endpoint.h"
#include "broker/base/secret_file.h"
#include "broker/base/status_macros.h"
#include "proto/wire/config_checks.h"

namespace wams::adapters {
namespace {

namespace config_v1 = ::wams::adapter::v1;

WithoutConsent FromProto(config_v1::WithoutConsent value) {
  switch (value) {
    case config_v1::WITHOUT_CONSENT_REFUSE:
      return WithoutConsent::kRefuse;
    case config_v1::WITHOUT_CONSENT_PROVIDE_WITH_GOOD_CARE_STATEMENT:
      return WithoutConsent::kProvideWithGoodCareStatement;
    default:
      return WithoutConsent::kNotSet;
  }
}

PartyPolicy PolicyFromConfig(const AdapterConfig& config) {
  PartyPolicy policy;
  policy.party_name = config.party_name();
  for (const config_v1::CategoryRule& rule : config.categories()) {
    CategoryPolicy category;
    category.name = rule.name();
    category.regime = rule.regime();
    category.without_consent = FromProto(rule.without_consent());
    category.good_care_statement = rule.good_care_statement();
    category.legal_basis = rule.legal_basis();
    category.conditions.assign(rule.conditions().begin(), rule.conditions().end());
    policy.categories.push_back(std::move(category));
  }
  for (const config_v1::ShareRule& share : config.accepts_shares()) {
    policy.share_categories.push_back(share.category());
  }
  return policy;
}

// Where the backend puts accepted shares; "" when none is configured.
const std::string& ShareDestination(const AdapterConfig& config) {
  return config.has_file_backend() ? config.file_backend().share_inbox_dir()
                                   : config.http_backend().share_url();
}

absl::StatusOr<HttpBackendOptions> HttpOptionsFromConfig(const config_v1::HttpBackend& http) {
  HttpBackendOptions options;
  for (const auto& [category, url] : http.url_templates()) options.url_templates[category] = url;
  if (http.has_timeout()) {
    options.timeout =
        absl::Seconds(http.timeout().seconds()) + absl::Nanoseconds(http.timeout().nanos());
  }
  if (http.max_body_bytes() != 0) options.max_body_bytes = http.max_body_bytes();
  options.ca_bundle_file = http.ca_bundle_file();
  options.share_url = http.share_url();
  return options;
}

absl::Duration HandshakeTimeout(const config_v1::ConnectionLimits& limits) {
  if (!limits.has_handshake_timeout()) return ProviderServerOptions().handshake_timeout;
  return absl::Seconds(limits.handshake_timeout().seconds()) +
         absl::Nanoseconds(limits.handshake_timeout().nanos());
}

absl::Status ValidateConnectionLimits(const config_v1::ConnectionLimits& limits) {
  absl::Status status =
      listener::ValidateLimits(limits.max_connections(), HandshakeTimeout(limits));
  if (status.ok()) return status;
  return absl::InvalidArgumentError(absl::StrCat("connection_limits.", status.message()));
}

absl::Status Required(bool present, absl::string_view field) {
  if (present) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
}

}  // namespace

absl::StatusOr<AdapterConfig> ParseAdapterConfig(absl::string_view text) {
  AdapterConfig config;
  WAMS_RETURN_IF_ERROR(base::ParseConfigText(text, &config));
  return config;
}

absl::Status ValidateAdapterConfig(const AdapterConfig& config) {
  // Every field at once, as the broker's config: UTF-8 strings (a legal basis
  // or condition that is not would make every answer unparsable at the
  // broker), positive durations, integers that fit an int.
  WAMS_RETURN_IF_ERROR(wire::CheckConfigFields(config));
  WAMS_RETURN_IF_ERROR(Required(!config.listen_address().empty(), "listen_address"));
  WAMS_RETURN_IF_ERROR(Required(config.has_tls(), "tls"));
  WAMS_RETURN_IF_ERROR(Required(!config.tls().certificate_file().empty(), "tls.certificate_file"));
  WAMS_RETURN_IF_ERROR(Required(!config.tls().private_key_file().empty(), "tls.private_key_file"));
  WAMS_RETURN_IF_ERROR(Required(!config.tls().ca_bundle_file().empty(), "tls.ca_bundle_file"));
  WAMS_RETURN_IF_ERROR(ValidateConnectionLimits(config.connection_limits()));
  if (!config.metrics_address().empty()) {
    if (absl::Status address = metrics::CheckMetricsAddress(config.metrics_address());
        !address.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("metrics_address: ", address.message()));
    }
  }
  WAMS_RETURN_IF_ERROR(Required(!config.broker_oin().empty(), "broker_oin"));
  if (config.broker_oin().size() != 20 ||
      config.broker_oin().find_first_not_of("0123456789") != std::string::npos) {
    return absl::InvalidArgumentError("broker_oin: must be the broker's 20-digit OIN");
  }
  // The SDK's own check names the same fields as this config.
  const PartyPolicy policy = PolicyFromConfig(config);
  WAMS_RETURN_IF_ERROR(ValidateShareCategories(policy.share_categories, "accepts_shares"));
  WAMS_RETURN_IF_ERROR(AnswerPolicy::Create(policy).status());
  if (!config.accepts_shares().empty() && config.backend_case() != AdapterConfig::BACKEND_NOT_SET &&
      ShareDestination(config).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        config.has_file_backend() ? "file_backend.share_inbox_dir" : "http_backend.share_url",
        ": required, since accepts_shares lists categories the party accepts"));
  }

  switch (config.backend_case()) {
    case AdapterConfig::kFileBackend:
      return Required(!config.file_backend().records_file().empty(), "file_backend.records_file");
    case AdapterConfig::kHttpBackend: {
      const config_v1::HttpBackend& http = config.http_backend();
      for (const config_v1::CategoryRule& rule : config.categories()) {
        if (!http.url_templates().contains(rule.name())) {
          return absl::InvalidArgumentError(
              absl::StrCat("http_backend.url_templates: no URL for category '", rule.name(), "'"));
        }
      }
      for (const auto& [category, url] : http.url_templates()) {
        bool offered = false;
        for (const config_v1::CategoryRule& rule : config.categories()) {
          offered = offered || rule.name() == category;
        }
        if (!offered) {
          return absl::InvalidArgumentError(absl::StrCat("http_backend.url_templates['", category,
                                                         "']: not a category in `categories`"));
        }
      }
      WAMS_ASSIGN_OR_RETURN(HttpBackendOptions options, HttpOptionsFromConfig(http));
      absl::Status status = HttpBackend::Create(std::move(options)).status();
      if (!status.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("http_backend.", status.message()));
      }
      return absl::OkStatus();
    }
    case AdapterConfig::BACKEND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("backend: one of file_backend or http_backend is required");
}

absl::StatusOr<AdapterConfig> LoadAdapterConfig(absl::string_view path) {
  AdapterConfig config;
  WAMS_RETURN_IF_ERROR(base::ReadConfigFile(path, &config));  // messages start with the path
  const std::filesystem::path dir = std::filesystem::path(std::string(path)).parent_path();
  config_v1::TlsFiles* tls = config.mutable_tls();
  base::ResolveConfigPath(tls->mutable_certificate_file(), dir);
  base::ResolveConfigPath(tls->mutable_private_key_file(), dir);
  base::ResolveConfigPath(tls->mutable_ca_bundle_file(), dir);
  if (config.has_file_backend()) {
    base::ResolveConfigPath(config.mutable_file_backend()->mutable_records_file(), dir);
    base::ResolveConfigPath(config.mutable_file_backend()->mutable_share_inbox_dir(), dir);
  }
  if (config.has_http_backend()) {
    base::ResolveConfigPath(config.mutable_http_backend()->mutable_ca_bundle_file(), dir);
  }
  WAMS_RETURN_IF_ERROR(ValidateAdapterConfig(config));
  return config;
}

absl::Status CheckTlsFiles(const AdapterConfig& config) {
  const config_v1::TlsFiles& tls = config.tls();
  WAMS_RETURN_IF_ERROR(
      base::ReadPublicFile(tls.certificate_file(), "tls.certificate_file").status());
  WAMS_RETURN_IF_ERROR(
      base::ReadPrivateFile(tls.private_key_file(), "tls.private_key_file").status());
  return base::ReadPublicFile(tls.ca_bundle_file(), "tls.ca_bundle_file").status();
}

absl::StatusOr<AdapterParts> BuildAdapter(const AdapterConfig& config) {
  WAMS_RETURN_IF_ERROR(ValidateAdapterConfig(config));
  AdapterParts parts;
  parts.options.listen_address = config.listen_address();
  parts.options.metrics_address = config.metrics_address();
  parts.options.certificate_file = config.tls().certificate_file();
  parts.options.private_key_file = config.tls().private_key_file();
  parts.options.ca_bundle_file = config.tls().ca_bundle_file();
  parts.options.broker_oin = config.broker_oin();
  parts.options.policy = PolicyFromConfig(config);
  parts.options.max_connections = static_cast<int>(config.connection_limits().max_connections());
  parts.options.handshake_timeout = HandshakeTimeout(config.connection_limits());
  if (config.has_file_backend()) {
    WAMS_ASSIGN_OR_RETURN(parts.backend, FileBackend::Load(config.file_backend().records_file()));
    if (!config.file_backend().share_inbox_dir().empty()) {
      WAMS_ASSIGN_OR_RETURN(std::unique_ptr<ShareInbox> inbox,
                            ShareInbox::Open(config.file_backend().share_inbox_dir()));
      parts.backend = std::make_unique<InboxBackend>(std::move(parts.backend), std::move(inbox));
    }
  } else {
    WAMS_ASSIGN_OR_RETURN(HttpBackendOptions options, HttpOptionsFromConfig(config.http_backend()));
    WAMS_ASSIGN_OR_RETURN(parts.backend, HttpBackend::Create(std::move(options)));
  }
  return parts;
}

}  // namespace wams::adapters
