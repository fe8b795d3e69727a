#include "broker/base/metrics/metrics_endpoint.h"

#include <exception>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wams::metrics {

MetricsEndpoint::MetricsEndpoint() : registry_(std::make_shared<prometheus::Registry>()) {
  collectables_.push_back(registry_);
}

MetricsEndpoint::~MetricsEndpoint() = default;

void MetricsEndpoint::Register(std::shared_ptr<prometheus::Collectable> collectable) {
  if (exposer_ != nullptr) exposer_->RegisterCollectable(collectable);
  collectables_.push_back(std::move(collectable));
}

absl::Status CheckMetricsAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError("must be host:port with a port in 0..65535");
  }
  return absl::OkStatus();
}

absl::Status MetricsEndpoint::Listen(const std::string& address) {
  if (absl::Status valid = CheckMetricsAddress(address); !valid.ok()) return valid;
  int port = 0;
  (void)absl::SimpleAtoi(address.substr(address.rfind(':') + 1), &port);
  try {
    // Two threads: a scrape is short, and a second scraper must not wait.
    exposer_ = std::make_unique<prometheus::Exposer>(address, 2);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", e.what()));
  }
  for (const auto& collectable : collectables_) exposer_->RegisterCollectable(collectable);
  std::vector<int> ports = exposer_->GetListeningPorts();
  port_ = ports.empty() ? port : ports.front();
  return absl::OkStatus();
}

}  // namespace wams::metrics
