// The reference adapters answer the real broker: a wams-broker process and
// wams-adapter processes for the GGZ institution, the school, the police and
// the probation office, all over mutual TLS on loopback. One granted request
// per adapter, and each obligation it must honour (R17 good-care statement,
// R18 Wpg/Wjsg legal basis), checked at the broker.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/adapters/adapter_harness.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/call_result.h"
#include "tests/testing/client_case.h"
#include "wams/broker/v1/case.grpc.pb.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

bool HasObligation(const v1::Decision& decision, v1::ObligationKind kind) {
  for (const v1::Obligation& obligation : decision.obligations()) {
    if (obligation.kind() == kind) return true;
  }
  return false;
}

class AdapterBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto [name, port] : {std::pair{"ggz", "7452"}, std::pair{"school", "7453"},
                              std::pair{"police", "7454"}, std::pair{"probation", "7455"}}) {
      auto adapter = std::make_unique<ReferenceAdapter>(broker_.pki_dir(), name);
      ASSERT_TRUE(adapter->Start()) << name << ": " << adapter->Log();
      ASSERT_EQ(broker_.ReplaceInConfig(absl::StrCat("127.0.0.1:", port), adapter->address()), 1);
      adapters_.push_back(std::move(adapter));
    }
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  }

  void Prepare(grpc::ClientContext* context) {
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    context->AddMetadata("x-wams-professional-id", "wmo-consulent-12");
  }

  // A client-initiated case for `bsn` with every adjacent domain of the adapters in scope.
  std::string OpenCase(const std::string& bsn) {
    // Not the BSN itself: ids with a BSN in them are refused (field_rules.proto).
    return OpenClientCase(
        broker_, absl::StrCat("open-", ++next_request_), bsn,
        {v1::DOMAIN_MENTAL_HEALTH, v1::DOMAIN_EDUCATION, v1::DOMAIN_POLICE, v1::DOMAIN_PROBATION});
  }

  grpc::Status Request(const std::string& case_id, const std::string& bsn,
                       const std::string& provider_oin, std::vector<std::string> categories,
                       v1::DataResponse* response) {
    v1::DataRequest request;
    request.set_request_id(absl::StrCat("req-", ++next_request_));
    request.set_case_id(case_id);
    request.set_subject_bsn(bsn);
    request.set_provider_oin(provider_oin);
    request.set_purpose(v1::PURPOSE_RESEARCH);
    for (std::string& category : categories) request.add_categories(std::move(category));
    request.set_justification("Nodig om de samenhang van de problemen in kaart te brengen.");
    grpc::ClientContext context;
    Prepare(&context);
    return v1::ExchangeService::NewStub(broker_.Channel("municipality"))
        ->RequestData(&context, request, response);
  }

  BrokerFixture broker_;
  std::vector<std::unique_ptr<ReferenceAdapter>> adapters_;
  int next_request_ = 0;
};

TEST_F(AdapterBrokerTest, SchoolAnswersAGrantedRequest) {
  std::string case_id = OpenCase("111222333");
  v1::DataResponse response;
  grpc::Status status =
      Request(case_id, "111222333", kSchoolOin, {"enrolment", "attendance"}, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  ASSERT_EQ(response.data_size(), 2);
  EXPECT_FALSE(response.data(0).content().empty());
  EXPECT_EQ(Decode(response.answer_receipt()).outcome(), v1::RECEIPT_OUTCOME_DELIVERED);
}

TEST_F(AdapterBrokerTest, GgzWithoutConsentStatesGoodCareOrWithholds) {
  std::string case_id = OpenCase("111222333");
  v1::DataResponse response;
  grpc::Status status =
      Request(case_id, "111222333", kGgzOin, {"treatment_status", "crisis_plan"}, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(HasObligation(response.decision(), v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT));
  // treatment_status is provided with a good-care statement; crisis_plan is
  // refused without consent: a partial answer, and the broker delivers it.
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED);
  ASSERT_EQ(response.data_size(), 1);
  EXPECT_EQ(response.data(0).category(), "treatment_status");
  EXPECT_FALSE(response.good_care_statement().empty());
  EXPECT_EQ(Decode(response.answer_receipt()).outcome(), v1::RECEIPT_OUTCOME_DELIVERED);
}

TEST_F(AdapterBrokerTest, GgzWithExplicitConsentProvidesWithoutGoodCareObligation) {
  std::string case_id = OpenCase("111222333");
  v1::RecordConsentRequest consent;
  consent.set_case_id(case_id);
  consent.set_subject_bsn("111222333");
  consent.set_provider_oin(kGgzOin);
  consent.add_categories("crisis_plan");
  grpc::ClientContext context;
  Prepare(&context);
  v1::CaseResponse recorded;
  ASSERT_TRUE(v1::CaseService::NewStub(broker_.Channel("municipality"))
                  ->RecordConsent(&context, consent, &recorded)
                  .ok());

  v1::DataResponse response;
  grpc::Status status = Request(case_id, "111222333", kGgzOin, {"crisis_plan"}, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(HasObligation(response.decision(), v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT));
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  ASSERT_EQ(response.data_size(), 1);
}

TEST_F(AdapterBrokerTest, PoliceStatesItsWpgBasis) {
  std::string case_id = OpenCase("111222333");
  v1::DataResponse response;
  grpc::Status status = Request(case_id, "111222333", kPoliceOin, {"police_contacts"}, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(HasObligation(response.decision(), v1::OBLIGATION_KIND_LEGAL_BASIS));
  EXPECT_THAT(response.legal_basis(), HasSubstr("Wpg"));
  EXPECT_EQ(Decode(response.answer_receipt()).outcome(), v1::RECEIPT_OUTCOME_DELIVERED);
}

TEST_F(AdapterBrokerTest, ProbationStatesItsWjsgBasis) {
  std::string case_id = OpenCase("123456782");
  v1::DataResponse response;
  grpc::Status status =
      Request(case_id, "123456782", kProbationOin, {"supervision_status"}, &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(HasObligation(response.decision(), v1::OBLIGATION_KIND_LEGAL_BASIS));
  EXPECT_FALSE(response.legal_basis().empty());
  EXPECT_EQ(Decode(response.answer_receipt()).outcome(), v1::RECEIPT_OUTCOME_DELIVERED);
}

TEST_F(AdapterBrokerTest, AdapterLogsNeverHoldTheBsn) {
  std::string case_id = OpenCase("111222333");
  v1::DataResponse response;
  ASSERT_TRUE(Request(case_id, "111222333", kSchoolOin, {"attendance"}, &response).ok());
  for (const auto& adapter : adapters_)
    EXPECT_THAT(adapter->Log(), ::testing::Not(HasSubstr("111222333")));
  EXPECT_THAT(ReadFile(broker_.log_path()), ::testing::Not(HasSubstr("111222333")));
}

}  // namespace
}  // namespace wams::testing
