#include "broker/exchange/delivery_failure.h"

#include "absl/strings/str_cat.h"
#include "proto/wire/log_text.h"

namespace wams::exchange {
namespace {

// Whether asking again later can help, as the requester's code.
absl::StatusCode RequesterCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kDeadlineExceeded:
      return absl::StatusCode::kDeadlineExceeded;
    // The broker never cancels a provider call: CANCELLED means the call was
    // cut short on the way (a provider stopping mid-call resets its streams).
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnavailable:
      return absl::StatusCode::kUnavailable;
    default:
      return absl::StatusCode::kFailedPrecondition;
  }
}

// The outcome is kept under the request id (a retry of the same id gets it
// again and never reaches the provider twice), so asking again means a new
// request id.
absl::string_view RetryAdvice(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kDeadlineExceeded:
      return "the provider did not answer in time; ask again later with a new request_id";
    case absl::StatusCode::kUnavailable:
      return "ask again later with a new request_id";
    default:
      return "asking again will not help until the provider or its configuration changes";
  }
}

}  // namespace

DeliveryFailure DeliveryFailureOf(const absl::Status& transport_error) {
  const std::string code_name = absl::StatusCodeToString(transport_error.code());
  const std::string reason = wire::LogSafe(transport_error.message(), kMaxProviderReasonBytes);
  const absl::StatusCode code = RequesterCode(transport_error.code());
  return DeliveryFailure{
      .status = absl::Status(code, absl::StrCat("not delivered: ", reason, " (", code_name, "; ",
                                                RetryAdvice(code), ")")),
      .receipt_detail = absl::StrCat(code_name, ": ", reason)};
}

}  // namespace wams::exchange
