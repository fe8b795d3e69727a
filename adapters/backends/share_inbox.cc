#include "adapters/backends/share_inbox.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "adapters/backends/share_document.h"
#include "broker/base/files/private_dir.h"

namespace wams::adapters {
namespace {

constexpr size_t kMaxNameBytes = 128;

// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error a deferred write may only show here.
  bool Close() {
    int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

std::string Errno(absl::string_view what) {
  return absl::StrCat("cannot ", what, " the share inbox file: ", std::strerror(errno));
}

// Writes `contents` to a new file at `path`, mode 0600 whatever the umask, and
// fsyncs it. Empty on success, else the reason (no path in it).
std::string WriteNewFile(const std::string& path, absl::string_view contents) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) return Errno("create");
  if (::fchmod(fd.get(), 0600) != 0) return Errno("chmod");
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd.get(), contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("write");
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return Errno("fsync");
  if (!fd.Close()) return Errno("close");
  return "";
}

// Makes a new directory entry durable.
std::string SyncDirectory(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) return Errno("sync the directory of");
  return "";
}

bool SameContents(const std::string& path, absl::string_view contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream read;
  read << in.rdbuf();
  return read.str() == contents;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ShareInbox>> ShareInbox::Open(std::string dir) {
  if (dir.empty()) return absl::InvalidArgumentError("file_backend.share_inbox_dir: required");
  if (absl::Status prepared = files::PreparePrivateDirectory(dir, "file_backend.share_inbox_dir");
      !prepared.ok()) {
    return prepared;
  }
  return std::unique_ptr<ShareInbox>(new ShareInbox(std::move(dir)));
}

absl::StatusOr<std::string> ShareInbox::FileNameFor(absl::string_view transaction_id) {
  bool safe = !transaction_id.empty() && transaction_id.size() <= kMaxNameBytes &&
              absl::ascii_isalnum(static_cast<unsigned char>(transaction_id.front()));
  for (char c : transaction_id) {
    safe = safe &&
           (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
  }
  if (!safe) {
    return absl::InvalidArgumentError(
        "transaction_id: not usable as a file name (1 to 128 of A-Z a-z 0-9 . _ -, starting with "
        "a letter or digit)");
  }
  return absl::StrCat(transaction_id, ".json");
}

ShareAnswer ShareInbox::Put(const v1::ProviderRequest& share) {
  absl::StatusOr<std::string> name = FileNameFor(share.transaction_id());
  if (!name.ok()) return ShareAnswer::Refused(std::string(name.status().message()));
  const std::string path = absl::StrCat(dir_, "/", *name);
  const std::string temp =
      absl::StrCat(dir_, "/.", *name, ".", ::getpid(), ".", next_temp_.fetch_add(1), ".tmp");
  const std::string document = ShareDocument(share);

  if (std::string failed = WriteNewFile(temp, document); !failed.empty()) {
    ::unlink(temp.c_str());
    return ShareAnswer::Unavailable(failed);
  }
  // link, unlike rename, never replaces: of two deliveries under one
  // transaction id exactly one is filed.
  const bool linked = ::link(temp.c_str(), path.c_str()) == 0;
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (!linked && link_errno != EEXIST) {
    errno = link_errno;
    return ShareAnswer::Unavailable(Errno("file"));
  }
  if (!linked) {
    if (SameContents(path, document)) return ShareAnswer::Accepted();  // delivered again
    return ShareAnswer::Refused(
        "another share with this transaction_id is already in the inbox; share it under a new "
        "transaction id");
  }
  if (std::string failed = SyncDirectory(dir_); !failed.empty()) {
    return ShareAnswer::Unavailable(failed);
  }
  return ShareAnswer::Accepted();
}

}  // namespace wams::adapters
