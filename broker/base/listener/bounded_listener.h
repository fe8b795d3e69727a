// bounded_listener.h: the TCP listener of a gRPC server that survives
// connection floods.
//
// gRPC 1.51's own listener stops accepting for good after one accept4 error
// other than EAGAIN/ECONNABORTED/EINTR (EMFILE when a flood of connections
// that never finish their TLS handshake uses up the descriptors): it logs
// "Failed accept4" and never re-arms, while the kernel keeps queueing
// connections nobody accepts. BoundedListener owns the listening sockets
// instead and accepts on its own thread:
//  - each accepted socket goes to gRPC through the external connection
//    acceptor (ServerBuilder::experimental().AddExternalConnectionAcceptor),
//    which runs gRPC's normal server handshake with the server's (mTLS)
//    credentials;
//  - at most `max_connections` accepted connections are open at once (see
//    connection_table.h for how the ones gRPC closed are noticed); beyond the
//    bound a new connection is accepted and closed at once, so the backlog
//    never fills and accepting resumes by itself when connections end;
//  - an accept error never stops it: EMFILE and ENFILE close the pending
//    connection through a reserve descriptor, every error backs off briefly
//    and retries, and the log says so at most every 10 s;
//  - a handshake that has not finished after `handshake_timeout` is closed
//    (gRPC's GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, 120 s by default);
//  - the soft RLIMIT_NOFILE is raised to the hard limit, and the default bound
//    keeps a quarter of it for everything else (storage, outgoing channels).
// `on_accepting_changed` tells the owner when new connections stop being
// taken (at the bound, or failing accepts) and when they are again, for its
// health status.
//
//   WAMS_ASSIGN_OR_RETURN(auto listener, BoundedListener::Listen(std::move(options)));
//   grpc::ServerBuilder builder;
//   listener->AddTo(builder, credentials);      // instead of AddListeningPort
//   interceptors.push_back(listener->NewCallPeerInterceptorFactory());  // optional
//   ... register services ...
//   std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
//   listener->Start();
//   ...
//   listener->Stop();                           // before server->Shutdown
//   server->Shutdown(deadline);
//
// Thread-safe: port(), max_connections() any time; AddTo, Start and Stop are
// called by the owner in that order (Stop is idempotent and also runs in the
// destructor). The callbacks run on the accept thread (the first
// on_accepting_changed on the thread that calls Start).
#ifndef WAMS_BROKER_BASE_LISTENER_BOUNDED_LISTENER_H_
#define WAMS_BROKER_BASE_LISTENER_BOUNDED_LISTENER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "broker/base/listener/connection_table.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/server_interceptor.h"

namespace wams::listener {

enum class Severity { kInfo, kWarning };

struct BoundedListenerOptions {
  // host:port to listen on, e.g. "127.0.0.1:7443" or "[::]:7443"; port 0 picks
  // a free port (see port()). Default: none, required.
  std::string address;
  // Most accepted connections open at once, handshaking or established, at
  // most kMaxMaxConnections. Default: 0, meaning three quarters of the open-file limit (after
  // raising the soft limit to the hard one), at most kDefaultMaxConnectionsCap.
  int max_connections = 0;
  // A connection whose TLS handshake has not finished after this is closed;
  // kMinHandshakeTimeout to kMaxHandshakeTimeout. Default: 5 s.
  absl::Duration handshake_timeout = absl::Seconds(5);
  // Told true when new connections are taken again, false when they are not
  // (at the bound, or accept failing); also once from Start(). Default: none.
  std::function<void(bool accepting)> on_accepting_changed;
  // Operational notices: the file limit and bound at start (kInfo); the
  // bound reached, accept errors, accepting again (kWarning), the repeating
  // ones at most every 10 s with a count. Default: stderr.
  std::function<void(Severity, absl::string_view)> log;
};

// The most connections the default bound allows, whatever the file limit: a
// connection in its TLS handshake costs gRPC about 50 KiB (measured: 12288
// unfinished handshakes, 660 MB RSS), so 4096 keep a flood near 200 MB while
// leaving room for many times the partner parties' channels.
inline constexpr int kDefaultMaxConnectionsCap = 4096;
// Descriptors max_connections must leave for everything else.
inline constexpr int kMinFileHeadroom = 64;

// The ranges a config may set, checked here for the config loaders too, so
// a mistake stops start-up naming the field: INVALID_ARGUMENT
// "max_connections: ..." or "handshake_timeout: ..." (the caller puts the
// config's path in front).
inline constexpr int kMaxMaxConnections = 1'000'000;
inline constexpr absl::Duration kMinHandshakeTimeout = absl::Seconds(1);
inline constexpr absl::Duration kMaxHandshakeTimeout = absl::Seconds(120);
absl::Status ValidateLimits(int64_t max_connections, absl::Duration handshake_timeout);

class BoundedListener {
 public:
  // Raises the soft open-file limit, binds and listens on options.address.
  // INVALID_ARGUMENT for a malformed address or limits out of range
  // (ValidateLimits); FAILED_PRECONDITION when
  // max_connections leaves fewer than kMinFileHeadroom descriptors of the
  // open-file limit; UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<BoundedListener>> Listen(BoundedListenerOptions options);

