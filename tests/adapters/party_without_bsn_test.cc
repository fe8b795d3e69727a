// Parties that may not process the BSN (R19), through the public API with
// real processes: a wams-broker process and the housing corporation's
// wams-adapter (adapters/config/housing.textproto) over mutual TLS on
// loopback, and the same broker with a recording provider in the
// corporation's place to see exactly what a party receives.
//
// A request to such a party without identifying details is refused citing
// R19, in the answer and in the receipt; with them, the party gets the
// details and never the BSN, finds its tenant by them, and the receipts hold
// a keyed hash of the details, never the details or the BSN.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/adapters/adapter_harness.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/call_result.h"
#include "tests/testing/client_case.h"
#include "tests/testing/test_provider.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

// A tenant in adapters/config/records/housing.json.
v1::SubjectDetails TenantByNameAndAddress() {
  v1::SubjectDetails details;
  details.set_family_name("de Vries");
  details.set_given_names("Anna");
  details.set_date_of_birth("1984-06-02");
  details.set_postal_code("3511 AB");
  details.set_house_number("12");
  return details;
}

v1::SubjectDetails TenantByNumber() {
  v1::SubjectDetails details;
  details.set_party_client_number("WSV-10442");
  return details;
}

// Every value of the details and the BSN: none may appear in a receipt.
std::vector<std::string> Secrets() {
  return {kClientBsn, "de Vries", "Anna", "1984-06-02", "3511 AB", "WSV-10442"};
}

// Starts a broker whose registry points the housing corporation at
// `housing_endpoint`; requests as the municipality.
class PartyWithoutBsnBase : public ::testing::Test {
 protected:
  void StartBroker(const std::string& housing_endpoint) {
    ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7456", housing_endpoint), 1);
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  }

  void Prepare(grpc::ClientContext* context) {
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    context->AddMetadata("x-wams-professional-id", "wmo-consulent-12");
  }

  // A client case with housing and education in the client's scope.
  std::string OpenCase() {
    return OpenClientCase(broker_, absl::StrCat("open-", ++next_request_), kClientBsn,
                          {v1::DOMAIN_HOUSING, v1::DOMAIN_EDUCATION});
  }

  v1::DataRequest Rent(const std::string& case_id, const v1::SubjectDetails* details,
                       const std::string& provider = kHousingOin,
                       const std::string& category = "rent_arrears") {
    v1::DataRequest request;
    request.set_request_id(absl::StrCat("req-", ++next_request_));
    request.set_case_id(case_id);
    request.set_subject_bsn(kClientBsn);
    request.set_provider_oin(provider);
    request.set_purpose(v1::PURPOSE_RESEARCH);
    request.add_categories(category);
    request.set_justification("Huurachterstand kan met de schulden samenhangen.");
    if (details != nullptr) *request.mutable_subject_details() = *details;
    return request;
  }

  grpc::Status Send(const v1::DataRequest& request, v1::DataResponse* response) {
    grpc::ClientContext context;
    Prepare(&context);
    return v1::ExchangeService::NewStub(broker_.Channel("municipality"))
        ->RequestData(&context, request, response);
  }

  static void ExpectNoSecrets(const v1::SignedReceipt& receipt, absl::string_view which) {
    for (const std::string& secret : Secrets()) {
      EXPECT_FALSE(absl::StrContains(receipt.receipt_bytes(), secret))
          << which << " receipt holds \"" << secret << "\"";
    }
  }

  BrokerFixture broker_;
  int next_request_ = 0;
};

class HousingAdapterTest : public PartyWithoutBsnBase {
 protected:
  void SetUp() override {
    adapter_ = std::make_unique<ReferenceAdapter>(broker_.pki_dir(), "housing");
    ASSERT_TRUE(adapter_->Start()) << adapter_->Log();
    StartBroker(adapter_->address());
  }

  std::unique_ptr<ReferenceAdapter> adapter_;
};

