// config_loader.h: reading and validating the broker's BrokerConfig.
//
// The config is a textproto file (JSON accepted too, by a ".json" name or a
// leading '{'), read as every config file is (broker/base/config_file.h: a
// bounded read, no value repeated in an error). Every error names the field,
// and for textproto the line, so an operator can fix the file without reading
// code:
//
//   WAMS_ASSIGN_OR_RETURN(v1::BrokerConfig config, LoadBrokerConfig(path));
//
// Validation covers what can be checked without the file system; key and
// certificate files are read (and their permissions checked) where they are
// used.
#ifndef WAMS_BROKER_CONFIG_CONFIG_LOADER_H_
#define WAMS_BROKER_CONFIG_CONFIG_LOADER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "wams/broker/v1/config.pb.h"

namespace wams::config {

namespace v1 = ::wams::broker::v1;

// Parses `text` as textproto, or as JSON when it starts with '{'.
// INVALID_ARGUMENT naming the line (textproto) or the field on a syntax or
// unknown-field error.
absl::StatusOr<v1::BrokerConfig> ParseBrokerConfig(absl::string_view text);

// Checks every field's kind (proto/wire/config_checks.h: strings are UTF-8,
// set durations positive, integers at most 2^31-1), required fields, OIN
// syntax, unique parties, roles and endpoints, the limits (message size
// range, a burst needs a rate) and a checkpoint interval of at least 1s.
// INVALID_ARGUMENT whose message starts with the field path, e.g.
// "parties[2].oin: ...".
absl::Status ValidateBrokerConfig(const v1::BrokerConfig& config);

// Reads, parses and validates the file at `path`; messages start with the
// path (NOT_FOUND or FAILED_PRECONDITION when the file cannot be read, is
// empty or is too large; INVALID_ARGUMENT otherwise). Relative file paths in the config are
// resolved against the directory of `path`, so a config directory can be moved as a whole.
absl::StatusOr<v1::BrokerConfig> LoadBrokerConfig(absl::string_view path);

}  // namespace wams::config

#endif  // WAMS_BROKER_CONFIG_CONFIG_LOADER_H_
