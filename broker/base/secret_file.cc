#include "broker/base/secret_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace wams::base {
namespace {

absl::StatusOr<std::string> ReadWhole(absl::string_view path, absl::string_view field) {
  if (path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": no file given"));
  }
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(field, ": cannot read ", path, ": ", std::strerror(errno)));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (contents.str().empty()) {
    return absl::FailedPreconditionError(absl::StrCat(field, ": ", path, " is empty"));
  }
  return contents.str();
}

}  // namespace

absl::StatusOr<std::string> ReadPublicFile(absl::string_view path, absl::string_view field) {
  return ReadWhole(path, field);
}

absl::StatusOr<std::string> ReadPrivateFile(absl::string_view path, absl::string_view field) {
  struct stat info {};
  if (!path.empty() && ::stat(std::string(path).c_str(), &info) == 0 &&
      (info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s: private file %s has mode %04o; group and others must have no access (chmod 600)",
        field, path, info.st_mode & 07777));
  }
  return ReadWhole(path, field);
}

}  // namespace wams::base
