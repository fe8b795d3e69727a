// key_file.h: reading the adapter's certificate and key files.
//
// A private key that group or others can read is refused: it may already have
// leaked, and the party's operator must notice rather than have the adapter
// start quietly.
//
//   absl::StatusOr<std::string> key = ReadPrivateFile(path, "tls.private_key_file");
#ifndef WAMS_ADAPTERS_SDK_KEY_FILE_H_
#define WAMS_ADAPTERS_SDK_KEY_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wams::adapters {

// The contents of a public file (certificate, CA bundle). `field` names the
// option in errors. NOT_FOUND when missing or unreadable, FAILED_PRECONDITION
// when empty.
absl::StatusOr<std::string> ReadPublicFile(absl::string_view path, absl::string_view field);

// As ReadPublicFile, and FAILED_PRECONDITION when group or others may read or
// write the file.
absl::StatusOr<std::string> ReadPrivateFile(absl::string_view path, absl::string_view field);

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_SDK_KEY_FILE_H_
