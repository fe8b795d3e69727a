// connection_table.h: which of the connections a listener accepted are still
// open.
//
// The listener hands each accepted socket to gRPC, and gRPC closes it when the
// connection ends (handshake timeout, EOF, GOAWAY, idle) without telling
// anyone. The table remembers each socket by descriptor number and by its
// inode: sockfs gives every socket its own inode, so an entry whose
// descriptor is closed, or now names another file (the kernel reuses the
// lowest free number: RocksDB, a provider channel), is seen as gone by
// Sweep(). Nothing is ever held open on the table's behalf, so it never costs
// a descriptor and never keeps a connection alive.
//
// It also tells which connections have carried a call (call_peers.h): each
// entry's peer address is watched in peers(), which the server's call path
// reports into; Sweep() marks the entries whose peer was reported. The rest
// are handshaking (or connected without calling yet).
//
//   table.Add(fd);         // right after accept4, before gRPC owns fd
//   table.Sweep();         // O(size) fstat calls
//   if (table.size() >= bound) ...
//   table.handshaking();   // entries that have not carried a call
//
// Not thread-safe: the listener's accept thread owns it; peers() is
// thread-safe itself.
#ifndef WAMS_BROKER_BASE_LISTENER_CONNECTION_TABLE_H_
#define WAMS_BROKER_BASE_LISTENER_CONNECTION_TABLE_H_

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "broker/base/listener/call_peers.h"

namespace wams::listener {

class ConnectionTable {
 public:
  // Records the open socket `fd` and watches its peer. An entry with the
  // same number is replaced: the kernel hands out a number only after its
  // previous file was closed.
  void Add(int fd);
  // Marks the entries whose peer carried a call since the last Sweep, then
  // drops every entry whose descriptor no longer names the socket it was
  // added with.
  void Sweep();
  // Entries after the last Add or Sweep: connections still open, plus those
  // closed since the last Sweep.
  size_t size() const { return open_.size(); }
  // Of those, the ones not seen to carry a call as of the last Sweep.
  size_t handshaking() const { return handshaking_; }
  // Where the call path reports each call's peer.
  const std::shared_ptr<CallPeers>& peers() const { return peers_; }

 private:
  struct SocketIdentity {
    dev_t device = 0;
    ino_t inode = 0;
    bool operator==(const SocketIdentity&) const = default;
  };
  struct Entry {
    SocketIdentity identity;
    std::string peer;  // "" when getpeername failed: never marked
    bool carried_call = false;
  };

  // Stops watching the peer of an entry that goes.
  void Forget(const Entry& entry);

  absl::flat_hash_map<int, Entry> open_;
  size_t handshaking_ = 0;
  const std::shared_ptr<CallPeers> peers_ = std::make_shared<CallPeers>();
};

}  // namespace wams::listener

#endif  // WAMS_BROKER_BASE_LISTENER_CONNECTION_TABLE_H_
