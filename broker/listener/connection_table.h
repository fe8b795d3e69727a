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
//   table.Add(fd);         // right after accept4, before gRPC owns fd
//   table.Sweep();         // O(size) fstat calls
//   if (table.size() >= bound) ...
//
// Not thread-safe: the listener's accept thread owns it.
#ifndef WAMS_BROKER_LISTENER_CONNECTION_TABLE_H_
#define WAMS_BROKER_LISTENER_CONNECTION_TABLE_H_

#include <sys/types.h>

#include <cstddef>

#include "absl/container/flat_hash_map.h"

namespace wams::listener {

class ConnectionTable {
 public:
  // Records the open socket `fd`. An entry with the same number is replaced:
  // the kernel hands out a number only after its previous file was closed.
  void Add(int fd);
  // Drops every entry whose descriptor no longer names the socket it was
  // added with.
  void Sweep();
  // Entries after the last Add or Sweep: connections still open, plus those
  // closed since the last Sweep.
  size_t size() const { return open_.size(); }

 private:
  struct SocketIdentity {
    dev_t device = 0;
    ino_t inode = 0;
    bool operator==(const SocketIdentity&) const = default;
  };

  absl::flat_hash_map<int, SocketIdentity> open_;
};

}  // namespace wams::listener

#endif  // WAMS_BROKER_LISTENER_CONNECTION_TABLE_H_
