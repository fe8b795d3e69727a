// metrics_endpoint.h: the Prometheus endpoint of a broker or adapter, on its
// own listener (not the mTLS gRPC port: Prometheus scrapes plain HTTP, and the
// metrics hold no personal data, only bounded labels).
//
// The registry exists before the endpoint listens, so the parts that count
// can be wired while the server is built; Listen() then serves
// GET /metrics on the address.
//
//   MetricsEndpoint metrics;
//   prometheus::Counter& c = prometheus::BuildCounter().Name("wams_x_total")
//                                .Help("...").Register(metrics.registry()).Add({});
//   WAMS_RETURN_IF_ERROR(metrics.Listen("127.0.0.1:9464"));
//
// Thread-safe once Listen has returned; Listen and Register are called by
// the owner before serving.
#ifndef WAMS_BROKER_BASE_METRICS_METRICS_ENDPOINT_H_
#define WAMS_BROKER_BASE_METRICS_METRICS_ENDPOINT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "prometheus/collectable.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"

namespace wams::metrics {

// OK when `address` is host:port with a port in 0..65535, else
// INVALID_ARGUMENT (for config validation; Listen checks the same).
absl::Status CheckMetricsAddress(const std::string& address);

class MetricsEndpoint {
 public:
  MetricsEndpoint();
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  // Where counters, gauges and histograms are made.
  prometheus::Registry& registry() { return *registry_; }

  // Also serves what `collectable` collects (kept alive by the endpoint).
  void Register(std::shared_ptr<prometheus::Collectable> collectable);

  // Serves GET /metrics on `address` ("host:port"; port 0 picks a free one,
  // see port()). INVALID_ARGUMENT for an address without a port,
  // UNAVAILABLE when it cannot be bound. Once.
  absl::Status Listen(const std::string& address);

  // Stops serving; waits for a scrape in progress. Idempotent.
  void Stop() { exposer_.reset(); }

  // The bound port; 0 before Listen.
  int port() const { return port_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace wams::metrics

#endif  // WAMS_BROKER_BASE_METRICS_METRICS_ENDPOINT_H_
