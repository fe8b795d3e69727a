#include "tests/testing/idle_connections.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

namespace wams::testing {

IdleConnections::IdleConnections(int port, int count) {
  for (int i = 0; i < count; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      close(fd);
      return;
    }
    fds_.push_back(fd);
  }
}

IdleConnections::~IdleConnections() {
  for (int fd : fds_) close(fd);
}

}  // namespace wams::testing
