#include "broker/base/listener/connection_table.h"

#include <sys/stat.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"

namespace wams::listener {

void ConnectionTable::Add(int fd) {
  struct stat info {};
  // A descriptor accept4 just returned cannot fail fstat; if it did, there
  // is nothing to recognise it by later, so it is not counted.
  if (fstat(fd, &info) != 0) return;
  if (auto old = open_.find(fd); old != open_.end()) {
    Forget(old->second);
    if (!old->second.carried_call) --handshaking_;
  }
  Entry entry{.identity = {.device = info.st_dev, .inode = info.st_ino}, .peer = PeerOf(fd)};
  if (!entry.peer.empty()) peers_->Watch(entry.peer);
  open_[fd] = std::move(entry);
  ++handshaking_;
}

void ConnectionTable::Sweep() {
  std::vector<std::string> seen = peers_->TakeSeen();
  if (!seen.empty()) {
    absl::flat_hash_set<std::string> called(seen.begin(), seen.end());
    for (auto& [fd, entry] : open_) {
      if (!entry.carried_call && called.contains(entry.peer)) entry.carried_call = true;
    }
  }
  absl::erase_if(open_, [this](const auto& item) {
    const auto& [fd, entry] = item;
    struct stat info {};
    bool gone = fstat(fd, &info) != 0 ||  // closed (EBADF)
                !S_ISSOCK(info.st_mode) ||
                SocketIdentity{.device = info.st_dev, .inode = info.st_ino} != entry.identity;
    if (gone) Forget(entry);
    return gone;
  });
  handshaking_ = 0;
  for (const auto& [fd, entry] : open_) handshaking_ += entry.carried_call ? 0 : 1;
}

void ConnectionTable::Forget(const Entry& entry) {
  // A peer that carried a call is no longer watched.
  if (!entry.carried_call && !entry.peer.empty()) peers_->Unwatch(entry.peer);
}

}  // namespace wams::listener
