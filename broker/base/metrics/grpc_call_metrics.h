// grpc_call_metrics.h: a gRPC server interceptor that counts every call by
// service, method and status code, and times it.
//
//   wams_grpc_server_handled_total{grpc_service, grpc_method, grpc_code}
//   wams_grpc_server_handling_seconds{grpc_service, grpc_method}
//
// Labels stay bounded whatever a client sends: a method that is not one of
// the registered services' (nor health or reflection) is counted as
// grpc_service="other", grpc_method="other".
//
//   GrpcCallMetrics calls(endpoint.registry(), {"wams.broker.v1.ExchangeService", ...});
//   interceptors.push_back(calls.NewInterceptorFactory());
//
// Thread-safe; must outlive the servers whose factories it made.
#ifndef WAMS_BROKER_BASE_METRICS_GRPC_CALL_METRICS_H_
#define WAMS_BROKER_BASE_METRICS_GRPC_CALL_METRICS_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"
#include "grpcpp/support/status.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace wams::metrics {

class GrpcCallMetrics {
 public:
  // `services`: full names of the services served ("wams.broker.v1.ExchangeService"),
  // whose methods are read from the generated descriptor pool.
  GrpcCallMetrics(prometheus::Registry& registry, const std::vector<std::string>& services);

  // A factory for ServerBuilder::experimental().SetInterceptorCreators.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewInterceptorFactory();

  // Counts one finished call of `method_path` ("/pkg.Service/Method").
  void Record(const std::string& method_path, grpc::StatusCode code, absl::Duration duration);

 private:
  struct Method {
    std::string service;
    std::string method;
    prometheus::Histogram* seconds = nullptr;
  };
  const Method& MethodOf(const std::string& method_path) const;

  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& handling_seconds_;
  // Built once in the constructor, then only read.
  absl::flat_hash_map<std::string, Method> methods_;
  Method other_;
};

// The name of `code` as gRPC spells it ("OK", "INVALID_ARGUMENT", ...).
std::string CodeName(grpc::StatusCode code);

}  // namespace wams::metrics

#endif  // WAMS_BROKER_BASE_METRICS_GRPC_CALL_METRICS_H_
