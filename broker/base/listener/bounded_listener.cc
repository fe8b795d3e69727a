#include "broker/base/listener/bounded_listener.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/base/listener/file_limit.h"
#include "broker/base/listener/listen_socket.h"

namespace wams::listener {
namespace {

// Connections taken per wake-up of one listening socket before the loop
// looks at the others and at the sweep again.
constexpr int kAcceptBatch = 64;
// After an accept error: how long to wait before trying again.
constexpr absl::Duration kRetryDelay = absl::Milliseconds(100);
// How often the table is swept: often while the bound or an error keeps new
// connections out (to take them again soon after room is made), rarely when
// idle (a sweep is one fstat per open connection).
constexpr absl::Duration kBusySweepInterval = absl::Milliseconds(100);
constexpr absl::Duration kIdleSweepInterval = absl::Seconds(1);
// Repeating notices (refused at the bound, accept errors) at most this often.
constexpr absl::Duration kNoticeInterval = absl::Seconds(10);

int Milliseconds(absl::Duration duration) {
  return static_cast<int>(std::clamp<int64_t>(
      absl::ToInt64Milliseconds(absl::Ceil(duration, absl::Milliseconds(1))), 0, INT_MAX));
}

int ClampToInt(uint64_t value) { return static_cast<int>(std::min<uint64_t>(value, INT_MAX)); }

// Errors accept4 returns for a connection that failed before it was taken
// (accept(2), "Error handling"): the next one may be fine.
bool IsTransientAcceptError(int error) {
  switch (error) {
    case EINTR:
    case ECONNABORTED:
    case EPROTO:
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
    case EPERM:  // refused by a firewall rule
      return true;
    default:
      return false;
  }
}

void LogToStderr(Severity severity, absl::string_view message) {
  std::string line =
      absl::StrCat(severity == Severity::kWarning ? "WARNING " : "INFO ", message, "\n");
  (void)!write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace

absl::Status ValidateLimits(int64_t max_connections, absl::Duration handshake_timeout) {
  if (max_connections < 0 || max_connections > kMaxMaxConnections) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_connections: must be 0 (three quarters of the open-file limit) or 1 to ",
                     kMaxMaxConnections));
  }
  if (handshake_timeout < kMinHandshakeTimeout || handshake_timeout > kMaxHandshakeTimeout) {
    return absl::InvalidArgumentError(
        absl::StrCat("handshake_timeout: must be ", absl::FormatDuration(kMinHandshakeTimeout),
                     " to ", absl::FormatDuration(kMaxHandshakeTimeout)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<BoundedListener>> BoundedListener::Listen(
    BoundedListenerOptions options) {
  if (options.address.empty()) return absl::InvalidArgumentError("address: required");
  if (absl::Status valid = ValidateLimits(options.max_connections, options.handshake_timeout);
      !valid.ok()) {
    return valid;
  }
  if (!options.log) options.log = LogToStderr;

  FileLimit limit = RaiseOpenFileLimit();
  int files = ClampToInt(limit.soft);
  int max_connections = options.max_connections;
  if (max_connections == 0) {
    max_connections =
        std::clamp(std::min(files / 4 * 3, files - kMinFileHeadroom), 1, kDefaultMaxConnectionsCap);
  } else if (max_connections > files - kMinFileHeadroom) {
    return absl::FailedPreconditionError(
        absl::StrCat("max_connections: ", max_connections, " leaves fewer than ", kMinFileHeadroom,
                     " of the process's ", files,
                     " open files for storage and outgoing channels; raise the hard limit "
                     "(LimitNOFILE, ulimit -Hn) or lower max_connections"));
  }

  absl::StatusOr<ListenSockets> sockets = ListenOn(options.address);
  if (!sockets.ok()) return sockets.status();
  std::unique_ptr<BoundedListener> listener(new BoundedListener(
      std::move(options), std::move(sockets->fds), sockets->port, max_connections));
  if (listener->wake_fd_ < 0) {
    return absl::UnavailableError(absl::StrCat("listener: eventfd: ", std::strerror(errno)));
  }
  listener->Log(Severity::kInfo,
                absl::StrCat("listener on port ", listener->port_, ": open files ", files,
                             limit.soft != limit.soft_before
                                 ? absl::StrCat(" (soft limit raised from ", limit.soft_before, ")")
                                 : "",
                             ", hard limit ",
                             limit.hard == RLIM_INFINITY ? "unlimited" : absl::StrCat(limit.hard),
                             "; at most ", max_connections, " connections, handshake timeout ",
                             absl::FormatDuration(listener->options_.handshake_timeout)));
  return listener;
}

BoundedListener::BoundedListener(BoundedListenerOptions options, std::vector<int> listen_fds,
                                 int port, int max_connections)
    : options_(std::move(options)),
      listen_fds_(std::move(listen_fds)),
      port_(port),
      max_connections_(max_connections),
      wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      reserve_fd_(open("/dev/null", O_RDONLY | O_CLOEXEC)) {}

BoundedListener::~BoundedListener() { Stop(); }

void BoundedListener::AddTo(grpc::ServerBuilder& builder,
                            std::shared_ptr<grpc::ServerCredentials> credentials) {
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             Milliseconds(options_.handshake_timeout));
  acceptor_ = builder.experimental().AddExternalConnectionAcceptor(
      grpc::ServerBuilder::experimental_type::ExternalConnectionType::FROM_FD,
      std::move(credentials));
}

void BoundedListener::Start() {
  if (options_.on_accepting_changed) options_.on_accepting_changed(true);
  thread_ = std::thread([this] { Run(); });
}

void BoundedListener::Stop() {
  if (stopped_.exchange(true)) return;
  if (thread_.joinable()) {
    uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof(one));
    thread_.join();
  }
  for (int fd : listen_fds_) close(fd);
  if (wake_fd_ >= 0) close(wake_fd_);
  if (reserve_fd_ >= 0) close(reserve_fd_);
}

void BoundedListener::Run() {
  std::vector<pollfd> polled(listen_fds_.size() + 1);
  polled[0] = pollfd{wake_fd_, POLLIN, 0};
  while (!stopped_.load()) {
    absl::Time now = absl::Now();
    bool backing_off = now < retry_after_;
    for (size_t i = 0; i < listen_fds_.size(); ++i) {
      // While backing off the listening sockets are not watched, or poll
      // would return at once for the connections still queued.
      polled[i + 1] = pollfd{listen_fds_[i], static_cast<short>(backing_off ? 0 : POLLIN), 0};
    }
    absl::Duration wait = backing_off                ? retry_after_ - now
                          : (saturated_ || failing_) ? kBusySweepInterval
                                                     : kIdleSweepInterval;
    if (poll(polled.data(), polled.size(), std::max(1, Milliseconds(wait))) < 0 && errno != EINTR) {
      OnAcceptError(errno);
      continue;
    }
    if (stopped_.load()) return;
    // Reopened here when RefuseWithReserve lost the descriptor to another
    // thread, so the next EMFILE can drain the queue again.
    if (reserve_fd_ < 0) reserve_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
    now = absl::Now();
    SweepIfDue(now, (saturated_ || failing_) ? kBusySweepInterval : kIdleSweepInterval);
    if (now >= retry_after_) {
      for (size_t i = 0; i < listen_fds_.size(); ++i) {
        // After an error, try again even with nothing pending: EAGAIN shows
        // accepting works again.
        if ((polled[i + 1].revents & POLLIN) != 0 || failing_) AcceptPending(listen_fds_[i]);
      }
    }
    UpdateAccepting();
  }
}

void BoundedListener::AcceptPending(int listen_fd) {
  for (int i = 0; i < kAcceptBatch; ++i) {
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      failing_ = false;
      HandOver(listen_fd, fd);
      continue;
    }
    int error = errno;
    if (error == EAGAIN || error == EWOULDBLOCK) {
      failing_ = false;
      return;
    }
    if (IsTransientAcceptError(error)) continue;
    if (error == EMFILE || error == ENFILE) RefuseWithReserve(listen_fd);
    OnAcceptError(error);
    return;
  }
}

void BoundedListener::HandOver(int listen_fd, int fd) {
  if (acceptor_ == nullptr) {  // AddTo was not called: there is no server to hand it to
    close(fd);
    return;
  }
  if (connections_.size() >= static_cast<size_t>(max_connections_)) {
    // Connections gRPC closed since the last sweep make room.
    SweepIfDue(absl::Now(), kBusySweepInterval);
  }
  if (connections_.size() >= static_cast<size_t>(max_connections_)) {
    // Closed at once rather than left queued: the backlog stays free, and
    // the client sees the refusal instead of a silent hang.
    close(fd);
    saturated_ = true;
    ++refused_at_bound_;
    refused_at_bound_total_.fetch_add(1, std::memory_order_relaxed);
    if (Due(last_bound_log_, absl::Now())) {
      Log(Severity::kWarning,
          absl::StrCat("listener on port ", port_, " at its bound of ", max_connections_,
                       " connections: closed ", refused_at_bound_,
                       " new connections at once (max_connections)"));
      refused_at_bound_ = 0;
    }
    return;
  }
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  connections_.Add(fd);
  PublishCounts();
  if (connections_.size() >= static_cast<size_t>(max_connections_)) saturated_ = true;
  grpc::experimental::ExternalConnectionAcceptor::NewConnectionParameters connection;
  connection.listener_fd = listen_fd;
  connection.fd = fd;
  acceptor_->HandleNewConnection(&connection);  // gRPC owns fd from here
}

void BoundedListener::RefuseWithReserve(int listen_fd) {
  if (reserve_fd_ < 0) return;
  close(reserve_fd_);
  int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd >= 0) close(fd);
  reserve_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void BoundedListener::OnAcceptError(int error) {
  failing_ = true;
  absl::Time now = absl::Now();
  retry_after_ = now + kRetryDelay;
  ++accept_errors_;
  if (Due(last_error_log_, now)) {
    Log(Severity::kWarning,
        absl::StrCat("listener on port ", port_, ": accept failed: ", std::strerror(error), "; ",
                     accept_errors_, " failures since the last notice, retrying every ",
                     absl::FormatDuration(kRetryDelay)));
    accept_errors_ = 0;
  }
}

void BoundedListener::SweepIfDue(absl::Time now, absl::Duration interval) {
  if (now - last_sweep_ < interval) return;
  connections_.Sweep();
  PublishCounts();
  last_sweep_ = now;
  // Not back to accepting at the first free slot: at the bound under a flood
  // that would flap with every connection that times out.
  if (saturated_ && connections_.size() <= static_cast<size_t>(max_connections_) * 9 / 10) {
    saturated_ = false;
  }
}

void BoundedListener::PublishCounts() {
  open_connections_.store(static_cast<int>(connections_.size()), std::memory_order_relaxed);
  handshaking_connections_.store(static_cast<int>(connections_.handshaking()),
                                 std::memory_order_relaxed);
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
BoundedListener::NewCallPeerInterceptorFactory() const {
  // The table's CallPeers is thread-safe, and shared with the interceptor.
  return listener::NewCallPeerInterceptorFactory(connections_.peers());
}

void BoundedListener::UpdateAccepting() {
  bool accepting = !saturated_ && !failing_;
  if (accepting == accepting_) return;
  accepting_ = accepting;
  Log(Severity::kWarning,
      accepting ? absl::StrCat("listener on port ", port_, ": accepting again, ",
                               connections_.size(), " connections open")
                : absl::StrCat("listener on port ", port_, ": not accepting new connections (",
                               saturated_ ? "at its bound" : "accept failing", ")"));
  if (options_.on_accepting_changed) options_.on_accepting_changed(accepting);
}

void BoundedListener::Log(Severity severity, absl::string_view message) const {
  options_.log(severity, message);
}

bool BoundedListener::Due(absl::Time& last, absl::Time now) {
  if (now - last < kNoticeInterval) return false;
  last = now;
  return true;
}

}  // namespace wams::listener
