#include "broker/storage/postgres/postgres_options.h"

#include <libpq-fe.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "broker/base/secret_file.h"
#include "broker/base/status_macros.h"

namespace wams::storage::postgres {
namespace {

constexpr absl::string_view kField = "storage.postgres.";

std::string Field(absl::string_view name) { return absl::StrCat(kField, name); }

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

// An SQL identifier we never need to quote: lower case, digits, underscore.
bool IsPlainIdentifier(absl::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!absl::ascii_islower(static_cast<unsigned char>(name[0])) && name[0] != '_') return false;
  for (char c : name) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

struct ConninfoDeleter {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using ParsedConninfo = std::unique_ptr<PQconninfoOption, ConninfoDeleter>;

absl::StatusOr<ParsedConninfo> ParseConninfo(const std::string& conninfo) {
  char* error = nullptr;
  ParsedConninfo parsed(PQconninfoParse(conninfo.c_str(), &error));
  if (parsed == nullptr) {
    // libpq's message names the keyword or syntax error; it cannot hold a
    // password we did not refuse already (a parse error stops before values).
    std::string reason = error != nullptr ? std::string(absl::StripAsciiWhitespace(error))
                                          : std::string("out of memory");
    PQfreemem(error);
    return absl::InvalidArgumentError(
        absl::StrCat(Field("conninfo"), ": not a libpq connection string: ", reason));
  }
  return parsed;
}

}  // namespace

absl::Status ValidatePostgresOptions(const PostgresOptions& options) {
  if (options.conninfo.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(Field("conninfo"), ": required"));
  }
  WAMS_ASSIGN_OR_RETURN(ParsedConninfo parsed, ParseConninfo(options.conninfo));
  for (const PQconninfoOption* o = parsed.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    absl::string_view keyword = o->keyword;
    if (keyword == "password" || keyword == "passfile") {
      return absl::InvalidArgumentError(absl::StrCat(Field("conninfo"), ": must not hold a ",
                                                     keyword, "; use ", Field("password_file")));
    }
    if (keyword == "sslmode" && !options.server_ca_file.empty() &&
        absl::string_view(o->val) != "verify-full") {
      return absl::InvalidArgumentError(absl::StrCat(
          Field("server_ca_file"), ": requires sslmode=verify-full in ", Field("conninfo")));
    }
  }
  if (options.node_name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(Field("node_name"), ": required"));
  }
  if (options.node_name.size() > 64) {
    return absl::InvalidArgumentError(absl::StrCat(Field("node_name"), ": at most 64 characters"));
  }
  for (char c : options.node_name) {
    if (!IsNameChar(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat(Field("node_name"), ": only letters, digits, '.', '_' and '-'"));
    }
  }
  if (options.lease_ttl < absl::Seconds(1) || options.lease_ttl > absl::Seconds(60)) {
    return absl::InvalidArgumentError(absl::StrCat(Field("lease_ttl"), ": must be 1s to 60s"));
  }
  if (options.commit_timeout < absl::Seconds(1) || options.commit_timeout > absl::Seconds(300)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Field("commit_timeout"), ": must be 1s to 300s"));
  }
  if (options.read_connections < 1 || options.read_connections > 64) {
    return absl::InvalidArgumentError(absl::StrCat(Field("read_connections"), ": must be 1 to 64"));
  }
  if (!IsPlainIdentifier(options.schema)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Field("schema"),
                     ": lower-case letters, digits and '_', starting with a letter or '_', "
                     "at most 63"));
  }
  if (options.client_cert_file.empty() != options.client_key_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        Field("client_key_file"), " and ", Field("client_cert_file"), ": set both or neither"));
  }
  return absl::OkStatus();
}

namespace {

PostgresOptions OptionsWithoutFiles(const wams::broker::v1::PostgresStorage& config) {
  PostgresOptions options;
  options.conninfo = config.conninfo();
  options.server_ca_file = config.server_ca_file();
  options.client_cert_file = config.client_cert_file();
  options.client_key_file = config.client_key_file();
  options.node_name = config.node_name();
  if (config.has_lease_ttl()) options.lease_ttl = FromProto(config.lease_ttl());
  if (config.has_commit_timeout()) options.commit_timeout = FromProto(config.commit_timeout());
  if (config.read_connections() != 0) {
    options.read_connections =
        static_cast<int>(std::min<uint32_t>(config.read_connections(), 1000));
  }
  if (!config.schema().empty()) options.schema = config.schema();
  return options;
}

}  // namespace

