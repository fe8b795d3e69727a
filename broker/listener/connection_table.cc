#include "broker/listener/connection_table.h"

#include <sys/stat.h>

namespace wams::listener {

void ConnectionTable::Add(int fd) {
  struct stat info {};
  // A descriptor accept4 just returned cannot fail fstat; if it did, there
  // is nothing to recognise it by later, so it is not counted.
  if (fstat(fd, &info) != 0) return;
  open_[fd] = SocketIdentity{.device = info.st_dev, .inode = info.st_ino};
}

void ConnectionTable::Sweep() {
  absl::erase_if(open_, [](const auto& entry) {
    struct stat info {};
    if (fstat(entry.first, &info) != 0) return true;  // closed (EBADF)
    return !S_ISSOCK(info.st_mode) ||
           SocketIdentity{.device = info.st_dev, .inode = info.st_ino} != entry.second;
  });
}

}  // namespace wams::listener
