// Provider errors keep their meaning (issue 16, point 2): a real broker
// process forwards granted requests over mTLS to a real test provider that
// answers each gRPC status in turn. The requester's code says whether a
// retry can help (UNAVAILABLE and DEADLINE_EXCEEDED stay, CANCELLED is
// UNAVAILABLE, every other status FAILED_PRECONDITION), the message names
// the provider's code and its reason escaped and bounded, and the details
// hold the granting Decision and the NOT_DELIVERED receipt.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/exchange/exchange_test_fixture.h"

namespace wams::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

struct ProviderStatusCase {
  grpc::StatusCode provider_code;
  const char* provider_code_name;
  grpc::StatusCode requester_code;
};

// A reason a hostile provider might send: a forged log line, a BSN, and far
// more text than anyone needs (not so much that gRPC's own metadata limit
// of 8 KiB is what stops it).
std::string HostileReason() {
  return absl::StrCat("backend says no\nX-Forged: 1 about ", kClientBsn, " ",
                      std::string(1500, 'x'));
}

class ProviderErrorsTest : public ExchangeFlowTest {};

// A granted request that was not delivered: `code`, a message naming
// `named`, the granting decision and the NOT_DELIVERED receipt (returned).
v1::Receipt ExpectNotDelivered(const CallResult& result, grpc::StatusCode code,
                               const std::string& named) {
  EXPECT_EQ(result.status.error_code(), code) << result.status.error_message();
  EXPECT_THAT(result.status.error_message(), HasSubstr(named));
  EXPECT_TRUE(result.decision.allowed());
  EXPECT_EQ(result.receipts.size(), 1u);
  if (result.receipts.empty()) return v1::Receipt();
  EXPECT_EQ(result.receipts[0].outcome(), v1::RECEIPT_OUTCOME_NOT_DELIVERED);
  return result.receipts[0];
}

TEST_F(ProviderErrorsTest, EachProviderStatusTellsWhetherARetryCanHelp) {
  const std::vector<ProviderStatusCase> cases = {
      {grpc::StatusCode::UNAVAILABLE, "UNAVAILABLE", grpc::StatusCode::UNAVAILABLE},
      {grpc::StatusCode::DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED",
       grpc::StatusCode::DEADLINE_EXCEEDED},
      {grpc::StatusCode::CANCELLED, "CANCELLED", grpc::StatusCode::UNAVAILABLE},
      {grpc::StatusCode::UNIMPLEMENTED, "UNIMPLEMENTED", grpc::StatusCode::FAILED_PRECONDITION},
      {grpc::StatusCode::INVALID_ARGUMENT, "INVALID_ARGUMENT",
       grpc::StatusCode::FAILED_PRECONDITION},
      {grpc::StatusCode::PERMISSION_DENIED, "PERMISSION_DENIED",
       grpc::StatusCode::FAILED_PRECONDITION},
      {grpc::StatusCode::UNAUTHENTICATED, "UNAUTHENTICATED", grpc::StatusCode::FAILED_PRECONDITION},
      {grpc::StatusCode::NOT_FOUND, "NOT_FOUND", grpc::StatusCode::FAILED_PRECONDITION},
      {grpc::StatusCode::ALREADY_EXISTS, "ALREADY_EXISTS", grpc::StatusCode::FAILED_PRECONDITION},
      {grpc::StatusCode::FAILED_PRECONDITION, "FAILED_PRECONDITION",
       grpc::StatusCode::FAILED_PRECONDITION},
      {grpc::StatusCode::RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED",
       grpc::StatusCode::FAILED_PRECONDITION},
      {grpc::StatusCode::ABORTED, "ABORTED", grpc::StatusCode::FAILED_PRECONDITION},
      {grpc::StatusCode::OUT_OF_RANGE, "OUT_OF_RANGE", grpc::StatusCode::FAILED_PRECONDITION},
      {grpc::StatusCode::INTERNAL, "INTERNAL", grpc::StatusCode::FAILED_PRECONDITION},
      {grpc::StatusCode::UNKNOWN, "UNKNOWN", grpc::StatusCode::FAILED_PRECONDITION},
      {grpc::StatusCode::DATA_LOSS, "DATA_LOSS", grpc::StatusCode::FAILED_PRECONDITION},
  };
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  for (const ProviderStatusCase& c : cases) {
    SCOPED_TRACE(c.provider_code_name);
    school_->SetHandler([&](const v1::ProviderRequest&, v1::ProviderResponse*) {
      return grpc::Status(c.provider_code, HostileReason());
    });
    v1::DataResponse response;
    CallResult result =
        RequestData(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), &response);

    EXPECT_EQ(result.status.error_code(), c.requester_code) << result.status.error_message();
    const std::string& message = result.status.error_message();
    EXPECT_THAT(message, HasSubstr("not delivered"));
    EXPECT_THAT(message, HasSubstr(c.provider_code_name));
    // The provider's reason, escaped (one line), BSN redacted, bounded.
    EXPECT_THAT(message, HasSubstr("backend says no\\nX-Forged: 1"));
    EXPECT_THAT(message, Not(HasSubstr("\n")));
    EXPECT_THAT(message, Not(HasSubstr(kClientBsn)));
    EXPECT_LT(message.size(), 1000u);
    // The details: the granting decision and the NOT_DELIVERED receipt.
    EXPECT_TRUE(result.decision.allowed());
    EXPECT_THAT(result.decision.failed_rule_ids(), ElementsAre());
    EXPECT_EQ(result.receipts.size(), 1u);
    if (result.receipts.size() != 1) continue;
    const v1::Receipt& receipt = result.receipts[0];
    EXPECT_EQ(receipt.kind(), v1::RECEIPT_KIND_PROVIDER_ANSWER);
    EXPECT_EQ(receipt.outcome(), v1::RECEIPT_OUTCOME_NOT_DELIVERED);
    EXPECT_THAT(receipt.detail(), HasSubstr(absl::StrCat(c.provider_code_name, ": ")));
    EXPECT_THAT(receipt.detail(), Not(HasSubstr("\n")));
    EXPECT_THAT(receipt.detail(), Not(HasSubstr(kClientBsn)));
    EXPECT_LT(receipt.detail().size(), 1000u);
  }
  EXPECT_EQ(school_->Received().size(), cases.size());
}

