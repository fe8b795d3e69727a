#include "broker/services/metered_provider_transport.h"

#include <string>
#include <utility>

namespace wams::services {

void MeteredProviderTransport::Deliver(const v1::Party& provider,
                                       const v1::ProviderRequest& request, absl::Duration deadline,
                                       Done done) {
  inner_.Deliver(provider, request, deadline,
                 [this, oin = provider.oin(), start = absl::Now(),
                  done = std::move(done)](absl::StatusOr<v1::ProviderResponse> answer) mutable {
                   metrics_.ObserveProviderCall(oin, answer.status().code(), absl::Now() - start);
                   std::move(done)(std::move(answer));
                 });
}

}  // namespace wams::services
