// config_file.h: reading a config file (textproto or JSON) into a message.
//
// The broker's BrokerConfig and the reference adapter's AdapterConfig are read
// the same way: the file is read up to a bound, parsed as JSON when its name
// ends in ".json" or its text starts with '{' and as textproto otherwise, and
// unknown fields are refused. Every error names the file and, for textproto,
// the line and column, or the field; none repeats a value from the file (a
// misplaced password or BSN must not reach a log) other than an unknown enum
// constant (DOMAIN_SCHOOL), which the operator needs to see to fix it. What the values must be is
// each config's own validation, kept beside its schema.
//
//   v1::BrokerConfig config;
//   WAMS_RETURN_IF_ERROR(base::ReadConfigFile(path, &config));  // "<path>: line 3:7: ..."
//   WAMS_RETURN_IF_ERROR(ValidateBrokerConfig(config));
//   ResolveConfigPath(config.mutable_data_dir(), std::filesystem::path(path).parent_path());
//
// Thread-safety: free functions without shared state; safe from any thread
// (each call writes only its own `message`).
#ifndef WAMS_BROKER_BASE_CONFIG_FILE_H_
#define WAMS_BROKER_BASE_CONFIG_FILE_H_

#include <cstddef>
#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace wams::base {

// The largest config file read: far above any real config (the example
// broker config is a few KiB), far below what would hurt to hold in memory.
inline constexpr size_t kMaxConfigFileBytes = 1 << 20;

// Parses `text` into `message` (cleared first): JSON when `file_name` ends in
// ".json" or the text starts with '{' (after white space), textproto
// otherwise. INVALID_ARGUMENT on a syntax error or unknown field, saying
// "line L:C: ..." for textproto and "JSON: ..." for JSON; field names are kept,
// values from the text are not, but for a value shaped like an enum constant
// (capital words joined by '_').
absl::Status ParseConfigText(absl::string_view text, google::protobuf::Message* message,
                             absl::string_view file_name = "");

// Reads the file at `path` and parses it as ParseConfigText. Every message
// starts with the path: NOT_FOUND when it cannot be read, FAILED_PRECONDITION
// when it is empty or larger than kMaxConfigFileBytes, INVALID_ARGUMENT when it
// does not parse.
absl::Status ReadConfigFile(absl::string_view path, google::protobuf::Message* message);

// Makes `*path`, a file named in a config file, absolute-or-relative as the
// config meant it: a relative path means "next to the config file", so a config
// directory can be moved as a whole. `config_dir` is the config file's
// directory; "" and absolute paths stay as they are.
void ResolveConfigPath(std::string* path, const std::filesystem::path& config_dir);

}  // namespace wams::base

#endif  // WAMS_BROKER_BASE_CONFIG_FILE_H_
