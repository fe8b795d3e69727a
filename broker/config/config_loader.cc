#include "broker/config/config_loader.h"

#include <filesystem>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broker/base/config_file.h"
#include "broker/base/listener/bounded_listener.h"
#include "broker/base/message_limits.h"
#include "broker/base/oin.h"
#include "broker/base/status_macros.h"
#include "broker/storage/postgres/postgres_options.h"
#include "policy/policy.h"
#include "proto/wire/config_checks.h"

namespace wams::config {
namespace {

// Checkpoints are signed, written with a sync and kept for good, one per
// interval while receipts arrive, and every one is a note that witnesses
// cosign and monitors fetch. Below a second that grows without limit under
// load (at 100 ms about 860,000 a day, some 250 MB) and buys no auditor
// anything: monitors and witnesses poll in seconds to minutes. One second is
// also the default.
constexpr absl::Duration kMinCheckpointInterval = absl::Seconds(1);

absl::Duration FromProto(const google::protobuf::Duration& duration) {
  return absl::Seconds(duration.seconds()) + absl::Nanoseconds(duration.nanos());
}

absl::Status Required(bool present, absl::string_view field) {
  if (present) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
}

// Where the broker keeps its database: `storage`, or the legacy `data_dir`
// (an embedded RocksDB there), exactly one of them.
absl::Status ValidateStorage(const v1::BrokerConfig& config) {
  if (config.has_storage() && !config.data_dir().empty()) {
    return absl::InvalidArgumentError(
        "data_dir: set either data_dir or storage, not both (data_dir is the older spelling of "
        "storage { rocksdb { dir } })");
  }
  if (!config.has_storage()) return Required(!config.data_dir().empty(), "storage");
  switch (config.storage().backend_case()) {
    case v1::StorageConfig::kRocksdb:
      return Required(!config.storage().rocksdb().dir().empty(), "storage.rocksdb.dir");
    case v1::StorageConfig::kPostgres:
      return storage::postgres::ValidatePostgresStorage(config.storage().postgres());
    case v1::StorageConfig::BACKEND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("storage: set rocksdb or postgres");
}

absl::Status ValidateTls(const v1::TlsFiles& tls, absl::string_view field) {
  WAMS_RETURN_IF_ERROR(
      Required(!tls.certificate_file().empty(), absl::StrCat(field, ".certificate_file")));
  WAMS_RETURN_IF_ERROR(
      Required(!tls.private_key_file().empty(), absl::StrCat(field, ".private_key_file")));
  return Required(!tls.ca_bundle_file().empty(), absl::StrCat(field, ".ca_bundle_file"));
}

// The limits an operator can get wrong in a way the broker would only show
// under load.
absl::Status ValidateLimits(const v1::Limits& limits) {
  // gRPC takes an int; below a few KiB no ordinary request fits.
  constexpr uint32_t kMinMessageBytes = 16 * 1024;
  constexpr uint32_t kMaxMessageBytes = 1U << 30;
  if (limits.max_message_bytes() != 0 && (limits.max_message_bytes() < kMinMessageBytes ||
                                          limits.max_message_bytes() > kMaxMessageBytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("limits.max_message_bytes: must be 0 (4 MiB) or ", kMinMessageBytes, " to ",
                     kMaxMessageBytes));
  }
  if (limits.per_party_burst() > 0 && limits.per_party_rate() == 0) {
    return absl::InvalidArgumentError(
        "limits.per_party_burst: needs limits.per_party_rate (a bucket without a refill rate)");
  }
  // The CLIs' receive limits (common/message_limits.h) assume the ceiling.
  if (limits.max_receipt_bytes() != 0 && (limits.max_receipt_bytes() < base::kMinMaxReceiptBytes ||
                                          limits.max_receipt_bytes() > base::kMaxMaxReceiptBytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("limits.max_receipt_bytes: must be 0 (", base::kDefaultMaxReceiptBytes,
                     ") or ", base::kMinMaxReceiptBytes, " to ", base::kMaxMaxReceiptBytes));
  }
  if (limits.has_export_idle_timeout()) {
    const google::protobuf::Duration& d = limits.export_idle_timeout();
    if (d.seconds() < 1 || d.nanos() < 0) {
      return absl::InvalidArgumentError("limits.export_idle_timeout: must be at least 1s");
    }
  }
  return absl::OkStatus();
}

// The listener's limits, in the listener's ranges; the open-file limit is
// only known at start, where BoundedListener checks max_connections against it.
absl::Status ValidateConnectionLimits(const v1::Limits& limits) {
  absl::Duration handshake_timeout = listener::BoundedListenerOptions().handshake_timeout;
  if (limits.has_handshake_timeout()) handshake_timeout = FromProto(limits.handshake_timeout());
  absl::Status status = listener::ValidateLimits(limits.max_connections(), handshake_timeout);
  if (status.ok()) return status;
  return absl::InvalidArgumentError(absl::StrCat("limits.", status.message()));
}

// The retention policy's bounds (config.proto, RetentionConfig). Zero is
// "unset" (the default) for every field.
absl::Status ValidateRetention(const v1::RetentionConfig& retention) {
  if (retention.case_data_days() > 7300) {
    return absl::InvalidArgumentError(
        "retention.case_data_days: at most 7300 (20 years); 0 means the default, 365");
  }
  if (retention.has_run_interval()) {
    absl::Duration interval = FromProto(retention.run_interval());
    if (interval < absl::Minutes(1) || interval > absl::Hours(7 * 24)) {
      return absl::InvalidArgumentError("retention.run_interval: between 1 minute and 7 days");
    }
  }
  if (retention.batch_size() > 10000) {
    return absl::InvalidArgumentError(
        "retention.batch_size: at most 10000; 0 means the default, 100");
  }
  return absl::OkStatus();
}

absl::Status ValidateParty(const v1::Party& party, absl::string_view field) {
  if (absl::StatusOr<base::Oin> oin = base::ParseOin(party.oin(), absl::StrCat(field, ".oin"));
      !oin.ok()) {
    return oin.status();
  }
  WAMS_RETURN_IF_ERROR(Required(!party.name().empty(), absl::StrCat(field, ".name")));
  WAMS_RETURN_IF_ERROR(
      Required(party.domain() != v1::DOMAIN_UNSPECIFIED, absl::StrCat(field, ".domain")));
  WAMS_RETURN_IF_ERROR(
      Required(party.role() != v1::PARTY_ROLE_UNSPECIFIED, absl::StrCat(field, ".role")));
  if (party.role() == v1::PARTY_ROLE_PROVIDER) {
    WAMS_RETURN_IF_ERROR(Required(!party.endpoint().empty(),
                                  absl::StrCat(field, ".endpoint (a provider must have one)")));
  }
  return absl::OkStatus();
}

void ResolveTlsPaths(v1::TlsFiles* tls, const std::filesystem::path& dir) {
  base::ResolveConfigPath(tls->mutable_certificate_file(), dir);
  base::ResolveConfigPath(tls->mutable_private_key_file(), dir);
  base::ResolveConfigPath(tls->mutable_ca_bundle_file(), dir);
  base::ResolveConfigPath(tls->mutable_crl_file(), dir);
}

void ResolvePaths(v1::BrokerConfig* config, const std::filesystem::path& dir) {
  if (config->has_server_tls()) ResolveTlsPaths(config->mutable_server_tls(), dir);
  if (config->has_client_tls()) ResolveTlsPaths(config->mutable_client_tls(), dir);
  base::ResolveConfigPath(config->mutable_data_dir(), dir);
  if (config->storage().has_rocksdb()) {
    base::ResolveConfigPath(config->mutable_storage()->mutable_rocksdb()->mutable_dir(), dir);
  }
  if (config->storage().has_postgres()) {
    v1::PostgresStorage* postgres = config->mutable_storage()->mutable_postgres();
    base::ResolveConfigPath(postgres->mutable_password_file(), dir);
    base::ResolveConfigPath(postgres->mutable_server_ca_file(), dir);
    base::ResolveConfigPath(postgres->mutable_client_cert_file(), dir);
    base::ResolveConfigPath(postgres->mutable_client_key_file(), dir);
  }
  v1::LedgerConfig* ledger = config->mutable_ledger();
  base::ResolveConfigPath(ledger->mutable_signing_key_file(), dir);
  base::ResolveConfigPath(ledger->mutable_pseudonym_key_file(), dir);
  for (std::string& file : *ledger->mutable_previous_public_key_files())
    base::ResolveConfigPath(&file, dir);
}

}  // namespace

absl::StatusOr<v1::BrokerConfig> ParseBrokerConfig(absl::string_view text) {
  v1::BrokerConfig config;
  WAMS_RETURN_IF_ERROR(base::ParseConfigText(text, &config));
  return config;
}

absl::Status ValidateBrokerConfig(const v1::BrokerConfig& config) {
  // Every field at once: UTF-8 strings, positive durations, integers that
  // fit an int (proto/wire/config_checks.h).
  WAMS_RETURN_IF_ERROR(wire::CheckConfigFields(config));
  WAMS_RETURN_IF_ERROR(Required(!config.listen_address().empty(), "listen_address"));
  WAMS_RETURN_IF_ERROR(Required(config.has_server_tls(), "server_tls"));
  WAMS_RETURN_IF_ERROR(ValidateTls(config.server_tls(), "server_tls"));
  if (config.has_client_tls()) {
    WAMS_RETURN_IF_ERROR(ValidateTls(config.client_tls(), "client_tls"));
  }
  WAMS_RETURN_IF_ERROR(ValidateLimits(config.limits()));
  WAMS_RETURN_IF_ERROR(ValidateConnectionLimits(config.limits()));
  WAMS_RETURN_IF_ERROR(ValidateStorage(config));
  WAMS_RETURN_IF_ERROR(Required(config.has_ledger(), "ledger"));
  WAMS_RETURN_IF_ERROR(Required(!config.ledger().origin().empty(), "ledger.origin"));
  WAMS_RETURN_IF_ERROR(
      Required(!config.ledger().signing_key_file().empty(), "ledger.signing_key_file"));
  WAMS_RETURN_IF_ERROR(
      Required(!config.ledger().pseudonym_key_file().empty(), "ledger.pseudonym_key_file"));
  if (config.ledger().has_checkpoint_interval() &&
      FromProto(config.ledger().checkpoint_interval()) < kMinCheckpointInterval) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ledger.checkpoint_interval: at least ", absl::FormatDuration(kMinCheckpointInterval),
        " (every checkpoint is signed, synced and kept; default 1s)"));
  }

  WAMS_RETURN_IF_ERROR(ValidateRetention(config.retention()));

  std::set<std::string> seen_oins;
  bool has_municipality = false;
  for (int i = 0; i < config.parties_size(); ++i) {
    const v1::Party& party = config.parties(i);
    std::string field = absl::StrCat("parties[", i, "]");
    WAMS_RETURN_IF_ERROR(ValidateParty(party, field));
    if (!seen_oins.insert(party.oin()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".oin: ", party.oin(), " is configured twice"));
    }
    has_municipality |= party.role() == v1::PARTY_ROLE_MUNICIPALITY;
  }
  if (!has_municipality) {
    return absl::InvalidArgumentError(
        "parties: at least one party with role PARTY_ROLE_MUNICIPALITY is required");
  }
  // The category catalogue (domains, names, what each party offers).
  return policy::Policy::Create(config).status();
}

absl::StatusOr<v1::BrokerConfig> LoadBrokerConfig(absl::string_view path) {
  v1::BrokerConfig config;
  WAMS_RETURN_IF_ERROR(base::ReadConfigFile(path, &config));  // messages start with the path
  if (absl::Status valid = ValidateBrokerConfig(config); !valid.ok()) {
    return absl::Status(valid.code(), absl::StrCat(path, ": ", valid.message()));
  }
  ResolvePaths(&config, std::filesystem::path(std::string(path)).parent_path());
  return config;
}

}  // namespace wams::config
