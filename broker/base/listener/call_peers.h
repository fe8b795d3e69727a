// call_peers.h: which accepted connections have carried a call, told by the
// server's call path to the listener's connection table.
//
// The listener knows a connection from its accept until gRPC closes it, but
// not whether its TLS handshake finished: gRPC says nothing of that. A call
// does tell: a call arrives only on a connection whose handshake is done
// (and a gRPC client connects for its first call, so a connection that has
// carried none is almost always one still in its handshake). The
// connection table watches the peer address of each connection it holds
// ("ipv4:127.0.0.1:41234", "ipv6:[::1]:41234", as grpc::ServerContext::peer()
// spells it); the interceptor reports each call's peer; the table takes the
// reported ones at its sweep.
//
//   CallPeers peers;
//   peers.Watch("ipv4:127.0.0.1:41234");           // accept thread, at accept
//   peers.Report(context->peer());                  // any thread, per call
//   for (const std::string& peer : peers.TakeSeen()) ...   // accept thread, at sweep
//   peers.Unwatch("ipv4:127.0.0.1:41234");         // when the connection is gone
//
// Bounded whatever clients do: only watched peers are remembered (a report
// of any other peer is dropped), and the table watches only the connections
// it holds, at most the listener's bound. Two connections open at once from
// one peer address (possible only on two listening addresses) are one entry.
//
// Thread-safe.
#ifndef WAMS_BROKER_BASE_LISTENER_CALL_PEERS_H_
#define WAMS_BROKER_BASE_LISTENER_CALL_PEERS_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/server_interceptor.h"

namespace wams::listener {

class CallPeers {
 public:
  // Remembers `peer` until it carries a call or is unwatched.
  void Watch(std::string peer);
  // Forgets `peer`, whether it carried a call or not.
  void Unwatch(const std::string& peer);
  // A call arrived from `peer`; nothing happens unless it is watched.
  void Report(absl::string_view peer);
  // True while some peer is watched: the call path skips Report (and making
  // the peer string) when none is, as under steady load.
  bool watching() const { return watched_count_.load(std::memory_order_relaxed) > 0; }
  // The watched peers reported since the last TakeSeen, no longer watched.
  std::vector<std::string> TakeSeen();

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::string> watched_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> seen_ ABSL_GUARDED_BY(mu_);
  std::atomic<size_t> watched_count_{0};
};

// A server interceptor reporting the peer of every call to `peers`, for
// ServerBuilder::experimental().SetInterceptorCreators. It keeps `peers`
// alive.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewCallPeerInterceptorFactory(std::shared_ptr<CallPeers> peers);

// The peer address of the connected socket `fd` as gRPC spells a call's
// peer ("ipv4:ADDR:PORT", "ipv6:[ADDR]:PORT"; an IPv4-mapped IPv6 address as
// IPv4), or "" when it has none. A link-local IPv6 peer's scope id is left
// out, so its connection is never seen to carry a call; partners do not
// reach a broker over link-local addresses.
std::string PeerOf(int fd);

}  // namespace wams::listener

#endif  // WAMS_BROKER_BASE_LISTENER_CALL_PEERS_H_
