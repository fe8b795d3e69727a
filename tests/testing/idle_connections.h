// idle_connections.h: TCP connections to a local port that send nothing, as
// anyone can open them without a certificate: the flood that tests of an
// HTTPS server's thread use (broker/base/http/connection_threads.h).
//
//   IdleConnections idle(port, 200);   // open until `idle` goes
#ifndef WAMS_TESTS_TESTING_IDLE_CONNECTIONS_H_
#define WAMS_TESTS_TESTING_IDLE_CONNECTIONS_H_

#include <vector>

namespace wams::testing {

class IdleConnections {
 public:
  // Connects `count` times to 127.0.0.1:`port`; opened() says how many did.
  IdleConnections(int port, int count);
  ~IdleConnections();
  IdleConnections(const IdleConnections&) = delete;
  IdleConnections& operator=(const IdleConnections&) = delete;

  int opened() const { return static_cast<int>(fds_.size()); }

 private:
  std::vector<int> fds_;
};

}  // namespace wams::testing

#endif  // WAMS_TESTS_TESTING_IDLE_CONNECTIONS_H_
