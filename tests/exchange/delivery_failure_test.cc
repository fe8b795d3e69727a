// Unit tests of exchange::DeliveryFailureOf: the requester's code for each
// transport or provider status, and the provider's reason escaped and
// bounded in the message and the receipt detail.
#include "broker/exchange/delivery_failure.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wams::exchange {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(DeliveryFailureTest, OnlyUnavailableDeadlineAndCancelledSayARetryCanHelp) {
  EXPECT_EQ(DeliveryFailureOf(absl::UnavailableError("down")).status.code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(DeliveryFailureOf(absl::CancelledError("reset")).status.code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(DeliveryFailureOf(absl::DeadlineExceededError("slow")).status.code(),
            absl::StatusCode::kDeadlineExceeded);
  for (absl::StatusCode code :
       {absl::StatusCode::kUnknown, absl::StatusCode::kInvalidArgument, absl::StatusCode::kNotFound,
        absl::StatusCode::kAlreadyExists, absl::StatusCode::kPermissionDenied,
        absl::StatusCode::kResourceExhausted, absl::StatusCode::kFailedPrecondition,
        absl::StatusCode::kAborted, absl::StatusCode::kOutOfRange, absl::StatusCode::kUnimplemented,
        absl::StatusCode::kInternal, absl::StatusCode::kDataLoss,
        absl::StatusCode::kUnauthenticated}) {
    DeliveryFailure failed = DeliveryFailureOf(absl::Status(code, "School: no"));
    EXPECT_EQ(failed.status.code(), absl::StatusCode::kFailedPrecondition) << code;
    EXPECT_THAT(std::string(failed.status.message()),
                HasSubstr(absl::StrCat("(", absl::StatusCodeToString(code), "; ")));
    EXPECT_EQ(failed.receipt_detail, absl::StrCat(absl::StatusCodeToString(code), ": School: no"));
  }
}

TEST(DeliveryFailureTest, TheProvidersReasonIsEscapedRedactedAndBounded) {
  DeliveryFailure failed = DeliveryFailureOf(absl::InvalidArgumentError(
      absl::StrCat("School: bad\r\nALERT forged 111222333 ", std::string(10000, 'x'))));
  const std::string message(failed.status.message());
  EXPECT_THAT(message, StartsWith("not delivered: School: bad\\r\\nALERT forged [bsn] x"));
  EXPECT_THAT(message, HasSubstr("bytes cut]"));
  EXPECT_THAT(message, Not(HasSubstr("\n")));
  EXPECT_THAT(message, Not(HasSubstr("111222333")));
  EXPECT_LT(message.size(), kMaxProviderReasonBytes + 200);
  EXPECT_THAT(failed.receipt_detail, StartsWith("INVALID_ARGUMENT: School: bad\\r\\nALERT"));
  EXPECT_LT(failed.receipt_detail.size(), kMaxProviderReasonBytes + 100);
}

}  // namespace
}  // namespace wams::exchange
