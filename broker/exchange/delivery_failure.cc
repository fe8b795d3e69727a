#include "broker/exchange/delivery_failure.h"

#include "absl/strings/str_cat.h"
#include "proto/wire/log_text.h"

namespace wams::exchange {
namespace {

// Whether a retry of the same request can help, as the requester's code.
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

absl::string_view RetryAdvice(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kDeadlineExceeded:
      return "the provider did not answer in time";
    case absl::StatusCode::kUnavailable:
      return "retry later";
    default:
      return "a retry of the same request will not help";
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
