// rest_metrics.h: the REST face's calls on the broker's Prometheus endpoint,
// beside the gRPC face's (wams_grpc_server_*).
//
//   wams_rest_requests_total{rpc_method, http_status}
//   wams_rest_request_seconds{rpc_method}
//
// rpc_method is the route's method ("ExchangeService/RequestData"); labels
// stay bounded whatever a client sends: only routed calls are counted, and
// http_status is one of the few the listener answers.
//
// Thread-safe; borrows the registry, which must outlive it.
#ifndef WAMS_BROKER_REST_REST_METRICS_H_
#define WAMS_BROKER_REST_REST_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "broker/rest/route_table.h"

namespace wams::rest {

class RestMetrics {
 public:
  RestMetrics(prometheus::Registry& registry, const RouteTable& routes);

  // Counts one finished call of `route` answered with `http_status`.
  void Record(const Route& route, int http_status, absl::Duration duration);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& seconds_;
  // Per route's method, made once in the constructor, then only read.
  absl::flat_hash_map<const google::protobuf::MethodDescriptor*, prometheus::Histogram*> timers_;
};

}  // namespace wams::rest

#endif  // WAMS_BROKER_REST_REST_METRICS_H_