TEST_F(HousingAdapterTest, WithoutDetailsIsRefusedCitingR19InTheAnswerAndTheReceipt) {
  const std::string case_id = OpenCase();
  v1::DataResponse response;
  CallResult result = ResultOf(Send(Rent(case_id, nullptr), &response));

  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << result.status.error_message();
  EXPECT_THAT(result.status.error_message(), HasSubstr("R19"));
  EXPECT_THAT(result.decision.failed_rule_ids(), Contains("R19"));
  ASSERT_EQ(result.receipts.size(), 1u);
  EXPECT_EQ(result.receipts[0].outcome(), v1::RECEIPT_OUTCOME_REFUSED);
  EXPECT_THAT(result.receipts[0].failed_rule_ids(), Contains("R19"));
  EXPECT_TRUE(result.receipts[0].subject_details_hmac().empty());
  // Nothing reached the corporation.
  EXPECT_THAT(adapter_->Log(), Not(HasSubstr("deliver request_id=")));
}

TEST_F(HousingAdapterTest, FindsTheTenantByItsNumberOrByNameDateOfBirthAndAddress) {
  const std::string case_id = OpenCase();
  for (const v1::SubjectDetails& details : {TenantByNumber(), TenantByNameAndAddress()}) {
    SCOPED_TRACE(details.ShortDebugString());
    v1::DataResponse response;
    grpc::Status status = Send(Rent(case_id, &details), &response);
    ASSERT_TRUE(status.ok()) << status.error_message();

    // Found in the records, which hold no BSN at all: by the details.
    EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED);
    ASSERT_EQ(response.data_size(), 1);
    EXPECT_THAT(response.data(0).content(), HasSubstr("\"months_in_arrears\":3"));
    const v1::Receipt decision = Decode(response.decision_receipt());
    const v1::Receipt answer = Decode(response.answer_receipt());
    EXPECT_EQ(answer.outcome(), v1::RECEIPT_OUTCOME_DELIVERED);
    // A keyed hash of the details, never the details or the BSN.
    EXPECT_EQ(decision.subject_details_hmac().size(), 32u);
    EXPECT_EQ(answer.subject_details_hmac(), decision.subject_details_hmac());
    ExpectNoSecrets(response.decision_receipt(), "decision");
    ExpectNoSecrets(response.answer_receipt(), "answer");
  }
  // The corporation's log names neither.
  for (const std::string& secret : Secrets()) {
    EXPECT_THAT(adapter_->Log(), Not(HasSubstr(secret)));
  }
}

TEST_F(HousingAdapterTest, DetailsOfSomeoneElseFindNoTenant) {
  const std::string case_id = OpenCase();
  v1::SubjectDetails other = TenantByNameAndAddress();
  other.set_date_of_birth("1984-06-03");
  v1::DataResponse response;
  grpc::Status status = Send(Rent(case_id, &other), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_REFUSED);
  EXPECT_THAT(response.refusal_reasons(), HasSubstr("holds none for this person"));
}

// A recording provider in the corporation's place (and the school's), to see what
// exactly a party receives.
class WhatThePartyReceivesTest : public PartyWithoutBsnBase {
 protected:
  void SetUp() override {
    ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7453", school_.endpoint()), 1);
    StartBroker(housing_.endpoint());
  }

  TestProvider housing_{broker_.pki_dir(), "housing"};
  TestProvider school_{broker_.pki_dir(), "school"};
};

TEST_F(WhatThePartyReceivesTest, APartyWithoutBsnGetsTheDetailsAndNoBsn) {
  const std::string case_id = OpenCase();
  const v1::SubjectDetails details = TenantByNameAndAddress();
  v1::DataResponse response;
  grpc::Status status = Send(Rent(case_id, &details), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  std::vector<v1::ProviderRequest> received = housing_.Received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_TRUE(received[0].subject_bsn().empty());
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(received[0].subject_details(), details))
      << received[0].subject_details().ShortDebugString();
  EXPECT_FALSE(absl::StrContains(received[0].SerializeAsString(), kClientBsn));
}

TEST_F(WhatThePartyReceivesTest, APartyThatMayProcessTheBsnGetsTheBsnAndNoDetails) {
  const std::string case_id = OpenCase();
  const v1::SubjectDetails details = TenantByNameAndAddress();
  v1::DataResponse response;
  grpc::Status status = Send(Rent(case_id, &details, kSchoolOin, "attendance"), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  std::vector<v1::ProviderRequest> received = school_.Received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].subject_bsn(), kClientBsn);
  // Data minimisation: details the party does not need are not sent.
  EXPECT_FALSE(received[0].has_subject_details());
  for (const char* secret : {"de Vries", "1984-06-02", "3511 AB"}) {
    EXPECT_FALSE(absl::StrContains(received[0].SerializeAsString(), secret)) << secret;
  }
}

