#include "broker/services/serving_status.h"

namespace wams::services {
namespace {

// The services that append receipts: not ready while the log cannot write.
constexpr const char* kWritingServices[] = {
    "",
    "wams.broker.v1.ExchangeService",
    "wams.broker.v1.CaseService",
    "wams.broker.v1.ConferenceService",
};
// Reads and proofs: ready while connections are taken, whatever the log.
constexpr char kReadingService[] = "wams.broker.v1.AuditService";

}  // namespace

void ServingStatus::Attach(grpc::HealthCheckServiceInterface* health) {
  absl::MutexLock lock(&mu_);
  health_ = health;
  if (health_ != nullptr) health_->SetServingStatus(kLivenessService, true);
  PublishLocked();
}

void ServingStatus::Detach() {
  absl::MutexLock lock(&mu_);
  health_ = nullptr;
}

void ServingStatus::SetLogWritable(bool writable) {
  absl::MutexLock lock(&mu_);
  log_writable_ = writable;
  PublishLocked();
}

void ServingStatus::SetListenerAccepting(bool accepting) {
  absl::MutexLock lock(&mu_);
  listener_accepting_ = accepting;
  PublishLocked();
}

// Under the lock, so two conditions changing at once reach the health
// service in the order they were decided.
void ServingStatus::PublishLocked() {
  if (health_ == nullptr) return;
  for (const char* service : kWritingServices) {
    health_->SetServingStatus(service, log_writable_ && listener_accepting_);
  }
  health_->SetServingStatus(kReadingService, listener_accepting_);
}

}  // namespace wams::services
