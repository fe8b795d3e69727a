// status_matchers_test.cc: the Status matchers match what they say and
// nothing else, for absl::Status, absl::StatusOr<T> and grpc::Status.
#include "tests/testing/status_matchers.h"

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "grpcpp/support/status.h"
#include "gtest/gtest.h"

namespace wams::testing {
namespace {

using ::testing::DescribeMatcher;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Matcher;
using ::testing::Matches;
using ::testing::Not;

const absl::Status kBadField = absl::InvalidArgumentError("field bsn: not 9 digits");

TEST(StatusIs, MatchesTheCodeOfAnAbslStatus) {
  EXPECT_THAT(kBadField, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(Matches(StatusIs(absl::StatusCode::kPermissionDenied))(kBadField));
  EXPECT_FALSE(Matches(StatusIs(absl::StatusCode::kInvalidArgument))(absl::OkStatus()));
}

TEST(StatusIs, MatchesTheMessageToo) {
  EXPECT_THAT(kBadField, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bsn")));
  EXPECT_THAT(kBadField, StatusIs(absl::StatusCode::kInvalidArgument, "field bsn: not 9 digits"));
  EXPECT_FALSE(Matches(StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("oin")))(kBadField));
}

TEST(StatusIs, MatchesTheStatusOfAStatusOr) {
  const absl::StatusOr<int> failed = absl::NotFoundError("case 7");
  EXPECT_THAT(failed, StatusIs(absl::StatusCode::kNotFound, HasSubstr("case 7")));
  EXPECT_FALSE(Matches(StatusIs(absl::StatusCode::kInternal))(failed));
  EXPECT_THAT(absl::StatusOr<int>(3), StatusIs(absl::StatusCode::kOk));
}

TEST(StatusIs, MatchesAGrpcStatusByItsCodeNumber) {
  const grpc::Status denied(grpc::StatusCode::PERMISSION_DENIED, "R04");
  EXPECT_THAT(denied, StatusIs(grpc::StatusCode::PERMISSION_DENIED, "R04"));
  EXPECT_THAT(denied, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_FALSE(Matches(StatusIs(grpc::StatusCode::UNAVAILABLE))(denied));
  EXPECT_FALSE(Matches(StatusIs(grpc::StatusCode::PERMISSION_DENIED))(grpc::Status::OK));
}

TEST(StatusIs, TakesAMatcherOfTheCode) {
  EXPECT_THAT(kBadField, StatusIs(Not(absl::StatusCode::kOk)));
  EXPECT_FALSE(Matches(StatusIs(Eq(absl::StatusCode::kOk)))(kBadField));
}

TEST(StatusIs, SaysWhatItWantsAndWhatItGot) {
  const Matcher<absl::Status> matcher = StatusIs(absl::StatusCode::kNotFound);
  EXPECT_THAT(DescribeMatcher<absl::Status>(matcher), HasSubstr("has a code that"));
  ::testing::StringMatchResultListener listener;
  EXPECT_FALSE(matcher.MatchAndExplain(kBadField, &listener));
  EXPECT_EQ(listener.str(), "which is INVALID_ARGUMENT: \"field bsn: not 9 digits\"");
}

TEST(StatusIs, PrintsAGrpcStatusAsItsCodeAndMessage) {
  EXPECT_EQ(::testing::PrintToString(grpc::Status(grpc::StatusCode::NOT_FOUND, "case 7")),
            "NOT_FOUND: \"case 7\"");
}

TEST(IsOk, MatchesOnlyOk) {
  EXPECT_THAT(absl::OkStatus(), IsOk());
  EXPECT_THAT(absl::StatusOr<std::string>("x"), IsOk());
  EXPECT_THAT(grpc::Status::OK, IsOk());
  EXPECT_THAT(kBadField, Not(IsOk()));
  EXPECT_THAT(absl::StatusOr<std::string>(kBadField), Not(IsOk()));
  EXPECT_THAT(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"), Not(IsOk()));
}

TEST(IsOkAndHolds, MatchesAnOkValue) {
  const absl::StatusOr<std::string> oin = std::string("00000001234567890000");
  EXPECT_THAT(oin, IsOkAndHolds("00000001234567890000"));
  EXPECT_THAT(oin, IsOkAndHolds(HasSubstr("1234567")));
  EXPECT_FALSE(Matches(IsOkAndHolds(HasSubstr("9999")))(oin));
  EXPECT_FALSE(Matches(IsOkAndHolds(HasSubstr("")))(absl::StatusOr<std::string>(kBadField)));
  EXPECT_THAT(absl::StatusOr<int>(7), IsOkAndHolds(Eq(7)));
}

}  // namespace
}  // namespace wams::testing
