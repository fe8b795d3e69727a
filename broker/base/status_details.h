// status_details.h: typed details on an absl::Status, e.g. the Decision and
// receipt that explain a refusal.
//
// Details ride as absl::Status payloads keyed by their protobuf type URL; the
// gRPC edge turns them into google.rpc.Status details (grpc-status-details-bin),
// so any gRPC client can decode them.
//
//   absl::Status refused = absl::PermissionDeniedError("refused: R04");
//   AttachDetail(refused, decision);
//   AttachDetail(refused, receipt);
#ifndef WAMS_BROKER_BASE_STATUS_DETAILS_H_
#define WAMS_BROKER_BASE_STATUS_DETAILS_H_

#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "google/rpc/status.pb.h"

namespace wams::base {

// "type.googleapis.com/<full message name>".
std::string TypeUrl(const google::protobuf::Message& message);

// Adds `message` as a payload of `status` (no-op on OK).
void AttachDetail(absl::Status& status, const google::protobuf::Message& message);

// Reads a payload of `status` into `message`; false when absent or unparsable.
bool ReadDetail(const absl::Status& status, google::protobuf::Message* message);

// The status as a google.rpc.Status (code, message, payloads as Any details),
// and back. Used for the gRPC trailer and to store an outcome for retries.
google::rpc::Status ToRpcStatus(const absl::Status& status);
absl::Status FromRpcStatus(const google::rpc::Status& rpc_status);

}  // namespace wams::base

#endif  // WAMS_BROKER_BASE_STATUS_DETAILS_H_