TEST_F(ProviderErrorsTest, RetryOfARequestTheProviderRefusedGetsTheSameAnswerWithoutAskingAgain) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  school_->SetHandler([](const v1::ProviderRequest&, v1::ProviderResponse*) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no such method here");
  });
  const v1::DataRequest request = NewRequest(opened.case_id(), kSchoolOin, {"attendance"});
  v1::DataResponse response;
  CallResult first = RequestData(request, &response);
  CallResult retry = RequestData(request, &response);

  EXPECT_EQ(first.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(retry.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(retry.status.error_message(), first.status.error_message());
  EXPECT_TRUE(retry.decision.allowed());
  EXPECT_EQ(school_->Received().size(), 1u);
}

TEST_F(ProviderErrorsTest, ShareTheRecipientDoesNotImplementIsFailedPreconditionNotUnavailable) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::DataResponse involved;  // R21: a share goes to a party involved in the case
  ASSERT_TRUE(
      RequestData(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), &involved).status.ok());
  school_->SetHandler([](const v1::ProviderRequest& request, v1::ProviderResponse* response) {
    if (request.is_share()) return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no shares here");
    return TestProvider::ProvideAll(request, response);
  });
  grpc::ClientContext context;
  Prepare(&context, kCaseWorker);
  v1::ShareResponse shared;
  CallResult result = ResultOf(
      Exchange()->ShareData(&context, NewShareRequest(opened.case_id(), kSchoolOin), &shared));

  ExpectNotDelivered(result, grpc::StatusCode::FAILED_PRECONDITION,
                     "no shares here (UNIMPLEMENTED; ");
}

TEST_F(ProviderErrorsTest, AnswerLargerThanTheBrokerTakesIsFailedPrecondition) {
  // gRPC's default receive limit on the broker's provider channels is 4 MiB.
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  school_->SetHandler([](const v1::ProviderRequest& request, v1::ProviderResponse* response) {
    TestProvider::ProvideAll(request, response);
    response->mutable_data(0)->set_content(std::string(5 << 20, 'x'));
    return grpc::Status::OK;
  });
  v1::DataResponse response;
  CallResult result =
      RequestData(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), &response);

  ExpectNotDelivered(result, grpc::StatusCode::FAILED_PRECONDITION, "(RESOURCE_EXHAUSTED; ");
}

TEST_F(ProviderErrorsTest, ProviderThatIsDownIsUnavailableWithTheGrantingDecision) {
  // The probation endpoint points at nothing (exchange_test_fixture.cc).
  v1::Case opened = OpenCase({v1::DOMAIN_PROBATION}, {});
  v1::DataResponse response;
  CallResult result =
      RequestData(NewRequest(opened.case_id(), kProbationOin, {"supervision_status"}), &response);
  v1::Receipt receipt = ExpectNotDelivered(result, grpc::StatusCode::UNAVAILABLE,
                                           "(UNAVAILABLE; ask again later with a new request_id)");
  EXPECT_THAT(receipt.detail(), HasSubstr("UNAVAILABLE: "));
}

}  // namespace
}  // namespace wams::testing
