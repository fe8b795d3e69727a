// Identifiers carrying control characters (issue 15, item 3), end to end: a
// real wams-broker, the school's wams-adapter with the HTTP backend, and the
// school's own HTTP system (recording). A request id with CR/LF used to be
// accepted, forge lines in the adapter log and inject X-Wams-Requester-Oin
// and X-Wams-Purpose headers into the school's system. Now the broker
// refuses it, naming the field, and receipts the refusal without it.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/adapters/adapter_harness.h"
#include "tests/security/recording_party_system.h"
#include "tests/security/security_test_util.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/call_result.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/status_matchers.h"
#include "wams/broker/v1/case.grpc.pb.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::wams::testing::StatusIs;

constexpr char kForgedLine[] = "2026-12-03T10:00:00.000Z INFO forged";

class ControlCharactersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    adapter_ =
        std::make_unique<ReferenceAdapter>(broker_.pki_dir(), "school-http",
                                           std::vector<std::pair<std::string, std::string>>{
                                               {"http://127.0.0.1:8080", system_.base_url()}});
    ASSERT_TRUE(adapter_->Start()) << adapter_->Log();
    ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7453", adapter_->address()), 1);
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
    case_id_ = OpenCase();
  }

  static void Prepare(grpc::ClientContext* context) {
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    context->AddMetadata("x-wams-professional-id", "wmo-consulent-12");
  }

  std::string OpenCase() {
    v1::OpenClientCaseRequest open;
    open.set_request_id("open-1");
    open.set_client_bsn(kClientBsn);
    open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
    open.mutable_scope()->add_domains_in(v1::DOMAIN_EDUCATION);
    grpc::ClientContext context;
    Prepare(&context);
    v1::CaseResponse opened;
    grpc::Status status = v1::CaseService::NewStub(broker_.Channel("municipality"))
                              ->OpenClientCase(&context, open, &opened);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return opened.case_().case_id();
  }

  CallResult RequestData(const std::string& request_id) {
    v1::DataRequest request;
    request.set_request_id(request_id);
    request.set_case_id(case_id_);
    request.set_subject_bsn(kClientBsn);
    request.set_provider_oin(kSchoolOin);
    request.set_purpose(v1::PURPOSE_RESEARCH);
    request.add_categories("attendance");
    request.set_justification("Nodig om het verzuim te begrijpen.");
    grpc::ClientContext context;
    Prepare(&context);
    v1::DataResponse response;
    return ResultOf(v1::ExchangeService::NewStub(broker_.Channel("municipality"))
                        ->RequestData(&context, request, &response));
  }

  BrokerFixture broker_;
  RecordingPartySystem system_;
  std::unique_ptr<ReferenceAdapter> adapter_;
  std::string case_id_;
};

TEST_F(ControlCharactersTest, ARequestIdWithCrLfIsRefusedAndInjectsNothing) {
  std::string injecting =
      absl::StrCat("r1\n", kForgedLine, "\r\nX-Wams-Requester-Oin: ", kOutsiderOin,
                   "\r\nX-Wams-Purpose: PURPOSE_RESEARCH");
  CallResult result = RequestData(injecting);

  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << result.status.error_message();
  EXPECT_EQ(result.status.error_message(),
            "request_id: must be ASCII letters, digits, '.', '_', ':' or '-' only");
  // Receipted as refused (rules §9), without the id.
  ASSERT_THAT(result.receipts, SizeIs(1));
  EXPECT_EQ(result.receipts[0].request_id(), "");
  EXPECT_THAT(result.receipts[0].SerializeAsString(), Not(HasSubstr(kOutsiderOin)));

  EXPECT_THAT(system_.Requests(), IsEmpty());
  EXPECT_FALSE(SomeLineStartsWith(adapter_->Log(), kForgedLine)) << adapter_->Log();
  EXPECT_FALSE(SomeLineStartsWith(ReadFile(broker_.log_path()), kForgedLine));

  // A well-formed request reaches the school's system with the broker's
  // headers, once each.
  CallResult granted = RequestData("req-ok-1");
  ASSERT_TRUE(granted.status.ok()) << granted.status.error_message();
  std::vector<RecordingPartySystem::Received> received = system_.Requests();
  ASSERT_THAT(received, SizeIs(1));
  const std::multimap<std::string, std::string>& headers = received[0].headers;
  std::string all;
  for (const auto& [name, value] : headers) absl::StrAppend(&all, name, ": ", value, "\n");
  ASSERT_EQ(headers.count("x-wams-requester-oin"), 1u) << all;
  EXPECT_EQ(headers.find("x-wams-requester-oin")->second, kMunicipalityOin);
  EXPECT_EQ(headers.find("x-wams-request-id")->second, "req-ok-1");
}

TEST_F(ControlCharactersTest, ProfessionalIdsOutsideTheirSyntaxAreRefusedAtTheDoor) {
  v1::WhoAmIRequest request;
  v1::WhoAmIResponse response;
  // proto/README.md, door.professional-id: outside the character class is
  // INVALID_ARGUMENT, over 128 bytes RESOURCE_EXHAUSTED.
  const std::pair<std::string, grpc::StatusCode> cases[] = {
      {"prof 1", grpc::StatusCode::INVALID_ARGUMENT},
      {"prof<script>", grpc::StatusCode::INVALID_ARGUMENT},
      {std::string(129, 'p'), grpc::StatusCode::RESOURCE_EXHAUSTED},
      {absl::StrCat("bsn-", kClientBsn), grpc::StatusCode::INVALID_ARGUMENT},
  };
  for (const auto& [id, code] : cases) {
    grpc::ClientContext context;
    context.AddMetadata("x-wams-professional-id", id);
    grpc::Status status = v1::ExchangeService::NewStub(broker_.Channel("municipality"))
                              ->WhoAmI(&context, request, &response);
    EXPECT_THAT(status, StatusIs(code)) << id;
    EXPECT_THAT(status.error_message(), HasSubstr("x-wams-professional-id: ")) << id;
    EXPECT_THAT(status.error_message(), Not(HasSubstr(id))) << id;
  }
}

}  // namespace
}  // namespace wams::testing