absl::Status ValidatePostgresStorage(const wams::broker::v1::PostgresStorage& config) {
  return ValidatePostgresOptions(OptionsWithoutFiles(config));
}

absl::StatusOr<PostgresOptions> PostgresOptionsFromConfig(
    const wams::broker::v1::PostgresStorage& config) {
  PostgresOptions options = OptionsWithoutFiles(config);
  WAMS_RETURN_IF_ERROR(ValidatePostgresOptions(options));

  if (!config.password_file().empty()) {
    WAMS_ASSIGN_OR_RETURN(std::string text,
                          base::ReadPrivateFile(config.password_file(), Field("password_file")));
    absl::string_view first_line = text;
    first_line = first_line.substr(0, first_line.find('\n'));
    if (!first_line.empty() && first_line.back() == '\r') first_line.remove_suffix(1);
    if (first_line.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(Field("password_file"), ": the first line is empty"));
    }
    options.password = std::string(first_line);
  }
  // libpq reads these itself; checking them here refuses a missing file or
  // an open key at start, naming the field, as for every other key file.
  if (!options.server_ca_file.empty()) {
    WAMS_RETURN_IF_ERROR(
        base::ReadPublicFile(options.server_ca_file, Field("server_ca_file")).status());
  }
  if (!options.client_cert_file.empty()) {
    WAMS_RETURN_IF_ERROR(
        base::ReadPublicFile(options.client_cert_file, Field("client_cert_file")).status());
    WAMS_RETURN_IF_ERROR(
        base::ReadPrivateFile(options.client_key_file, Field("client_key_file")).status());
  }
  return options;
}

absl::StatusOr<ConnectionParams> BuildConnectionParams(const PostgresOptions& options,
                                                       absl::string_view application_name) {
  WAMS_ASSIGN_OR_RETURN(ParsedConninfo parsed, ParseConninfo(options.conninfo));
  ConnectionParams params;
  auto given = [&](absl::string_view keyword) {
    for (const auto& [k, v] : params) {
      if (k == keyword) return true;
    }
    return false;
  };
  for (const PQconninfoOption* o = parsed.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    absl::string_view keyword = o->keyword;
    if (keyword == "password" || keyword == "passfile") {
      return absl::InvalidArgumentError(absl::StrCat(Field("conninfo"), ": must not hold a ",
                                                     keyword, "; use ", Field("password_file")));
    }
    params.emplace_back(o->keyword, o->val);
  }
  auto set_default = [&](absl::string_view keyword, std::string value) {
    if (!given(keyword)) params.emplace_back(std::string(keyword), std::move(value));
  };
  auto set = [&](absl::string_view keyword, std::string value) {
    for (auto& [k, v] : params) {
      if (k == keyword) {
        v = std::move(value);
        return;
      }
    }
    params.emplace_back(std::string(keyword), std::move(value));
  };
  // Only the writer's host accepts writes; reads go there too, so that a
  // read after a write sees it (a standby may lag in applying it).
  set_default("target_session_attrs", "read-write");
  set_default("connect_timeout", "5");
  // A dead peer (a lost machine, not a closed socket) is noticed within
  // about 20 s even on an idle connection.
  set_default("keepalives", "1");
  set_default("keepalives_idle", "10");
  set_default("keepalives_interval", "3");
  set_default("keepalives_count", "3");
  set_default("application_name", std::string(application_name));
  if (!options.password.empty()) set("password", options.password);
  if (!options.server_ca_file.empty()) {
    set("sslrootcert", options.server_ca_file);
    set("sslmode", "verify-full");
  }
  if (!options.client_cert_file.empty()) {
    set("sslcert", options.client_cert_file);
    set("sslkey", options.client_key_file);
  }
  return params;
}

}  // namespace wams::storage::postgres
