// Adapters defend themselves (issue 15, items 3 and 9): a wams-adapter
// process with the HTTP backend (the school-http reference config) in front
// of a recording party system, called directly by a caller holding the
// broker's certificate, as a compromised or buggy broker would. The SDK
// checks every field of the delivery against the API's field rules and
// refuses the purposes the Wams forbids (R08), before its backend, its log
// or the party's system hears anything. The HTTP backend, used as a library
// without the SDK, builds no header from an unchecked value either.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "adapters/backends/http_backend.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adapters/adapter_harness.h"
#include "tests/security/recording_party_system.h"
#include "tests/security/security_test_util.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/dev_pki_suite.h"

namespace wams::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kForgedLine[] = "2026-12-03T10:00:00.000Z INFO forged";

// A request id that ends its log line and its HTTP header and starts the
// attacker's own: the requester OIN and purpose of their choosing.
std::string InjectingRequestId() {
  return absl::StrCat("r1\n", kForgedLine, "\r\nX-Wams-Requester-Oin: ", kOutsiderOin,
                      "\r\nX-Wams-Purpose: PURPOSE_RESEARCH");
}

class AdapterSelfDefenceTest : public DevPkiSuite {
 protected:
  void SetUp() override {
    adapter_ =
        std::make_unique<ReferenceAdapter>(pki_dir(), "school-http",
                                           std::vector<std::pair<std::string, std::string>>{
                                               {"http://127.0.0.1:8080", system_.base_url()}});
    ASSERT_TRUE(adapter_->Start()) << adapter_->Log();
    broker_ = std::make_unique<BrokerCaller>(pki_dir(), adapter_->port());
  }

  grpc::Status Deliver(const v1::ProviderRequest& request) {
    v1::ProviderResponse response;
    return broker_->Deliver(request, &response);
  }

  RecordingPartySystem system_;
  std::unique_ptr<ReferenceAdapter> adapter_;
  std::unique_ptr<BrokerCaller> broker_;
};

TEST_F(AdapterSelfDefenceTest, ARequestIdWithCrLfReachesNeitherTheLogNorThePartysHeaders) {
  v1::ProviderRequest request = GrantedRequest(kClientBsn, {"attendance"});
  request.set_request_id(InjectingRequestId());
  grpc::Status status = Deliver(request);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(status.error_message(),
              AllOf(HasSubstr("request_id: must be ASCII letters"), Not(HasSubstr(kOutsiderOin))));
  for (const RecordingPartySystem::Received& received : system_.Requests()) {
    for (const auto& [name, value] : received.headers) {
      EXPECT_THAT(value, Not(HasSubstr(kOutsiderOin))) << name << " was injected";
    }
  }
  EXPECT_THAT(system_.Requests(), IsEmpty());
  EXPECT_FALSE(SomeLineStartsWith(adapter_->Log(), kForgedLine)) << adapter_->Log();
  EXPECT_THAT(adapter_->Log(), HasSubstr("refused a delivery from the broker: request_id"));

  // The adapter goes on answering well-formed requests.
  EXPECT_TRUE(Deliver(GrantedRequest(kClientBsn, {"attendance"})).ok());
  EXPECT_EQ(system_.Requests().size(), 1u);
}

TEST_F(AdapterSelfDefenceTest, EveryIdentifierOfTheDeliveryIsChecked) {
  struct Bad {
    const char* field;
    void (*set)(v1::ProviderRequest&);
  };
  for (const Bad& bad : {
           Bad{"case_id", [](v1::ProviderRequest& r) { r.set_case_id("c1\r\nX-Evil: 1"); }},
           Bad{"transaction_id",
               [](v1::ProviderRequest& r) { r.set_transaction_id("t1\nX-Evil: 1"); }},
           Bad{"traceparent",
               [](v1::ProviderRequest& r) { r.set_traceparent("00-\r\nX-Evil: 1"); }},
           Bad{"professional_id",
               [](v1::ProviderRequest& r) { r.set_professional_id("prof 1\r\n"); }},
           Bad{"requester_oin", [](v1::ProviderRequest& r) { r.set_requester_oin(kClientBsn); }},
           Bad{"categories[0]", [](v1::ProviderRequest& r) { r.set_categories(0, "Attend\n"); }},
           Bad{"justification",
               [](v1::ProviderRequest& r) { r.set_justification(std::string(20000, 'j')); }},
       }) {
    v1::ProviderRequest request = GrantedRequest(kClientBsn, {"attendance"});
    bad.set(request);
    grpc::Status status = Deliver(request);
    EXPECT_THAT(status.error_code(), ::testing::AnyOf(grpc::StatusCode::INVALID_ARGUMENT,
                                                      grpc::StatusCode::RESOURCE_EXHAUSTED))
        << bad.field;
    EXPECT_THAT(status.error_message(), HasSubstr(absl::StrCat(bad.field, ":"))) << bad.field;
  }
  EXPECT_THAT(system_.Requests(), IsEmpty());
}

TEST_F(AdapterSelfDefenceTest, ForbiddenPurposesAreRefusedWhateverTheBrokerSent) {
  for (v1::Purpose purpose : {v1::PURPOSE_CRIMINAL_INVESTIGATION, v1::PURPOSE_FRAUD_CONTROL}) {
    v1::ProviderRequest request = GrantedRequest(kClientBsn, {"attendance"});
    request.set_purpose(purpose);
    grpc::Status status = Deliver(request);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << v1::Purpose_Name(purpose) << ": " << status.error_message();
    EXPECT_THAT(status.error_message(), AllOf(HasSubstr("purpose"), HasSubstr("R08")));
  }
  EXPECT_THAT(system_.Requests(), IsEmpty());
}

// The backend as a library, without the SDK's check in front of it.
TEST(HttpBackendHeadersTest, NoHeaderIsBuiltFromAValueWithControlCharacters) {
  RecordingPartySystem system;
  adapters::HttpBackendOptions options;
  options.url_templates["attendance"] =
      absl::StrCat(system.base_url(), "/clients/{bsn}/attendance");
  absl::StatusOr<std::unique_ptr<adapters::HttpBackend>> backend =
      adapters::HttpBackend::Create(std::move(options));
  ASSERT_TRUE(backend.ok()) << backend.status();

  v1::ProviderRequest request = GrantedRequest(kClientBsn, {"attendance"});
  request.set_request_id(InjectingRequestId());
  adapters::CategoryAnswer answer = (*backend)->Fetch(request, "attendance");
  EXPECT_EQ(answer.kind, adapters::CategoryAnswer::Kind::kUnavailable);
  EXPECT_THAT(answer.reason, AllOf(HasSubstr("request_id"), Not(HasSubstr(kOutsiderOin))));

  request = GrantedRequest(kClientBsn, {"attendance"});
  request.set_requester_oin(absl::StrCat(kMunicipalityOin, "\r\nX-Evil: 1"));
  EXPECT_EQ((*backend)->Fetch(request, "attendance").kind,
            adapters::CategoryAnswer::Kind::kUnavailable);
  EXPECT_THAT(system.Requests(), IsEmpty());

  // A well-formed request goes through, its headers as the SDK sent them.
  answer = (*backend)->Fetch(GrantedRequest(kClientBsn, {"attendance"}), "attendance");
  EXPECT_EQ(answer.kind, adapters::CategoryAnswer::Kind::kData) << answer.reason;
  ASSERT_EQ(system.Requests().size(), 1u);
  EXPECT_EQ(system.Requests()[0].headers.count("x-wams-requester-oin"), 1u);
}

}  // namespace
}  // namespace wams::testing
