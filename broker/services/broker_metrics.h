// broker_metrics.h: the broker's Prometheus metrics (README.md, "Metrics").
//
// The edge where the broker's parts meet prometheus-cpp: the cores know
// nothing of it. The ledger reports through its LedgerObserver seam, provider
// calls through MeteredProviderTransport (metered_provider_transport.h), gRPC
// calls through an interceptor (broker/base/metrics/grpc_call_metrics.h), and the
// state that already lives in the parts (tree size, writer role, free space,
// admission counters, open connections) is read at scrape time.
//
// Labels are bounded: service, method and code; receipt kind, outcome and
// rule id; party OINs from the registry. Never a BSN, pseudonym, case id or
// request id.
//
//   BrokerMetrics metrics;
//   options.observer = &metrics;                  // the ledger's
//   ... metrics.Watch(parts) once they exist ...
//   WAMS_RETURN_IF_ERROR(metrics.endpoint().Listen(config.metrics_address()));
//
// Thread-safe; it must outlive the ledger and the transport it observes.
#ifndef WAMS_BROKER_SERVICES_BROKER_METRICS_H_
#define WAMS_BROKER_SERVICES_BROKER_METRICS_H_

#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "broker/base/listener/bounded_listener.h"
#include "broker/base/metrics/grpc_call_metrics.h"
#include "broker/base/metrics/metrics_endpoint.h"
#include "broker/ledger/store/ledger.h"
#include "broker/ledger/store/ledger_observer.h"
#include "broker/retention/retention_job.h"
#include "broker/services/admission.h"
#include "broker/storage/backend.h"
#include "broker/witnessing/witness_pusher.h"
#include "grpcpp/support/status.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"

namespace wams::services {

// What the scrape-time gauges read; all borrowed, must outlive the metrics
// endpoint's last scrape (BrokerServer stops the endpoint first).
struct WatchedParts {
  const ledger::store::Ledger* ledger = nullptr;
  const storage::Backend* storage = nullptr;
  // The RocksDB directory whose free space is shown; empty for PostgreSQL.
  std::string rocksdb_dir;
  const Admission* admission = nullptr;
  // The registered parties (bounded by the config): admission is shown per party.
  std::vector<std::string> party_oins;
  const listener::BoundedListener* listener = nullptr;
  // The retention job, when it runs (broker/retention); null: no gauges.
  const retention::RetentionJob* retention = nullptr;
  // The witnesses the broker pushes checkpoints to (bounded by the config).
  const witnessing::WitnessPusher* witnesses = nullptr;
};

class BrokerMetrics : public ledger::store::LedgerObserver {
 public:
  BrokerMetrics();

  metrics::MetricsEndpoint& endpoint() { return endpoint_; }
  metrics::GrpcCallMetrics& calls() { return calls_; }

  // Adds the gauges read at scrape time. Once.
  void Watch(const WatchedParts& parts);

  // One provider call to the party with `oin` (a registered party) ended
  // with `code` after `latency`.
  void ObserveProviderCall(const std::string& oin, absl::StatusCode code, absl::Duration latency);

  // LedgerObserver.
  void OnGroupCommitted(absl::Duration write_time,
                        std::span<const ledger::store::CommittedReceipt> receipts) override;
  void OnCheckpointStored(uint64_t tree_size) override;

 private:
  metrics::MetricsEndpoint endpoint_;
  metrics::GrpcCallMetrics calls_;
  prometheus::Family<prometheus::Counter>& receipts_;
  prometheus::Family<prometheus::Counter>& failed_rules_;
  prometheus::Histogram& append_seconds_;
  prometheus::Histogram& commit_seconds_;
  prometheus::Histogram& commit_receipts_;
  prometheus::Family<prometheus::Histogram>& provider_seconds_;
  prometheus::Family<prometheus::Counter>& provider_calls_;
  // absl::ToUnixNanos of the latest stored checkpoint, or of the start.
  std::atomic<int64_t> checkpoint_unix_nanos_;
};

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_BROKER_METRICS_H_
