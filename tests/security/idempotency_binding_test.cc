// Idempotency must not hand one person's data to another professional
// (issue 15, item 5). A request id is the caller's, so a reused id is only a
// retry when the request is the same request by the same professional: the
// broker binds the id to a digest of the request's canonical content and the
// acting professional. A reuse with other content is refused naming
// request_id, receipted as such, and never answered with the first outcome,
// neither after the first call finished nor while it is still in flight.
// Real broker process, real provider servers over mTLS.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/exchange/exchange_test_fixture.h"
#include "wams/broker/v1/conference.grpc.pb.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kSecondProfessional[] = "wmo-consulent-99";

class IdempotencyBindingTest : public ExchangeFlowTest {
 protected:
  // A case of kClientBsn with kFamilyBsn agreed as a second client, and the
  // neighbourhood team (welfare) in scope.
  std::string CaseWithTwoClients() {
    v1::Case opened = OpenCase({v1::DOMAIN_WELFARE}, {});
    v1::AddFamilyMemberRequest family;
    family.set_case_id(opened.case_id());
    family.set_bsn(kFamilyBsn);
    family.set_agreed(true);
    CaseCall([&](auto& stub, auto* context, auto* response) {
      return stub.AddFamilyMember(context, family, response);
    });
    return opened.case_id();
  }

  // Sends `request` on a thread; the team's provider holds it (and any other)
  // until release_ is notified, and notifies first_arrived_ when it has it.
  std::thread StartHeld(const v1::DataRequest& request, v1::DataResponse* answer,
                        CallResult* result) {
    team_->SetHandler([this](const v1::ProviderRequest& held, v1::ProviderResponse* response) {
      if (!first_arrived_.HasBeenNotified()) first_arrived_.Notify();
      release_.WaitForNotificationWithTimeout(absl::Seconds(30));
      return TestProvider::ProvideAll(held, response);
    });
    return std::thread([this, request, answer, result] { *result = RequestData(request, answer); });
  }

  // The first client's request, and the same request id about the other
  // client: what a second professional sends in the attack.
  static v1::DataRequest OtherSubject(v1::DataRequest request) {
    request.set_subject_bsn(kFamilyBsn);
    return request;
  }

  // True when `receipt` records the reuse: refused, the second
  // professional's, naming the request id, with no BSN in it.
  static void ExpectReuseReceipt(const v1::Receipt& receipt, const std::string& request_id) {
    EXPECT_EQ(receipt.outcome(), v1::RECEIPT_OUTCOME_REFUSED);
    EXPECT_EQ(receipt.professional_id(), kSecondProfessional);
    EXPECT_EQ(receipt.request_id(), request_id);
    EXPECT_THAT(receipt.detail(), HasSubstr("request_id"));
    const std::string bytes = receipt.SerializeAsString();
    EXPECT_FALSE(absl::StrContains(bytes, kClientBsn));
    EXPECT_FALSE(absl::StrContains(bytes, kFamilyBsn));
  }

  absl::Notification first_arrived_;
  absl::Notification release_;
};

