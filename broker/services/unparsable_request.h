// unparsable_request.h: a request message that does not parse (a string
// field with invalid UTF-8, truncated or malformed protobuf) gets
// INVALID_ARGUMENT instead of gRPC's UNIMPLEMENTED.
//
// gRPC 1.51's callback handlers cannot be told: when deserialisation fails,
// RunHandler never calls the service and finishes the call with an
// UnimplementedUnaryReactor (UNIMPLEMENTED, empty message), whatever status
// SerializationTraits returned (grpcpp/impl/codegen/server_callback_handlers.h).
// A server interceptor sees both ends of that: the server hands it the
// request at POST_RECV_MESSAGE as nullptr when deserialisation failed, and
// it may rewrite the status at PRE_SEND_STATUS. Nothing else changes: the
// service is never called for such a request, so nothing is receipted.
//
//   std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> f;
//   f.push_back(std::make_unique<UnparsableRequestInterceptorFactory>());
//   builder.experimental().SetInterceptorCreators(std::move(f));
//
// Thread-safe: one interceptor per call, no shared state.
#ifndef WAMS_BROKER_SERVICES_UNPARSABLE_REQUEST_H_
#define WAMS_BROKER_SERVICES_UNPARSABLE_REQUEST_H_

#include "grpcpp/support/server_interceptor.h"

namespace wams::services {

// The message the caller gets; it names no field (gRPC does not say which)
// and echoes nothing of the request.
inline constexpr char kUnparsableRequestMessage[] =
    "the request message does not parse: a string field is not valid UTF-8 (send text as "
    "UTF-8), or the message is not the method's request type";

class UnparsableRequestInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_UNPARSABLE_REQUEST_H_
