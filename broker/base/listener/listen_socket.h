// listen_socket.h: listening TCP sockets for a "host:port" address, the way
// gRPC binds them: every address the host resolves to, all on one port;
// "[::]" takes IPv4 as well (dual stack); port 0 picks a free port.
//
//   WAMS_ASSIGN_OR_RETURN(ListenSockets sockets, ListenOn("127.0.0.1:0"));
//   ... sockets.port ...
//
// Thread-safe (no shared state).
#ifndef WAMS_BROKER_BASE_LISTENER_LISTEN_SOCKET_H_
#define WAMS_BROKER_BASE_LISTENER_LISTEN_SOCKET_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wams::listener {

// Non-blocking, close-on-exec listening sockets; the owner closes them.
struct ListenSockets {
  std::vector<int> fds;
  int port = 0;
};

// INVALID_ARGUMENT for an address that is not host:port or [v6]:port;
// UNAVAILABLE when the host does not resolve or no address can be bound
// (e.g. the port is taken), with the system's reason.
absl::StatusOr<ListenSockets> ListenOn(absl::string_view address);

}  // namespace wams::listener

#endif  // WAMS_BROKER_BASE_LISTENER_LISTEN_SOCKET_H_
