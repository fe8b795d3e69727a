// adapter_config.h: the reference adapter's config (wams.adapter.v1.AdapterConfig,
// adapters/config/adapter_config.proto) turned into SDK options and a backend.
//
//   WAMS_ASSIGN_OR_RETURN(AdapterConfig config, LoadAdapterConfig("config/school.textproto"));
//   WAMS_ASSIGN_OR_RETURN(AdapterParts parts, BuildAdapter(config));
//   WAMS_ASSIGN_OR_RETURN(auto server, ProviderServer::Start(std::move(parts.options),
//                                                            std::move(parts.backend)));
#ifndef WAMS_ADAPTERS_REFERENCE_ADAPTER_CONFIG_H_
#define WAMS_ADAPTERS_REFERENCE_ADAPTER_CONFIG_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "adapters/config/adapter_config.pb.h"
#include "adapters/sdk/backend.h"
#include "adapters/sdk/provider_server.h"

namespace wams::adapters {

using AdapterConfig = ::wams::adapter::v1::AdapterConfig;

// Parses textproto, or JSON when the text starts with '{'. INVALID_ARGUMENT
// with line and column on a syntax error, never repeating a value.
absl::StatusOr<AdapterConfig> ParseAdapterConfig(absl::string_view text);

// Reads `path` (broker/base/config_file.h: the broker's config is read the
// same way), parses it, resolves relative file paths against the file's
// directory and validates it. INVALID_ARGUMENT naming the field; NOT_FOUND or
// FAILED_PRECONDITION, starting with the path, when the file cannot be read,
// is empty or is too large.
absl::StatusOr<AdapterConfig> LoadAdapterConfig(absl::string_view path);

// Everything but the files (every field's kind as in
// proto/wire/config_checks.h, required fields, the categories' rules, the
// backend): INVALID_ARGUMENT naming the field.
absl::Status ValidateAdapterConfig(const AdapterConfig& config);

// What ProviderServer::Start needs.
struct AdapterParts {
  ProviderServerOptions options;
  std::unique_ptr<Backend> backend;
};

// The files the config names are part of it: NOT_FOUND or FAILED_PRECONDITION
// naming the field (tls.ca_bundle_file, ...) when one is missing, unreadable,
// empty or, for the key, open to group or others. wams-adapter checks this
// before it starts the server (which reads them again), so that such a file
// exits 2 like any other config error.
absl::Status CheckTlsFiles(const AdapterConfig& config);

// The server options and the backend of a validated config; reads the records
// file of a file backend.
absl::StatusOr<AdapterParts> BuildAdapter(const AdapterConfig& config);

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_REFERENCE_ADAPTER_CONFIG_H_
