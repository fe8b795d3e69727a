#include "broker/services/serving_status.h"

namespace wams::services {

void ServingStatus::Attach(grpc::HealthCheckServiceInterface* health) {
  absl::MutexLock lock(&mu_);
  health_ = health;
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
  if (health_ != nullptr) health_->SetServingStatus(log_writable_ && listener_accepting_);
}

}  // namespace wams::services
