#include "broker/rest/rest_metrics.h"

#include "absl/strings/str_cat.h"

namespace wams::rest {
namespace {

std::string LabelOf(const Route& route) {
  return absl::StrCat(route.method->service()->name(), "/", route.method->name());
}

// From 1 ms to 10 s: a call that waits for a provider takes up to its deadline.
prometheus::Histogram::BucketBoundaries Buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace

RestMetrics::RestMetrics(prometheus::Registry& registry, const RouteTable& routes)
    : requests_(prometheus::BuildCounter()
                    .Name("wams_rest_requests_total")
                    .Help("REST face calls answered, by the route's method and HTTP status.")
                    .Register(registry)),
      seconds_(prometheus::BuildHistogram()
                   .Name("wams_rest_request_seconds")
                   .Help("Time from a REST call's routing to its answer, by the route's method.")
                   .Register(registry)) {
  for (const Route& route : routes.routes()) {
    timers_[route.method] = &seconds_.Add({{"rpc_method", LabelOf(route)}}, Buckets());
  }
}

void RestMetrics::Record(const Route& route, int http_status, absl::Duration duration) {
  requests_.Add({{"rpc_method", LabelOf(route)}, {"http_status", std::to_string(http_status)}})
      .Increment();
  if (auto it = timers_.find(route.method); it != timers_.end()) {
    it->second->Observe(absl::ToDoubleSeconds(duration));
  }
}

}  // namespace wams::rest
