#include "broker/config/config_loader.h"

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "broker/base/listener/bounded_listener.h"
#include "broker/base/message_limits.h"
#include "broker/base/secret_file.h"
#include "broker/base/status_macros.h"
#include "broker/storage/postgres/postgres_options.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "policy/oin.h"
#include "policy/policy.h"
#include "proto/wire/config_checks.h"

namespace wams::config {
namespace {

// Collects textproto errors with their 1-based line and column.
class LineErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    errors_.push_back(absl::StrCat("line ", line + 1, ":", column + 1, ": ", message));
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {
    AddError(line, column, message);
  }
  std::string Joined() const { return absl::StrJoin(errors_, "; "); }

 private:
  std::vector<std::string> errors_;
};

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

absl::Status ValidateParty(const v1::Party& party, absl::string_view field) {
  if (absl::StatusOr<policy::Oin> oin = policy::ParseOin(party.oin(), absl::StrCat(field, ".oin"));
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

// Relative file paths in a config mean "next to the config file", so a
// config directory can be moved as a whole.
void ResolvePath(std::string* path, const std::filesystem::path& base) {
  if (path->empty() || std::filesystem::path(*path).is_absolute()) return;
  *path = (base / *path).lexically_normal().string();
}

void ResolveTlsPaths(v1::TlsFiles* tls, const std::filesystem::path& base) {
  ResolvePath(tls->mutable_certificate_file(), base);
  ResolvePath(tls->mutable_private_key_file(), base);
  ResolvePath(tls->mutable_ca_bundle_file(), base);
  ResolvePath(tls->mutable_crl_file(), base);
}

void ResolvePaths(v1::BrokerConfig* config, const std::filesystem::path& base) {
  if (config->has_server_tls()) ResolveTlsPaths(config->mutable_server_tls(), base);
  if (config->has_client_tls()) ResolveTlsPaths(config->mutable_client_tls(), base);
  ResolvePath(config->mutable_data_dir(), base);
  if (config->storage().has_rocksdb()) {
    ResolvePath(config->mutable_storage()->mutable_rocksdb()->mutable_dir(), base);
  }
  if (config->storage().has_postgres()) {
    v1::PostgresStorage* postgres = config->mutable_storage()->mutable_postgres();
    ResolvePath(postgres->mutable_password_file(), base);
    ResolvePath(postgres->mutable_server_ca_file(), base);
    ResolvePath(postgres->mutable_client_cert_file(), base);
    ResolvePath(postgres->mutable_client_key_file(), base);
  }
  v1::LedgerConfig* ledger = config->mutable_ledger();
  ResolvePath(ledger->mutable_signing_key_file(), base);
  ResolvePath(ledger->mutable_pseudonym_key_file(), base);
  for (std::string& file : *ledger->mutable_previous_public_key_files()) ResolvePath(&file, base);
}

}  // namespace

absl::StatusOr<v1::BrokerConfig> ParseBrokerConfig(absl::string_view text) {
  v1::BrokerConfig config;
  absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(text);
  if (!trimmed.empty() && trimmed.front() == '{') {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    google::protobuf::util::Status status =
        google::protobuf::util::JsonStringToMessage(std::string(text), &config, options);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("JSON: ", status.message().as_string()));
    }
    return config;
  }
  LineErrorCollector errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &config)) {
    return absl::InvalidArgumentError(errors.Joined());
  }
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
  absl::StatusOr<std::string> text = base::ReadPublicFile(path, "--config");
  if (!text.ok()) return text.status();
  absl::StatusOr<v1::BrokerConfig> config = ParseBrokerConfig(*text);
  absl::Status status = config.ok() ? ValidateBrokerConfig(*config) : config.status();
  if (!status.ok()) {
    return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
  }
  ResolvePaths(&*config, std::filesystem::path(std::string(path)).parent_path());
  return config;
}

}  // namespace wams::config
