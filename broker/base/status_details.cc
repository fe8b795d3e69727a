#include "broker/base/status_details.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"

namespace wams::base {

std::string TypeUrl(const google::protobuf::Message& message) {
  return absl::StrCat("type.googleapis.com/", message.GetDescriptor()->full_name());
}

void AttachDetail(absl::Status& status, const google::protobuf::Message& message) {
  if (status.ok()) return;
  status.SetPayload(TypeUrl(message), absl::Cord(message.SerializeAsString()));
}

bool ReadDetail(const absl::Status& status, google::protobuf::Message* message) {
  absl::optional<absl::Cord> payload = status.GetPayload(TypeUrl(*message));
  return payload.has_value() && message->ParseFromString(std::string(*payload));
}

google::rpc::Status ToRpcStatus(const absl::Status& status) {
  google::rpc::Status rpc_status;
  rpc_status.set_code(static_cast<int32_t>(status.code()));
  rpc_status.set_message(std::string(status.message()));
  status.ForEachPayload([&](absl::string_view type_url, const absl::Cord& payload) {
    google::protobuf::Any* detail = rpc_status.add_details();
    detail->set_type_url(std::string(type_url));
    detail->set_value(std::string(payload));
  });
  return rpc_status;
}

absl::Status FromRpcStatus(const google::rpc::Status& rpc_status) {
  absl::Status status(static_cast<absl::StatusCode>(rpc_status.code()), rpc_status.message());
  if (status.ok()) return status;
  for (const google::protobuf::Any& detail : rpc_status.details()) {
    status.SetPayload(detail.type_url(), absl::Cord(detail.value()));
  }
  return status;
}

}  // namespace wams::base
