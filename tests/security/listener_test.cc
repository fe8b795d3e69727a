// wams::listener in process (issue 15 item 1): the connection table, the
// bound, and accepting again after running out of descriptors (EMFILE), each
// against a real gRPC server on 127.0.0.1. connection_flood_test.cc floods
// the real broker and adapter processes.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/base/listener/bounded_listener.h"
#include "broker/base/listener/call_peers.h"
#include "broker/base/listener/connection_table.h"
#include "broker/base/listener/file_limit.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

namespace wams::listener {
namespace {

constexpr absl::Duration kPatience = absl::Seconds(30);

int TcpSocket() { return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); }

TEST(ConnectionTableTest, CountsOpenSocketsAndForgetsClosedOnes) {
  ConnectionTable table;
  int first = TcpSocket();
  int second = TcpSocket();
  table.Add(first);
  table.Add(second);
  table.Sweep();
  EXPECT_EQ(table.size(), 2u);
  close(first);
  table.Sweep();
  EXPECT_EQ(table.size(), 1u);
  close(second);
  table.Sweep();
  EXPECT_EQ(table.size(), 0u);
}

TEST(ConnectionTableTest, ForgetsADescriptorNumberNowNamingAnotherFile) {
  ConnectionTable table;
  int accepted = TcpSocket();
  int not_a_socket = TcpSocket();
  table.Add(accepted);
  table.Add(not_a_socket);
  // The numbers stay open but name other files: another socket (a provider
  // channel opened after gRPC closed the connection) and /dev/null.
  int other_socket = TcpSocket();
  int dev_null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_EQ(dup2(other_socket, accepted), accepted);
  ASSERT_EQ(dup2(dev_null, not_a_socket), not_a_socket);
  table.Sweep();
  EXPECT_EQ(table.size(), 0u);
  for (int fd : {accepted, not_a_socket, other_socket, dev_null}) close(fd);
}

TEST(ConnectionTableTest, ANumberAcceptedAgainCountsOnce) {
  ConnectionTable table;
  int fd = TcpSocket();
  table.Add(fd);
  close(fd);
  int again = TcpSocket();  // the lowest free number: the same one
  ASSERT_EQ(again, fd);
  table.Add(again);
  table.Sweep();
  EXPECT_EQ(table.size(), 1u);
  close(again);
}

// A connected loopback pair: {the accepted end, the client end}.
std::pair<int, int> AcceptedConnection() {
  int listening = TcpSocket();
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  EXPECT_EQ(bind(listening, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  EXPECT_EQ(listen(listening, 4), 0);
  EXPECT_EQ(getsockname(listening, reinterpret_cast<sockaddr*>(&address), &length), 0);
  int client = TcpSocket();
  EXPECT_EQ(connect(client, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  int accepted = accept4(listening, nullptr, nullptr, SOCK_CLOEXEC);
  close(listening);
  return {accepted, client};
}

TEST(ConnectionTableTest, CountsConnectionsWithoutACallAsHandshaking) {
  ConnectionTable table;
  auto [first, first_client] = AcceptedConnection();
  auto [second, second_client] = AcceptedConnection();
  table.Add(first);
  table.Add(second);
  EXPECT_EQ(table.handshaking(), 2u);
  EXPECT_TRUE(table.peers()->watching());
  // gRPC's spelling of the client's address, as ServerContext::peer() gives it.
  EXPECT_TRUE(absl::StartsWith(PeerOf(first), "ipv4:127.0.0.1:")) << PeerOf(first);
  table.peers()->Report(PeerOf(first));
  table.peers()->Report("ipv4:192.0.2.1:4242");  // not a connection of the table: ignored
  table.Sweep();
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.handshaking(), 1u);
  // The one still handshaking goes away: nothing is watched any more.
  close(second);
  table.Sweep();
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.handshaking(), 0u);
  EXPECT_FALSE(table.peers()->watching());
  for (int fd : {first, first_client, second_client}) close(fd);
}

TEST(FileLimitTest, RaisesTheSoftLimitToTheHardLimit) {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  rlimit lowered = limit;
  lowered.rlim_cur = std::min<rlim_t>(limit.rlim_max, 256);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  FileLimit raised = RaiseOpenFileLimit();
  EXPECT_EQ(raised.soft_before, lowered.rlim_cur);
  EXPECT_EQ(raised.soft, limit.rlim_max == RLIM_INFINITY ? raised.soft : limit.rlim_max);
  EXPECT_EQ(raised.hard, limit.rlim_max);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
}

TEST(BoundedListenerTest, RefusesABoundThatLeavesTooFewDescriptors) {
  BoundedListenerOptions options;
  options.address = "127.0.0.1:0";
  options.max_connections = kMaxMaxConnections;
  options.log = [](Severity, absl::string_view) {};
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max > kMaxMaxConnections) {
    GTEST_SKIP() << "the hard file limit fits any bound";
  }
  absl::StatusOr<std::unique_ptr<BoundedListener>> listener =
      BoundedListener::Listen(std::move(options));
  EXPECT_EQ(listener.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StartsWith(listener.status().message(), "max_connections: "))
      << listener.status();
}

TEST(BoundedListenerTest, RefusesLimitsOutOfRangeNamingThem) {
  EXPECT_TRUE(absl::StartsWith(ValidateLimits(-1, absl::Seconds(5)).message(), "max_connections"));
  EXPECT_TRUE(
      absl::StartsWith(ValidateLimits(0, absl::Milliseconds(10)).message(), "handshake_timeout"));
  EXPECT_TRUE(
      absl::StartsWith(ValidateLimits(0, absl::Minutes(10)).message(), "handshake_timeout"));
  EXPECT_TRUE(ValidateLimits(0, absl::Seconds(5)).ok());
}

// A real gRPC server (plaintext: these tests are about connections, not TLS)
// behind a BoundedListener, recording what the listener reports.
class ListenedServer {
 public:
  explicit ListenedServer(int max_connections) {
    BoundedListenerOptions options;
    options.address = "127.0.0.1:0";
    options.max_connections = max_connections;
    // Long enough that no connection here ends by the timeout.
    options.handshake_timeout = absl::Seconds(120);
    options.on_accepting_changed = [this](bool accepting) {
      absl::MutexLock lock(&mu_);
      accepting_.push_back(accepting);
    };
    options.log = [this](Severity, absl::string_view message) {
      absl::MutexLock lock(&mu_);
      log_.emplace_back(message);
    };
    absl::StatusOr<std::unique_ptr<BoundedListener>> listener =
        BoundedListener::Listen(std::move(options));
    EXPECT_TRUE(listener.ok()) << listener.status();
    if (!listener.ok()) return;
    listener_ = std::move(*listener);
    grpc::ServerBuilder builder;
    listener_->AddTo(builder, grpc::InsecureServerCredentials());
    // gRPC builds no server without a polled service; this one answers
    // UNIMPLEMENTED to everything.
    builder.RegisterCallbackGenericService(&service_);
    server_ = builder.BuildAndStart();
    listener_->Start();
  }
  ~ListenedServer() {
    if (listener_ != nullptr) listener_->Stop();
    if (server_ != nullptr) server_->Shutdown(absl::ToChronoTime(absl::Now()));
  }

  bool started() const { return server_ != nullptr; }
  int port() const { return listener_->port(); }

  // True once the listener reported `accepting` after the report the last
  // call found; false after kPatience.
  bool AwaitAccepting(bool accepting) {
    absl::MutexLock lock(&mu_);
    auto reported = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      for (size_t i = next_; i < accepting_.size(); ++i) {
        if (accepting_[i] == accepting) return true;
      }
      return false;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&reported), kPatience)) return false;
    while (accepting_[next_] != accepting) ++next_;
    ++next_;
    return true;
  }

  bool Logged(absl::string_view text) {
    absl::MutexLock lock(&mu_);
    for (const std::string& line : log_) {
      if (absl::StrContains(line, text)) return true;
    }
    return false;
  }

 private:
  std::unique_ptr<BoundedListener> listener_;
  grpc::CallbackGenericService service_;
  std::unique_ptr<grpc::Server> server_;
  absl::Mutex mu_;
  std::vector<bool> accepting_ ABSL_GUARDED_BY(mu_);
  size_t next_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> log_ ABSL_GUARDED_BY(mu_);
};

