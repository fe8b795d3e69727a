// serving_status.h: the broker's grpc.health.v1 statuses, from the conditions
// that each stop it serving.
//
// Readiness, per service name (what a load balancer or a client asks):
//   ""  and the three services that append receipts
//   (wams.broker.v1.ExchangeService, CaseService, ConferenceService):
//       SERVING only while the receipt log can write (a full disk, or a
//       broker that is not the writer, makes the ledger report otherwise,
//       broker/ledger/README.md) and the listener takes new connections (not
//       at limits.max_connections, accept not failing,
//       broker/base/listener/README.md);
//   wams.broker.v1.AuditService: SERVING while the listener takes new
//       connections, whatever the log: its reads and proofs are served by a
//       standby and during a full disk too.
// Liveness, apart from readiness: "liveness" is SERVING as long as the
// process runs and its server answers, so a full disk or a standby is not
// ready but is not restarted either (deploy/container/wams-healthcheck
// --alive asks it).
//
//   ServingStatus serving;
//   ... serving.SetListenerAccepting(false) may come before Attach ...
//   serving.Attach(server->GetHealthCheckService());
//   ledger.SetHealthObserver([&](const absl::Status& s) { serving.SetLogWritable(s.ok()); });
//   ...
//   serving.Detach();   // before the server shuts down
//
// Thread-safe.
#ifndef WAMS_BROKER_SERVICES_SERVING_STATUS_H_
#define WAMS_BROKER_SERVICES_SERVING_STATUS_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/health_check_service_interface.h"

namespace wams::services {

// The health service name a liveness probe asks.
inline constexpr char kLivenessService[] = "liveness";

class ServingStatus {
 public:
  // Tells `health` the current statuses now and every change from now on;
  // `health` must outlive Detach().
  void Attach(grpc::HealthCheckServiceInterface* health);
  // Stops telling the health service anything.
  void Detach();

  void SetLogWritable(bool writable);
  void SetListenerAccepting(bool accepting);

 private:
  void PublishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  grpc::HealthCheckServiceInterface* health_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool log_writable_ ABSL_GUARDED_BY(mu_) = true;
  bool listener_accepting_ ABSL_GUARDED_BY(mu_) = true;
};

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_SERVING_STATUS_H_
