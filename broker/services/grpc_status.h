// grpc_status.h: absl::Status -> grpc::Status at the service edge.
#ifndef WAMS_BROKER_SERVICES_GRPC_STATUS_H_
#define WAMS_BROKER_SERVICES_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace wams::services {

// Same code (the enums share values), same message.
inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_GRPC_STATUS_H_
