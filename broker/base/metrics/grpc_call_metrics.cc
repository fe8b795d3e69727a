#include "broker/base/metrics/grpc_call_metrics.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"

namespace wams::metrics {
namespace {

namespace hooks = grpc::experimental;

// Services gRPC adds whose descriptors may not be in the generated pool.
constexpr std::pair<const char*, const char*> kBuiltInMethods[] = {
    {"grpc.health.v1.Health", "Check"},
    {"grpc.health.v1.Health", "Watch"},
    {"grpc.reflection.v1alpha.ServerReflection", "ServerReflectionInfo"},
};

// Seconds: from a fast refusal (~100 us) to a provider deadline (tens of s).
const prometheus::Histogram::BucketBoundaries& CallBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return *buckets;
}

class CallInterceptor : public hooks::Interceptor {
 public:
  CallInterceptor(GrpcCallMetrics& metrics, std::string method_path)
      : metrics_(metrics), method_path_(std::move(method_path)), start_(absl::Now()) {}

  void Intercept(hooks::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(hooks::InterceptionHookPoints::PRE_SEND_STATUS)) {
      metrics_.Record(method_path_, methods->GetSendStatus().error_code(), absl::Now() - start_);
    }
    methods->Proceed();
  }

 private:
  GrpcCallMetrics& metrics_;
  const std::string method_path_;
  const absl::Time start_;
};

class CallInterceptorFactory : public hooks::ServerInterceptorFactoryInterface {
 public:
  explicit CallInterceptorFactory(GrpcCallMetrics& metrics) : metrics_(metrics) {}
  hooks::Interceptor* CreateServerInterceptor(hooks::ServerRpcInfo* info) override {
    return new CallInterceptor(metrics_, info->method() == nullptr ? "" : info->method());
  }

 private:
  GrpcCallMetrics& metrics_;
};

}  // namespace

std::string CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

GrpcCallMetrics::GrpcCallMetrics(prometheus::Registry& registry,
                                 const std::vector<std::string>& services)
    : handled_(prometheus::BuildCounter()
                   .Name("wams_grpc_server_handled_total")
                   .Help("gRPC calls finished, by service, method and status code.")
                   .Register(registry)),
      handling_seconds_(prometheus::BuildHistogram()
                            .Name("wams_grpc_server_handling_seconds")
                            .Help("Time from a call's arrival to its status, by method.")
                            .Register(registry)) {
  auto add = [this](const std::string& service, const std::string& method) {
    Method& m = methods_[absl::StrCat("/", service, "/", method)];
    m.service = service;
    m.method = method;
    m.seconds =
        &handling_seconds_.Add({{"grpc_service", service}, {"grpc_method", method}}, CallBuckets());
  };
  for (const std::string& service : services) {
    const google::protobuf::ServiceDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
    if (descriptor == nullptr) continue;
    for (int i = 0; i < descriptor->method_count(); ++i)
      add(service, descriptor->method(i)->name());
  }
  for (const auto& [service, method] : kBuiltInMethods) add(service, method);
  other_.service = "other";
  other_.method = "other";
  other_.seconds =
      &handling_seconds_.Add({{"grpc_service", "other"}, {"grpc_method", "other"}}, CallBuckets());
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
GrpcCallMetrics::NewInterceptorFactory() {
  return std::make_unique<CallInterceptorFactory>(*this);
}

const GrpcCallMetrics::Method& GrpcCallMetrics::MethodOf(const std::string& method_path) const {
  auto it = methods_.find(method_path);
  return it == methods_.end() ? other_ : it->second;
}

void GrpcCallMetrics::Record(const std::string& method_path, grpc::StatusCode code,
                             absl::Duration duration) {
  const Method& method = MethodOf(method_path);
  handled_
      .Add({{"grpc_service", method.service},
            {"grpc_method", method.method},
            {"grpc_code", CodeName(code)}})
      .Increment();
  method.seconds->Observe(absl::ToDoubleSeconds(duration));
}

}  // namespace wams::metrics