  ~BoundedListener();  // Stop()
  BoundedListener(const BoundedListener&) = delete;
  BoundedListener& operator=(const BoundedListener&) = delete;

  // Adds the external connection acceptor for `credentials` and the
  // handshake timeout to `builder`. Once, before builder.BuildAndStart().
  void AddTo(grpc::ServerBuilder& builder, std::shared_ptr<grpc::ServerCredentials> credentials);
  // Starts accepting. Once, after the server built by AddTo's builder started.
  void Start();
  // Stops accepting and closes the listening sockets; connections already
  // handed over stay the server's. Call before grpc::Server::Shutdown: gRPC
  // neither serves nor closes a connection handed to a server that shut down.
  void Stop();

  // The bound port.
  int port() const { return port_; }
  // The bound in force (options.max_connections or the default).
  int max_connections() const { return max_connections_; }
  // Connections open as of the last accept or sweep (it may still count
  // some that closed since the last sweep, a few seconds at most), for
  // metrics. Any thread.
  int open_connections() const { return open_connections_.load(std::memory_order_relaxed); }
  // Of those, the ones that have not carried a call as of the last sweep:
  // mostly TLS handshakes in progress (a gRPC client connects for its first
  // call), or a client connected but not calling yet. Counted only when the
  // server has NewCallPeerInterceptorFactory()'s interceptor; without it
  // every connection counts. Any thread.
  int handshaking_connections() const {
    return handshaking_connections_.load(std::memory_order_relaxed);
  }
  // An interceptor for the server's SetInterceptorCreators that tells this
  // listener which connections carried a call (call_peers.h). Before
  // builder.BuildAndStart(); it may outlive the listener.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  NewCallPeerInterceptorFactory() const;
  // Connections closed at once because the bound was reached, since start.
  // Any thread.
  uint64_t refused_at_bound_total() const {
    return refused_at_bound_total_.load(std::memory_order_relaxed);
  }

 private:
  BoundedListener(BoundedListenerOptions options, std::vector<int> listen_fds, int port,
                  int max_connections);

  void Run();
  // Accepts what is pending on `listen_fd`, a batch at most.
  void AcceptPending(int listen_fd);
  void HandOver(int listen_fd, int fd);
  // Accepts and closes one pending connection when out of descriptors.
  void RefuseWithReserve(int listen_fd);
  void OnAcceptError(int error);
  void SweepIfDue(absl::Time now, absl::Duration interval);
  void UpdateAccepting();
  // Publishes the table's counts for the metrics.
  void PublishCounts();
  void Log(Severity severity, absl::string_view message) const;
  // True (and `last` set to now) when a repeating notice is due.
  static bool Due(absl::Time& last, absl::Time now);

  const BoundedListenerOptions options_;
  const std::vector<int> listen_fds_;
  const int port_;
  const int max_connections_;
  // Woken by Stop().
  int wake_fd_ = -1;
  // Kept open to be closed when accept4 reports EMFILE, so the pending
  // connection can be taken off the queue and closed.
  int reserve_fd_ = -1;
  std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor_;
  std::thread thread_;
  std::atomic<bool> stopped_{false};
  std::atomic<int> open_connections_{0};
  std::atomic<int> handshaking_connections_{0};
  std::atomic<uint64_t> refused_at_bound_total_{0};

  // Accept thread only.
  ConnectionTable connections_;
  bool saturated_ = false;  // reached the bound, not yet back under 90% of it
  bool failing_ = false;    // the last accept failed for lack of resources
  bool accepting_ = true;   // as last told to on_accepting_changed
  absl::Time retry_after_ = absl::InfinitePast();
  absl::Time last_sweep_ = absl::InfinitePast();
  absl::Time last_bound_log_ = absl::InfinitePast();
  absl::Time last_error_log_ = absl::InfinitePast();
  int64_t refused_at_bound_ = 0;  // since the last log line
  int64_t accept_errors_ = 0;     // since the last log line
};

}  // namespace wams::listener

#endif  // WAMS_BROKER_BASE_LISTENER_BOUNDED_LISTENER_H_
