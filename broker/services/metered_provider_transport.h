// metered_provider_transport.h: a ProviderTransport that times every provider
// call for the broker's metrics (wams_provider_call_seconds and
// wams_provider_calls_total, by provider OIN), then hands it to the real
// transport. The exchange core sees the same seam as before.
//
//   MeteredProviderTransport metered(*grpc_transport, metrics);
//   ExchangeDeps{.transport = &metered, ...}
//
// Thread-safe like the transport it wraps; both borrowed, must outlive it.
#ifndef WAMS_BROKER_SERVICES_METERED_PROVIDER_TRANSPORT_H_
#define WAMS_BROKER_SERVICES_METERED_PROVIDER_TRANSPORT_H_

#include "broker/routing/provider_transport.h"
#include "broker/services/broker_metrics.h"

namespace wams::services {

class MeteredProviderTransport : public routing::ProviderTransport {
 public:
  MeteredProviderTransport(routing::ProviderTransport& inner, BrokerMetrics& metrics)
      : inner_(inner), metrics_(metrics) {}

  void Deliver(const v1::Party& provider, const v1::ProviderRequest& request,
               absl::Duration deadline, Done done) override;

 private:
  routing::ProviderTransport& inner_;
  BrokerMetrics& metrics_;
};

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_METERED_PROVIDER_TRANSPORT_H_
