// secret_file.h: reading key and certificate files with their permissions checked.
//
// Keys come from files, never from the config itself. A private key that
// group or others can read is refused: it may already have leaked, and an
// operator must notice rather than have the broker start quietly.
//
//   WAMS_ASSIGN_OR_RETURN(std::string pem,
//                         ReadPrivateFile(cfg.private_key_file(), "server_tls.private_key_file"));
#ifndef WAMS_BROKER_BASE_SECRET_FILE_H_
#define WAMS_BROKER_BASE_SECRET_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wams::base {

// Reads a public file (certificate, CA bundle, CRL). `field` names the config
// field in errors. NOT_FOUND / FAILED_PRECONDITION when unreadable or empty.
absl::StatusOr<std::string> ReadPublicFile(absl::string_view path, absl::string_view field);

// Reads a private file (private key, pseudonym key). As ReadPublicFile, and
// FAILED_PRECONDITION when the file is readable or writable by group or others.
absl::StatusOr<std::string> ReadPrivateFile(absl::string_view path, absl::string_view field);

}  // namespace wams::base

#endif  // WAMS_BROKER_BASE_SECRET_FILE_H_
