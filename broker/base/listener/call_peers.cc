#include "broker/base/listener/call_peers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/server_context.h"

namespace wams::listener {
namespace {

namespace hooks = grpc::experimental;

class CallPeerInterceptor : public hooks::Interceptor {
 public:
  CallPeerInterceptor(CallPeers& peers, hooks::ServerRpcInfo* info) : peers_(peers), info_(info) {}

  void Intercept(hooks::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            hooks::InterceptionHookPoints::POST_RECV_INITIAL_METADATA) &&
        peers_.watching()) {
      if (grpc::ServerContextBase* context = info_->server_context(); context != nullptr) {
        peers_.Report(context->peer());
      }
    }
    methods->Proceed();
  }

 private:
  CallPeers& peers_;
  hooks::ServerRpcInfo* const info_;
};

class CallPeerInterceptorFactory : public hooks::ServerInterceptorFactoryInterface {
 public:
  explicit CallPeerInterceptorFactory(std::shared_ptr<CallPeers> peers)
      : peers_(std::move(peers)) {}
  hooks::Interceptor* CreateServerInterceptor(hooks::ServerRpcInfo* info) override {
    return new CallPeerInterceptor(*peers_, info);
  }

 private:
  const std::shared_ptr<CallPeers> peers_;
};

}  // namespace

void CallPeers::Watch(std::string peer) {
  absl::MutexLock lock(&mu_);
  watched_.insert(std::move(peer));
  watched_count_.store(watched_.size(), std::memory_order_relaxed);
}

void CallPeers::Unwatch(const std::string& peer) {
  absl::MutexLock lock(&mu_);
  watched_.erase(peer);
  seen_.erase(std::remove(seen_.begin(), seen_.end(), peer), seen_.end());
  watched_count_.store(watched_.size(), std::memory_order_relaxed);
}

void CallPeers::Report(absl::string_view peer) {
  absl::MutexLock lock(&mu_);
  auto it = watched_.find(peer);
  if (it == watched_.end()) return;
  seen_.push_back(std::move(watched_.extract(it).value()));
  watched_count_.store(watched_.size(), std::memory_order_relaxed);
}

std::vector<std::string> CallPeers::TakeSeen() {
  absl::MutexLock lock(&mu_);
  return std::exchange(seen_, {});
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewCallPeerInterceptorFactory(std::shared_ptr<CallPeers> peers) {
  return std::make_unique<CallPeerInterceptorFactory>(std::move(peers));
}

std::string PeerOf(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "";
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    if (inet_ntop(AF_INET, &v4.sin_addr, text, sizeof(text)) == nullptr) return "";
    return absl::StrCat("ipv4:", text, ":", ntohs(v4.sin_port));
  }
  if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    // gRPC names an IPv4 client of a dual-stack socket by its IPv4 address.
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
      if (inet_ntop(AF_INET, &v6.sin6_addr.s6_addr[12], text, sizeof(text)) == nullptr) return "";
      return absl::StrCat("ipv4:", text, ":", ntohs(v6.sin6_port));
    }
    if (inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof(text)) == nullptr) return "";
    return absl::StrCat("ipv6:[", text, "]:", ntohs(v6.sin6_port));
  }
  return "";
}

}  // namespace wams::listener