TEST_F(WhatThePartyReceivesTest, AShareToAPartyWithoutBsnNeedsTheDetailsToo) {
  const std::string case_id = OpenCase();
  const v1::SubjectDetails details = TenantByNumber();
  v1::DataResponse asked;  // the corporation is involved once asked (R21)
  ASSERT_TRUE(Send(Rent(case_id, &details), &asked).ok());

  auto share = [&](const v1::SubjectDetails* with) {
    v1::ShareRequest request;
    request.set_request_id(absl::StrCat("share-", ++next_request_));
    request.set_case_id(case_id);
    request.set_subject_bsn(kClientBsn);
    request.set_recipient_oin(kHousingOin);
    request.set_purpose(v1::PURPOSE_RESEARCH);
    request.add_categories("wmo_services");
    request.set_justification("De corporatie hoort welke Wmo-ondersteuning loopt.");
    v1::CategoryData* data = request.add_data();
    data->set_category("wmo_services");
    data->set_content(R"({"support": "huishoudelijke hulp"})");
    data->set_content_type("application/json");
    if (with != nullptr) *request.mutable_subject_details() = *with;
    grpc::ClientContext context;
    Prepare(&context);
    v1::ShareResponse response;
    return ResultOf(v1::ExchangeService::NewStub(broker_.Channel("municipality"))
                        ->ShareData(&context, request, &response));
  };

  CallResult refused = share(nullptr);
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << refused.status.error_message();
  EXPECT_THAT(refused.decision.failed_rule_ids(), Contains("R19"));
  ASSERT_EQ(refused.receipts.size(), 1u);
  EXPECT_THAT(refused.receipts[0].failed_rule_ids(), Contains("R19"));
  EXPECT_EQ(housing_.Received().size(), 1u);  // only the data request

  CallResult shared = share(&details);
  EXPECT_TRUE(shared.status.ok()) << shared.status.error_message();
  std::vector<v1::ProviderRequest> received = housing_.Received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_TRUE(received[1].is_share());
  EXPECT_TRUE(received[1].subject_bsn().empty());
  EXPECT_EQ(received[1].subject_details().party_client_number(), "WSV-10442");
}

TEST_F(WhatThePartyReceivesTest, TheRequestIdIsBoundToTheDetails) {
  const std::string case_id = OpenCase();
  const v1::SubjectDetails details = TenantByNameAndAddress();
  v1::DataRequest first = Rent(case_id, &details);
  v1::DataResponse response;
  ASSERT_TRUE(Send(first, &response).ok());

  // The same id about another person (other details) is no retry.
  v1::DataRequest other = first;
  other.mutable_subject_details()->set_date_of_birth("1990-01-01");
  v1::DataResponse reused;
  grpc::Status status = Send(other, &reused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("request_id"));
  EXPECT_EQ(housing_.Received().size(), 1u);

  // The exact retry is one.
  v1::DataResponse retried;
  EXPECT_TRUE(Send(first, &retried).ok());
  EXPECT_EQ(housing_.Received().size(), 1u);
}

TEST_F(WhatThePartyReceivesTest, DetailsOutsideTheirSyntaxAreInvalidArgumentNamingTheField) {
  const std::string case_id = OpenCase();
  struct Bad {
    std::string field;
    std::function<void(v1::SubjectDetails&)> change;
  };
  for (const Bad& bad : std::vector<Bad>{
           {"subject_details.date_of_birth",
            [](v1::SubjectDetails& d) { d.set_date_of_birth("1984-02-30"); }},
           {"subject_details.postal_code",
            [](v1::SubjectDetails& d) { d.set_postal_code("3511AB"); }},
           {"subject_details.family_name",
            [](v1::SubjectDetails& d) { d.set_family_name("de Vries\nINFO forged"); }},
           {"subject_details.party_client_number",
            [](v1::SubjectDetails& d) { d.set_party_client_number(kClientBsn); }},
       }) {
    v1::SubjectDetails details = TenantByNameAndAddress();
    bad.change(details);
    v1::DataResponse response;
    grpc::Status status = Send(Rent(case_id, &details), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.field;
    EXPECT_THAT(status.error_message(), HasSubstr(bad.field));
  }
  EXPECT_TRUE(housing_.Received().empty());
}

}  // namespace
}  // namespace wams::testing
