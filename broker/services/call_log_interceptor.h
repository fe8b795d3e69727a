// call_log_interceptor.h: one log line per gRPC call the broker handles
// (broker/base/logging/call_log.h), written when the call's status is sent.
//
// A server interceptor sees every call, also those the front door refuses
// before any service code runs, and builds the line from what crosses the
// wire, so no handler has to remember it:
//   - method, and latency from the interceptor's creation to the status;
//   - caller OIN from the verified client certificate (as the identity check
//     reads it; "" when there is none) and the professional id from the
//     `x-wams-professional-id` metadata entry as sent;
//   - case id from a `case_id` field of the request message;
//   - trace ids: those the exchange service resolved (its response
//     metadata: `traceresponse` holds the broker's span, `traceparent` the
//     caller's span as its parent-id, `fsc-transaction-id`); for other
//     calls a valid `traceparent` sent with the call and a fresh span id;
//   - outcome: the status code; failed rules: those of a wams.broker.v1.Decision
//     in the status details (a refusal) or in the response (a dry run).
// Health checks and reflection (`/grpc.*`) are not logged: probes would
// drown the rest. Never a BSN or payload: only the fields above, each made
// log-safe and bounded by the logging library.
//
//   interceptors.push_back(std::make_unique<CallLogInterceptorFactory>());
//
// Thread-safety: one interceptor per call, whose hooks run one after
// another; the factory's OIN cache is guarded by a mutex.
#ifndef WAMS_BROKER_SERVICES_CALL_LOG_INTERCEPTOR_H_
#define WAMS_BROKER_SERVICES_CALL_LOG_INTERCEPTOR_H_

#include <string>

#include "absl/strings/string_view.h"
#include "broker/base/pki/certificate_cache.h"
#include "grpcpp/support/server_interceptor.h"

namespace wams::services {

class CallLogInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

  // The OIN in the client certificate `pem`, or "" when it has none. Parsed
  // once per certificate: a party's connection sends the same one each call.
  std::string OinOf(absl::string_view pem);

 private:
  // At most this many certificates are remembered; then the cache starts over.
  static constexpr size_t kMaxCachedCertificates = 1024;
  pki::CertificateCache certificates_{kMaxCachedCertificates};
};

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_CALL_LOG_INTERCEPTOR_H_
