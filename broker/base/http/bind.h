#ifndef WAMS_BROKER_BASE_HTTP_BIND_H_
#define WAMS_BROKER_BASE_HTTP_BIND_H_

#include <httplib.h>

#include <string>

namespace wams::http {

// Binds `server` to host:port (port 0: a free one) for ServingThread, and
// returns the bound port, or -1 when it cannot bind.
//
// Two things differ from httplib's own bind_to_port:
//   - SO_REUSEADDR only: httplib sets SO_REUSEPORT, which lets another
//     process of the same user bind the same port and take connections;
//   - a listen backlog of SOMAXCONN: httplib's is 5, so a burst of clients
//     beyond it waited for SYN retransmits, seconds (measured: 100
//     connections at once took 11 s to connect).
int BindForServing(httplib::Server& server, const std::string& host, int port);

}  // namespace wams::http

#endif  // WAMS_BROKER_BASE_HTTP_BIND_H_
