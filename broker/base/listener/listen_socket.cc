#include "broker/base/listener/listen_socket.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wams::listener {
namespace {

// The kernel caps the backlog at net.core.somaxconn; asking for the most
// lets a burst wait for the accept thread instead of being dropped.
constexpr int kBacklog = SOMAXCONN > 4096 ? SOMAXCONN : 4096;

struct HostPort {
  std::string host;
  int port = 0;
};

absl::StatusOr<HostPort> SplitHostPort(absl::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("\"", address, "\" is not host:port"));
  }
  HostPort result;
  absl::string_view host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  result.host = std::string(host);
  if (!absl::SimpleAtoi(address.substr(colon + 1), &result.port) || result.port < 0 ||
      result.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("\"", address, "\" has no port 0 to 65535"));
  }
  return result;
}

int BoundPort(int fd) {
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0) return 0;
  if (bound.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
}

void SetPort(addrinfo& info, int port) {
  if (info.ai_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(info.ai_addr)->sin6_port = htons(static_cast<uint16_t>(port));
  } else {
    reinterpret_cast<sockaddr_in*>(info.ai_addr)->sin_port = htons(static_cast<uint16_t>(port));
  }
}

// One listening socket on `info`, or -1 with errno set.
int ListenOnOne(const addrinfo& info) {
  int fd = socket(info.ai_family, info.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int on = 1;
  int off = 0;
  // No SO_REUSEPORT: a second broker on the same port must fail to start,
  // not share the connections.
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (info.ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
  if (bind(fd, info.ai_addr, info.ai_addrlen) != 0 || listen(fd, kBacklog) != 0) {
    int error = errno;
    close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

}  // namespace

absl::StatusOr<ListenSockets> ListenOn(absl::string_view address) {
  absl::StatusOr<HostPort> host_port = SplitHostPort(address);
  if (!host_port.ok()) return host_port.status();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_ADDRCONFIG;
  addrinfo* resolved = nullptr;
  std::string port_text = std::to_string(host_port->port);
  if (int error = getaddrinfo(host_port->host.empty() ? nullptr : host_port->host.c_str(),
                              port_text.c_str(), &hints, &resolved);
      error != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot resolve \"", host_port->host, "\": ", gai_strerror(error)));
  }
  ListenSockets sockets;
  sockets.port = host_port->port;
  std::string failure;
  for (addrinfo* info = resolved; info != nullptr; info = info->ai_next) {
    // Every address on the port the first one got.
    if (sockets.port != 0) SetPort(*info, sockets.port);
    int fd = ListenOnOne(*info);
    if (fd < 0) {
      // "[::]" also covers 0.0.0.0, so a later IPv4 wildcard is taken.
      failure = std::strerror(errno);
      continue;
    }
    if (sockets.port == 0) sockets.port = BoundPort(fd);
    sockets.fds.push_back(fd);
  }
  freeaddrinfo(resolved);
  if (sockets.fds.empty()) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address, ": ", failure));
  }
  return sockets;
}

}  // namespace wams::listener
