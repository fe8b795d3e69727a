#include "broker/base/files/private_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace wams::files {

absl::Status PreparePrivateDirectory(absl::string_view path_view, absl::string_view field) {
  const std::string path(path_view);
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    // Parents as the umask makes them; the directory itself 0700 whatever
    // the umask (chmod, since mkdir's mode is masked).
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, error);
    if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
      return absl::InternalError(
          absl::StrCat(field, ": cannot create ", path, ": ", std::strerror(errno)));
    }
    if (chmod(path.c_str(), 0700) != 0) {
      return absl::InternalError(
          absl::StrCat(field, ": cannot chmod 700 ", path, ": ", std::strerror(errno)));
    }
  }
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    return absl::InternalError(
        absl::StrCat(field, ": cannot stat ", path, ": ", std::strerror(errno)));
  }
  if (!S_ISDIR(info.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(field, ": ", path, " is not a directory"));
  }
  if ((info.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s: %s is open to group or others (mode %04o); what it holds is private: run "
        "`chmod 700 %s` (and check who could read it)",
        field, path, info.st_mode & 07777, path));
  }
  return absl::OkStatus();
}

}  // namespace wams::files
