#include "broker/base/http/bind.h"

#include <sys/socket.h>

namespace wams::http {

int BindForServing(httplib::Server& server, const std::string& host, int port) {
  // httplib tries the host's addresses in turn and keeps the first socket
  // that binds; each attempt passes through here, so the last one seen is
  // the one it kept.
  socket_t listening = INVALID_SOCKET;
  server.set_socket_options([&listening](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listening = sock;
  });
  const int bound =
      port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  // listen() again on a listening socket sets its backlog anew.
  if (bound > 0 && listening != INVALID_SOCKET) ::listen(listening, SOMAXCONN);
  return bound;
}

}  // namespace wams::http
