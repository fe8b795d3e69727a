// serving_status.h: the broker's grpc.health.v1 status, from the conditions
// that each stop it serving.
//
// SERVING only while the receipt log can write (a full disk makes the ledger
// report otherwise, broker/ledger/README.md) and the listener takes new
// connections (not at limits.max_connections, accept not failing,
// broker/listener/README.md). Each condition is reported on its own thread;
// the health service is told the conjunction.
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

class ServingStatus {
 public:
  // Tells `health` the current status now and every change from now on;
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
