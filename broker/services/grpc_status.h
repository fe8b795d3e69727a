// grpc_status.h: absl::Status -> grpc::Status at the service edge.
#ifndef WAMS_BROKER_SERVICES_GRPC_STATUS_H_
#define WAMS_BROKER_SERVICES_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "broker/base/status_details.h"
#include "grpcpp/support/status.h"

namespace wams::services {

// Same code (the enums share values), same message; typed details (a
// refusal's Decision and receipt) travel as google.rpc.Status in the
// grpc-status-details-bin trailer.
inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  bool has_details = false;
  status.ForEachPayload([&](absl::string_view, const absl::Cord&) { has_details = true; });
  if (!has_details) return grpc::Status(code, message);
  return grpc::Status(code, message, base::ToRpcStatus(status).SerializeAsString());
}

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_GRPC_STATUS_H_
