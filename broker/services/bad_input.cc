#include "broker/services/bad_input.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/base/status_details.h"
#include "broker/receipts/receipt_builder.h"
#include "google/protobuf/descriptor.h"

namespace wams::services {
namespace {

namespace v1 = ::wams::broker::v1;

// The receipt kind of the service a request message belongs to.
v1::ReceiptKind KindOf(const google::protobuf::Descriptor& request) {
  absl::string_view file = request.file()->name();
  if (absl::EndsWith(file, "/case.proto")) {
    return absl::StrContains(request.name(), "Consent") ? v1::RECEIPT_KIND_CONSENT_EVENT
                                                        : v1::RECEIPT_KIND_CASE_EVENT;
  }
  if (absl::EndsWith(file, "/conference.proto")) return v1::RECEIPT_KIND_CONFERENCE_EVENT;
  if (absl::EndsWith(file, "/audit.proto")) return v1::RECEIPT_KIND_AUDIT_QUERY;
  return v1::RECEIPT_KIND_DECISION;
}

// The value of the top-level string field `name` when the request has one
// and it keeps its rule (so it is bounded and safe to receipt); else "".
std::string ValidField(const google::protobuf::Message& request, const std::string& name) {
  const google::protobuf::FieldDescriptor* field = request.GetDescriptor()->FindFieldByName(name);
  if (field == nullptr || field->is_repeated() ||
      field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
    return "";
  }
  std::string value = request.GetReflection()->GetString(request, field);
  if (wire::CheckValue(name, field->options().GetExtension(v1::rule), value).has_value()) {
    return "";
  }
  return value;
}

}  // namespace

void BadInput::Refuse(const identity::Caller& caller, const google::protobuf::Message& request,
                      const wire::Violation& violation,
                      absl::AnyInvocable<void(absl::Status) &&> done) const {
  v1::Receipt receipt = receipts::NewReceipt(KindOf(*request.GetDescriptor()), caller,
                                             ValidField(request, "case_id"), clock_);
  receipt.set_outcome(v1::RECEIPT_OUTCOME_REFUSED);
  receipt.set_request_id(ValidField(request, "request_id"));
  receipt.set_detail(
      absl::StrCat("bad input in ", request.GetDescriptor()->name(), ": ", violation.Bounded()));
  absl::Status refused = violation.ToStatus();
  ledger_.AppendAsync(
      receipt, [refused, done = std::move(done)](absl::StatusOr<v1::SignedReceipt> stored) mutable {
        if (!stored.ok()) {
          // Fail closed, like every refusal: without its receipt the caller
          // learns the log could not write.
          std::move(done)(stored.status());
          return;
        }
        absl::Status status = refused;
        base::AttachDetail(status, *stored);
        std::move(done)(std::move(status));
      });
}

}  // namespace wams::services