TEST_F(IdempotencyBindingTest, ReuseWithOtherSubjectAndProfessionalIsRefusedNotAnswered) {
  const std::string case_id = CaseWithTwoClients();
  v1::DataRequest first = NewRequest(case_id, kTeamOin, {"support_plan"});
  v1::DataResponse answer;
  ASSERT_TRUE(RequestData(first, &answer).status.ok());
  ASSERT_EQ(answer.data_size(), 1);

  v1::DataResponse second_answer;
  CallResult reuse =
      RequestData(OtherSubject(first), &second_answer, "municipality", kSecondProfessional);
  EXPECT_EQ(reuse.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << reuse.status.error_code() << ": " << reuse.status.error_message()
      << " (the second professional got the first client's outcome)";
  EXPECT_THAT(reuse.status.error_message(), StartsWith("request_id"));
  EXPECT_FALSE(second_answer.has_decision_receipt()) << "answered with the first outcome";
  ASSERT_EQ(reuse.receipts.size(), 1u) << "the reuse is receipted";
  ExpectReuseReceipt(reuse.receipts[0], first.request_id());

  // The same content from another professional is no retry either: the
  // outcome names the first professional, and the data was theirs to ask.
  v1::DataResponse other_professional;
  CallResult same_content =
      RequestData(first, &other_professional, "municipality", kSecondProfessional);
  EXPECT_EQ(same_content.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // The true retry still gets the first outcome, and the provider was asked once.
  v1::DataResponse retried;
  CallResult retry = RequestData(first, &retried);
  EXPECT_TRUE(retry.status.ok()) << retry.status.error_message();
  EXPECT_TRUE(retried.data_not_kept());
  EXPECT_EQ(retried.decision_receipt().leaf_index(), answer.decision_receipt().leaf_index());
  EXPECT_EQ(team_->Received().size(), 1u);
}

TEST_F(IdempotencyBindingTest, RefusalIsNotHandedToAReuseWithOtherContent) {
  const std::string case_id = CaseWithTwoClients();
  // Refused (R08): the stored outcome is a refusal; a reuse about the other
  // client must not get it either.
  v1::DataRequest first =
      NewRequest(case_id, kTeamOin, {"support_plan"}, v1::PURPOSE_FRAUD_CONTROL);
  v1::DataResponse answer;
  ASSERT_EQ(RequestData(first, &answer).status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  CallResult reuse = RequestData(OtherSubject(first), &answer, "municipality", kSecondProfessional);
  EXPECT_EQ(reuse.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << reuse.status.error_message();
  EXPECT_TRUE(reuse.decision.rules().empty()) << "the first request's decision came back";
}

TEST_F(IdempotencyBindingTest, RaceOfTwentyWithOtherContentNeverJoinsTheCallInFlight) {
  const std::string case_id = CaseWithTwoClients();
  // The provider holds the first request until the race is over.
  v1::DataRequest first = NewRequest(case_id, kTeamOin, {"support_plan"});
  v1::DataResponse first_answer;
  CallResult first_result;
  std::thread first_call = StartHeld(first, &first_answer, &first_result);
  ASSERT_TRUE(first_arrived_.WaitForNotificationWithTimeout(absl::Seconds(20)));

  constexpr int kRacers = 20;
  std::vector<CallResult> results(kRacers);
  std::vector<v1::DataResponse> answers(kRacers);
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&, i] {
      results[i] =
          RequestData(OtherSubject(first), &answers[i], "municipality", kSecondProfessional);
    });
  }
  for (std::thread& racer : racers) racer.join();
  release_.Notify();
  first_call.join();

  int refused = 0;
  for (int i = 0; i < kRacers; ++i) {
    EXPECT_EQ(answers[i].data_size(), 0) << "racer " << i << " got the first client's data";
    EXPECT_EQ(results[i].status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << "racer " << i << ": " << results[i].status.error_code() << " "
        << results[i].status.error_message() << ", receipt of professional "
        << (results[i].receipts.empty() ? "(none)" : results[i].receipts[0].professional_id());
    if (results[i].status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) continue;
    ++refused;
    EXPECT_THAT(results[i].status.error_message(), StartsWith("request_id"));
    ASSERT_EQ(results[i].receipts.size(), 1u);
    ExpectReuseReceipt(results[i].receipts[0], first.request_id());
  }
  EXPECT_EQ(refused, kRacers);
  EXPECT_TRUE(first_result.status.ok()) << first_result.status.error_message();
  EXPECT_EQ(first_answer.data_size(), 1);
  ASSERT_EQ(team_->Received().size(), 1u);
  EXPECT_EQ(team_->Received()[0].subject_bsn(), kClientBsn);
}

// The true retry, sent while the first call may still be in flight, gets the
// first outcome (joined, with the data, or stored, without it) and the
// provider is asked once.
TEST_F(IdempotencyBindingTest, ConcurrentTrueRetryGetsTheFirstOutcome) {
  const std::string case_id = CaseWithTwoClients();
  v1::DataRequest first = NewRequest(case_id, kTeamOin, {"support_plan"});
  v1::DataResponse first_answer;
  v1::DataResponse retry_answer;
  CallResult first_result;
  CallResult retry_result;
  std::thread first_call = StartHeld(first, &first_answer, &first_result);
  ASSERT_TRUE(first_arrived_.WaitForNotificationWithTimeout(absl::Seconds(20)));
  std::thread retry_call([&] { retry_result = RequestData(first, &retry_answer); });
  release_.Notify();
  first_call.join();
  retry_call.join();
  EXPECT_TRUE(first_result.status.ok()) << first_result.status.error_message();
  EXPECT_TRUE(retry_result.status.ok()) << retry_result.status.error_message();
  EXPECT_EQ(retry_answer.decision_receipt().leaf_index(),
            first_answer.decision_receipt().leaf_index());
  EXPECT_EQ(team_->Received().size(), 1u);
}

// Cases: an opening is idempotent by request id too. A reuse about another
// client must not return the first client's case.
TEST_F(IdempotencyBindingTest, CaseOpeningReuseWithOtherClientIsRefused) {
  v1::OpenClientCaseRequest open;
  open.set_request_id("open-once");
  open.set_client_bsn(kClientBsn);
  open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
  v1::CaseResponse first = CaseCall([&](auto& stub, auto* context, auto* response) {
    return stub.OpenClientCase(context, open, response);
  });
  ASSERT_FALSE(first.case_().case_id().empty());

  open.set_client_bsn(kOtherPersonBsn);
  grpc::ClientContext context;
  Prepare(&context, kSecondProfessional);
  v1::CaseResponse reused;
  CallResult reuse = ResultOf(Cases()->OpenClientCase(&context, open, &reused));
  EXPECT_EQ(reuse.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << reuse.status.error_code() << ": " << reuse.status.error_message();
  EXPECT_THAT(reuse.status.error_message(), StartsWith("request_id"));
  EXPECT_NE(reused.case_().case_id(), first.case_().case_id()) << "the first client's case";
  ASSERT_EQ(reuse.receipts.size(), 1u);
  EXPECT_EQ(reuse.receipts[0].outcome(), v1::RECEIPT_OUTCOME_REFUSED);
}

// Conferences: a reused request id of Convene from another professional of
// the same party must not return the conference (subject, invitations).
TEST_F(IdempotencyBindingTest, ConveneReuseByAnotherProfessionalIsRefused) {
  v1::Case opened = OpenCase({v1::DOMAIN_WELFARE}, {});
  v1::ConveneRequest convene;
  convene.set_request_id("convene-once");
  convene.set_case_id(opened.case_id());
  convene.set_subject("Afstemming aanpak");
  auto conferences = v1::ConferenceService::NewStub(broker_.Channel("municipality"));
  {
    grpc::ClientContext context;
    Prepare(&context, kCaseWorker);
    v1::ConferenceResponse response;
    ASSERT_TRUE(conferences->Convene(&context, convene, &response).ok());
  }
  convene.set_subject("Iets anders");
  grpc::ClientContext context;
  Prepare(&context, kSecondProfessional);
  v1::ConferenceResponse reused;
  CallResult reuse = ResultOf(conferences->Convene(&context, convene, &reused));
  EXPECT_EQ(reuse.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << reuse.status.error_code() << ": " << reuse.status.error_message();
  EXPECT_FALSE(reused.has_conference()) << "the first call's conference came back";
}

}  // namespace
}  // namespace wams::testing