// A blocking TCP connection to 127.0.0.1:`port`, or -1.
int Connect(int port) {
  int fd = TcpSocket();
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// True once the server closed `fd`; false after `timeout`.
bool ClosedByPeer(int fd, absl::Duration timeout) {
  pollfd readable{fd, POLLIN | POLLRDHUP, 0};
  if (poll(&readable, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) <= 0) return false;
  char byte;
  ssize_t got = recv(fd, &byte, 1, MSG_DONTWAIT);
  return got == 0 || (got < 0 && errno != EAGAIN);
}

// Opens `bound` + 2 connections: the first `bound` stay open (gRPC holds
// them, waiting for the HTTP/2 preface), the rest are closed at once.
void ExpectBoundHolds(ListenedServer& server, int bound) {
  std::vector<int> held;
  for (int i = 0; i < bound; ++i) held.push_back(Connect(server.port()));
  std::vector<int> beyond;
  for (int i = 0; i < 2; ++i) beyond.push_back(Connect(server.port()));
  for (int fd : beyond) {
    EXPECT_TRUE(ClosedByPeer(fd, kPatience)) << "a connection beyond the bound is closed at once";
    close(fd);
  }
  // Accepted in order: once those beyond were closed, these were handed over.
  for (int fd : held) {
    EXPECT_GE(fd, 0);
    EXPECT_FALSE(ClosedByPeer(fd, absl::ZeroDuration())) << "connections within the bound stay";
    close(fd);
  }
}

TEST(BoundedListenerTest, ClosesConnectionsBeyondTheBoundAndTakesNewOnesWhenRoomIsMade) {
  constexpr int kBound = 4;
  ListenedServer server(kBound);
  ASSERT_TRUE(server.started());
  ASSERT_TRUE(server.AwaitAccepting(true));

  ExpectBoundHolds(server, kBound);
  EXPECT_TRUE(server.AwaitAccepting(false));
  EXPECT_TRUE(server.Logged("at its bound of 4 connections"));

  EXPECT_TRUE(server.AwaitAccepting(true)) << "room made: accepting again";
  ExpectBoundHolds(server, kBound);
}

TEST(BoundedListenerTest, KeepsAcceptingAfterRunningOutOfDescriptors) {
  constexpr int kBound = 2;
  ListenedServer server(kBound);
  ASSERT_TRUE(server.started());
  ASSERT_TRUE(server.AwaitAccepting(true));

  // Use up every descriptor but one, under a lowered soft limit.
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  rlimit lowered = limit;
  lowered.rlim_cur = 512;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  std::vector<int> ballast;
  for (int fd; (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) ballast.push_back(fd);
  ASSERT_EQ(errno, EMFILE);
  close(ballast.back());
  ballast.pop_back();
  // The client takes the last descriptor: the listener's accept4 has none.
  int refused = Connect(server.port());
  ASSERT_GE(refused, 0);
  EXPECT_TRUE(ClosedByPeer(refused, kPatience))
      << "out of descriptors, the pending connection is closed, not left queued";
  EXPECT_TRUE(server.AwaitAccepting(false));
  EXPECT_TRUE(server.Logged("accept failed: Too many open files"));
  close(refused);

  for (int fd : ballast) close(fd);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
  EXPECT_TRUE(server.AwaitAccepting(true)) << "descriptors free again: accepting again";
  ExpectBoundHolds(server, kBound);
}

}  // namespace
}  // namespace wams::listener
