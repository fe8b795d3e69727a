#include "adapters/sdk/key_file.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace wams::adapters {

absl::StatusOr<std::string> ReadPublicFile(absl::string_view path, absl::string_view field) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) return absl::NotFoundError(absl::StrCat(field, ": cannot read ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  if (contents.str().empty()) {
    return absl::FailedPreconditionError(absl::StrCat(field, ": ", path, " is empty"));
  }
  return contents.str();
}

absl::StatusOr<std::string> ReadPrivateFile(absl::string_view path, absl::string_view field) {
  struct stat info {};
  if (stat(std::string(path).c_str(), &info) != 0) {
    return absl::NotFoundError(absl::StrCat(field, ": cannot read ", path));
  }
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, ": ", path, " is accessible to group or others; make it mode 0600"));
  }
  return ReadPublicFile(path, field);
}

}  // namespace wams::adapters
