// The reference adapters answer the real broker: a wams-broker process and
// wams-adapter processes for the GGZ institution, the school, the police and
// the probation office, all over mutual TLS on loopback. One granted request
// per adapter, and each obligation it must honour (R17 good-care statement,
// R18 Wpg/Wjsg legal basis), checked at the broker. Shares from the
// municipality (R21) land in the school's inbox, or are refused with the
// school's reason, which reaches the municipality and the receipt.
#include <sys/stat.h>

#include <filesystem>

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

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

int ModeOf(const std::filesystem::path& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 ? static_cast<int>(info.st_mode & 07777) : -1;
}

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

  // The municipality shares `category` with the school (R21).
  grpc::Status ShareWithSchool(const std::string& case_id, const std::string& category,
                               v1::ShareResponse* response) {
    v1::ShareRequest share;
    share.set_request_id(absl::StrCat("share-", ++next_request_));
    share.set_case_id(case_id);
    share.set_subject_bsn("111222333");
    share.set_recipient_oin(kSchoolOin);
    share.set_purpose(v1::PURPOSE_RESEARCH);
    share.add_categories(category);
    share.set_justification("De school stemt haar begeleiding af op de lopende hulp.");
    v1::CategoryData* data = share.add_data();
    data->set_category(category);
    data->set_content(R"({"hulp": "ambulante jeugdhulp, sinds januari"})");
    data->set_content_type("application/json");
    grpc::ClientContext context;
    Prepare(&context);
    return v1::ExchangeService::NewStub(broker_.Channel("municipality"))
        ->ShareData(&context, share, response);
  }

  // A case in which the school is involved (it answered a request), so the
  // municipality may share with it (R21).
  std::string CaseWithTheSchoolInvolved() {
    std::string case_id = OpenCase("111222333");
    v1::DataResponse involved;
    grpc::Status status = Request(case_id, "111222333", kSchoolOin, {"attendance"}, &involved);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return case_id;
  }

  // The school's inbox: share_inbox_dir of school.textproto, next to its config.
  std::filesystem::path SchoolInbox() const {
    return std::filesystem::path(adapters_[1]->config_path()).parent_path() / "share-inbox" /
           "school";
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

TEST_F(AdapterBrokerTest, ASchoolShareLandsInItsInboxAndIsAcknowledged) {
  std::string case_id = CaseWithTheSchoolInvolved();
  v1::ShareResponse response;
  grpc::Status status = ShareWithSchool(case_id, "youth_services", &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.acknowledged());
  EXPECT_THAT(response.refusal_reasons(), IsEmpty());
  EXPECT_EQ(Decode(response.delivery_receipt()).outcome(), v1::RECEIPT_OUTCOME_DELIVERED);
  // One file, named by the transaction id, private, holding the share.
  ASSERT_FALSE(response.transaction_id().empty());
  const std::filesystem::path file = SchoolInbox() / (response.transaction_id() + ".json");
  EXPECT_EQ(ModeOf(SchoolInbox()), 0700);
  EXPECT_EQ(ModeOf(file), 0600);
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(SchoolInbox())) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_THAT(names, ElementsAre(response.transaction_id() + ".json"));
  const std::string document = ReadFile(file);
  EXPECT_THAT(document, HasSubstr(R"("format": "wams.share.v1")"));
  EXPECT_THAT(document, HasSubstr(absl::StrCat(R"("case_id": ")", case_id, R"(")")));
  EXPECT_THAT(document, HasSubstr(R"("category": "youth_services")"));
  EXPECT_THAT(document, HasSubstr(R"(ambulante jeugdhulp, sinds januari)"));
  EXPECT_THAT(adapters_[1]->Log(), HasSubstr("youth_services=accepted"));
}

TEST_F(AdapterBrokerTest, ASchoolRefusesAShareItDoesNotAcceptWithAReasonInAnswerAndReceipt) {
  std::string case_id = CaseWithTheSchoolInvolved();
  v1::ShareResponse response;
  grpc::Status status = ShareWithSchool(case_id, "debt_relief_status", &response);

  // The broker granted the share; the school did not take it. Not a retry
  // matter (no UNAVAILABLE), and no acknowledgement claimed.
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.decision().allowed());
  EXPECT_FALSE(response.acknowledged());
  EXPECT_EQ(response.refusal_reasons(),
            "debt_relief_status: Voorbeeldcollege does not accept shares of this category");
  EXPECT_THAT(response.refused_categories(), ElementsAre("debt_relief_status"));
  v1::Receipt receipt = Decode(response.delivery_receipt());
  EXPECT_EQ(receipt.outcome(), v1::RECEIPT_OUTCOME_PROVIDER_REFUSED);
  EXPECT_THAT(receipt.detail(), HasSubstr("share refused by the recipient: debt_relief_status: "
                                          "Voorbeeldcollege does not accept shares"));
  EXPECT_EQ(receipt.payload_sha256().size(), 32u);
  EXPECT_FALSE(std::filesystem::exists(SchoolInbox() / (response.transaction_id() + ".json")));
}

TEST_F(AdapterBrokerTest, AShareRetriedWithTheSameRequestIdIsFiledOnce) {
  std::string case_id = CaseWithTheSchoolInvolved();
  v1::ShareResponse first;
  ASSERT_TRUE(ShareWithSchool(case_id, "youth_services", &first).ok());
  --next_request_;  // the same request id again
  v1::ShareResponse again;
  ASSERT_TRUE(ShareWithSchool(case_id, "youth_services", &again).ok());

  EXPECT_TRUE(again.acknowledged());
  EXPECT_EQ(again.transaction_id(), first.transaction_id());
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(SchoolInbox())) {
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(AdapterBrokerTest, AdapterLogsNeverHoldTheBsn) {
  std::string case_id = CaseWithTheSchoolInvolved();
  v1::ShareResponse shared;
  ASSERT_TRUE(ShareWithSchool(case_id, "youth_services", &shared).ok());
  ASSERT_TRUE(ShareWithSchool(case_id, "wmo_services", &shared).ok());
  for (const auto& adapter : adapters_) EXPECT_THAT(adapter->Log(), Not(HasSubstr("111222333")));
  EXPECT_THAT(ReadFile(broker_.log_path()), Not(HasSubstr("111222333")));
}

}  // namespace
}  // namespace wams::testing
