// Each reference adapter (adapters/config/*.textproto) run as a real
// wams-adapter process and called over mutual TLS by a client playing the
// broker: granted requests, every obligation the party must honour, callers
// that are not the broker, and logs without a BSN.
#include <csignal>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adapters/adapter_harness.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_pki_suite.h"

namespace wams::testing {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

class ReferenceAdapterTest : public DevPkiSuite {
 protected:
  // Starts the named reference adapter; fails the test if it does not come up.
  std::unique_ptr<ReferenceAdapter> StartAdapter(std::string_view name) {
    auto adapter = std::make_unique<ReferenceAdapter>(pki_dir(), name);
    EXPECT_TRUE(adapter->Start()) << name << " did not start: " << adapter->Log();
    return adapter;
  }

  static std::vector<std::string> Categories(const v1::ProviderResponse& response) {
    std::vector<std::string> names;
    for (const v1::CategoryData& data : response.data()) names.push_back(data.category());
    return names;
  }

 private:
};

// --- A granted request, per reference adapter.

struct GrantedCase {
  const char* adapter;
  const char* bsn;
  std::vector<std::string> categories;
  std::vector<std::string> consented;  // explicit consent on record for these
  std::vector<v1::ObligationKind> obligations;
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const GrantedCase& c, std::ostream* out) { *out << c.adapter << " " << c.bsn; }

class GrantedRequestTest : public ReferenceAdapterTest,
                           public ::testing::WithParamInterface<GrantedCase> {};

TEST_P(GrantedRequestTest, ProvidesEveryCategoryOverMutualTls) {
  const GrantedCase& c = GetParam();
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter(c.adapter);
  v1::ProviderRequest request = GrantedRequest(c.bsn, c.categories);
  for (const std::string& category : c.consented) AddConsent(request, category);
  for (v1::ObligationKind kind : c.obligations) AddObligation(request, kind);

  v1::ProviderResponse response;
  grpc::Status status = BrokerCaller(pki_dir(), adapter->port()).Deliver(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED) << response.DebugString();
  EXPECT_EQ(Categories(response), c.categories);
  EXPECT_THAT(response.withheld_categories(), IsEmpty());
  EXPECT_THAT(response.good_care_statement(), IsEmpty()) << "consent was on record";
  for (const v1::CategoryData& data : response.data()) {
    EXPECT_EQ(data.content_type(), "application/json");
    EXPECT_THAT(data.content(), AllOf(HasSubstr("{"), Not(HasSubstr(c.bsn))));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Reference, GrantedRequestTest,
    ::testing::Values(
        GrantedCase{"ggz",
                    "111222333",
                    {"treatment_status", "care_contact", "crisis_plan"},
                    {"treatment_status", "care_contact", "crisis_plan"},
                    {}},
        GrantedCase{"school", "111222333", {"enrolment", "attendance", "support_needs"}, {}, {}},
        GrantedCase{"police",
                    "111222333",
                    {"police_contacts", "incident_summary"},
                    {},
                    {v1::OBLIGATION_KIND_LEGAL_BASIS}},
        GrantedCase{"probation",
                    "123456782",
                    {"supervision_status", "special_conditions"},
                    {},
                    {v1::OBLIGATION_KIND_LEGAL_BASIS}}),
    [](const ::testing::TestParamInfo<GrantedCase>& param_info) {
      return std::string(param_info.param.adapter);
    });

// --- R17: GGZ without consent.

TEST_F(ReferenceAdapterTest, GgzWithoutConsentWithholdsCrisisPlanAndStatesGoodCare) {
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter("ggz");
  v1::ProviderRequest request =
      GrantedRequest("111222333", {"treatment_status", "care_contact", "crisis_plan"});
  AddObligation(request, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT);
  v1::ProviderResponse response;
  grpc::Status status = BrokerCaller(pki_dir(), adapter->port()).Deliver(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED);
  EXPECT_THAT(Categories(response), ElementsAre("treatment_status", "care_contact"));
  EXPECT_THAT(response.withheld_categories(), ElementsAre("crisis_plan"));
  EXPECT_THAT(response.refusal_reasons(),
              AllOf(HasSubstr("crisis_plan"), HasSubstr("explicit consent"), HasSubstr("R17")));
  EXPECT_THAT(response.good_care_statement(),
              AllOf(HasSubstr("treatment_status: Example: the practitioner judges"),
                    HasSubstr("care_contact: Example: the practitioner judges"),
                    Not(HasSubstr("crisis_plan"))));
}

TEST_F(ReferenceAdapterTest, GgzConsentForOneCategoryOnly) {
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter("ggz");
  v1::ProviderRequest request = GrantedRequest("111222333", {"treatment_status", "crisis_plan"});
  AddConsent(request, "crisis_plan");
  AddObligation(request, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT, {"treatment_status"});
  v1::ProviderResponse response;
  ASSERT_TRUE(BrokerCaller(pki_dir(), adapter->port()).Deliver(request, &response).ok());
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  EXPECT_THAT(response.good_care_statement(),
              AllOf(HasSubstr("treatment_status:"), Not(HasSubstr("crisis_plan"))));
}

// --- R16: weighty reasons and conditions.

TEST_F(ReferenceAdapterTest, GgzRefusesForWeightyReasonsWithReasonsStated) {
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter("ggz");
  v1::ProviderRequest request = GrantedRequest("123456782", {"crisis_plan"});
  AddConsent(request, "crisis_plan");
  AddObligation(request, v1::OBLIGATION_KIND_WEIGHTY_REASONS_ALLOWED);
  v1::ProviderResponse response;
  ASSERT_TRUE(BrokerCaller(pki_dir(), adapter->port()).Deliver(request, &response).ok());
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_REFUSED);
  EXPECT_THAT(response.withheld_categories(), ElementsAre("crisis_plan"));
  EXPECT_THAT(response.refusal_reasons(), HasSubstr("endanger the treatment relationship"));
  EXPECT_EQ(response.data_size(), 0);
}

TEST_F(ReferenceAdapterTest, SchoolAttachesConditionsAndWithholdsForWeightyReasons) {
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter("school");
  v1::ProviderRequest request =
      GrantedRequest("999990020", {"enrolment", "attendance", "support_needs"});
  AddObligation(request, v1::OBLIGATION_KIND_CONDITIONS_ALLOWED);
  AddObligation(request, v1::OBLIGATION_KIND_WEIGHTY_REASONS_ALLOWED);
  v1::ProviderResponse response;
  ASSERT_TRUE(BrokerCaller(pki_dir(), adapter->port()).Deliver(request, &response).ok());
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED);
  EXPECT_THAT(Categories(response), ElementsAre("enrolment", "attendance"));
  EXPECT_THAT(response.withheld_categories(), ElementsAre("support_needs"));
  EXPECT_THAT(response.refusal_reasons(), HasSubstr("under review with the parents"));
  EXPECT_THAT(
      response.conditions(),
      ElementsAre("attendance: Discuss absence with the pupil's mentor before acting on it."));
}

TEST_F(ReferenceAdapterTest, UnknownCategoryIsRefusedByName) {
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter("school");
  v1::ProviderRequest request = GrantedRequest("111222333", {"enrolment", "diagnosis"});
  v1::ProviderResponse response;
  ASSERT_TRUE(BrokerCaller(pki_dir(), adapter->port()).Deliver(request, &response).ok());
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED);
  EXPECT_THAT(response.withheld_categories(), ElementsAre("diagnosis"));
  EXPECT_THAT(response.refusal_reasons(),
              HasSubstr("diagnosis: not a category Voorbeeldcollege offers"));
}

// --- R18: the legal basis, per category.

TEST_F(ReferenceAdapterTest, PoliceStatesWpgBasisPerCategory) {
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter("police");
  v1::ProviderRequest request =
      GrantedRequest("111222333", {"police_contacts", "incident_summary"});
  AddObligation(request, v1::OBLIGATION_KIND_LEGAL_BASIS, {"police_contacts", "incident_summary"});
  AddObligation(request, v1::OBLIGATION_KIND_CONDITIONS_ALLOWED);
  v1::ProviderResponse response;
  ASSERT_TRUE(BrokerCaller(pki_dir(), adapter->port()).Deliver(request, &response).ok());
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  EXPECT_THAT(response.legal_basis(), AllOf(HasSubstr("police_contacts: Example: art. 19 Wpg"),
                                            HasSubstr("incident_summary: Example: art. 20 Wpg")));
  EXPECT_THAT(response.conditions(),
              ::testing::Contains(HasSubstr("without the police's assent (R26)")));
}

TEST_F(ReferenceAdapterTest, ProbationStatesWjsgBasisAndConditions) {
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter("probation");
  v1::ProviderRequest request =
      GrantedRequest("123456782", {"supervision_status", "special_conditions"});
  AddObligation(request, v1::OBLIGATION_KIND_LEGAL_BASIS);
  v1::ProviderResponse response;
  ASSERT_TRUE(BrokerCaller(pki_dir(), adapter->port()).Deliver(request, &response).ok());
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  EXPECT_THAT(response.legal_basis(),
              AllOf(HasSubstr("supervision_status: Example: art. 8a Wjsg"),
                    HasSubstr("special_conditions: Example: art. 39f lid 1 Wjsg")));
  EXPECT_EQ(response.conditions_size(), 3);
}

TEST_F(ReferenceAdapterTest, ProbationPersonNotSupervisedIsNotHeld) {
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter("probation");
  v1::ProviderRequest request =
      GrantedRequest("999990019", {"supervision_status", "special_conditions"});
  v1::ProviderResponse response;
  ASSERT_TRUE(BrokerCaller(pki_dir(), adapter->port()).Deliver(request, &response).ok());
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED);
  EXPECT_THAT(response.withheld_categories(), ElementsAre("special_conditions"));
  EXPECT_THAT(response.refusal_reasons(), HasSubstr("holds none for this person"));
}

// --- Only the broker may call.

TEST_F(ReferenceAdapterTest, RefusesCallersThatAreNotTheBroker) {
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter("police");
  v1::ProviderRequest request = GrantedRequest("111222333", {"police_contacts"});
  for (const auto& [cert, oin] :
       std::vector<std::pair<std::string, std::string>>{{"outsider", kOutsiderOin},
                                                        {"municipality", kMunicipalityOin},
                                                        {"ggz", "00000003234567890000"}}) {
    v1::ProviderResponse response;
    grpc::Status status =
        BrokerCaller(pki_dir(), adapter->port(), cert).Deliver(request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << cert;
    EXPECT_THAT(status.error_message(), HasSubstr(oin)) << cert;
    EXPECT_EQ(response.data_size(), 0);
  }
  EXPECT_THAT(adapter->Log(), HasSubstr(absl::StrCat("refused caller oin=", kOutsiderOin)));
}

TEST_F(ReferenceAdapterTest, RefusesCallerWithoutCertificateAtHandshake) {
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter("ggz");
  v1::ProviderResponse response;
  grpc::Status status = BrokerCaller(pki_dir(), adapter->port(), "")
                            .Deliver(GrantedRequest("111222333", {"care_contact"}), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(response.data_size(), 0);
}

// --- Logs.

// R19: the housing corporation may not process the BSN. The broker sends it
// the identifying details instead; the SDK refuses a request that carries
// neither, naming the field.
TEST_F(ReferenceAdapterTest, HousingFindsTheTenantByDetailsAndRefusesARequestNamingNobody) {
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter("housing");
  BrokerCaller broker(pki_dir(), adapter->port());

  v1::ProviderRequest by_number = GrantedRequest("", {"rent_arrears", "tenancy_status"});
  by_number.mutable_subject_details()->set_party_client_number("WSV-10442");
  v1::ProviderResponse response;
  grpc::Status status = broker.Deliver(by_number, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  EXPECT_THAT(Categories(response), UnorderedElementsAre("rent_arrears", "tenancy_status"));

  v1::ProviderRequest nobody = GrantedRequest("", {"rent_arrears"});
  nobody.mutable_subject_details()->set_family_name("de Vries");
  v1::ProviderResponse refused;
  status = broker.Deliver(nobody, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), AllOf(HasSubstr("subject_details"), HasSubstr("R19"),
                                            HasSubstr("date_of_birth, postal_code, house_number"),
                                            Not(HasSubstr("de Vries"))));
}

TEST_F(ReferenceAdapterTest, LogsOneLinePerRequestWithoutBsnOrData) {
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter("ggz");
  BrokerCaller broker(pki_dir(), adapter->port());
  v1::ProviderRequest request =
      GrantedRequest("111222333", {"treatment_status", "crisis_plan", "diagnosis"});
  AddObligation(request, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT);
  v1::ProviderResponse response;
  ASSERT_TRUE(broker.Deliver(request, &response).ok());
  // Ids holding a BSN are refused (field_rules.proto), and the refusal's log
  // line does not carry it either.
  v1::ProviderRequest bsn_ids = GrantedRequest("111222333", {"treatment_status"});
  bsn_ids.set_case_id("case-123456782");
  bsn_ids.set_request_id("req-for-123456782");
  EXPECT_EQ(broker.Deliver(bsn_ids, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::ProviderRequest bad_bsn = GrantedRequest("999990018", {"care_contact"});
  EXPECT_EQ(broker.Deliver(bad_bsn, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_EQ(adapter->process().Stop(SIGTERM), 0);

  std::string log = adapter->Log();
  EXPECT_THAT(
      log, AllOf(HasSubstr(absl::StrCat("deliver request_id=", request.request_id())),
                 HasSubstr("refused a delivery from the broker: request_id: holds a nine-digit"),
                 HasSubstr(absl::StrCat("\"transaction_id\":\"", request.transaction_id(), "\"")),
                 HasSubstr("outcome=PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED"),
                 HasSubstr("treatment_status=provided"), HasSubstr("crisis_plan=no_consent"),
                 HasSubstr("diagnosis=not_offered"), HasSubstr("outcome=INVALID_ARGUMENT")));
  for (const char* secret : {"111222333", "123456782", "999990018", "in_treatment", "Dr. A."}) {
    EXPECT_THAT(log, Not(HasSubstr(secret))) << "the log holds " << secret;
  }
}

// The lines of `log` with `"event":"provider_request"`.
std::vector<std::string> CallLines(const std::string& log) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    if (absl::StrContains(line, R"("event":"provider_request")")) lines.emplace_back(line);
  }
  return lines;
}

// The one call line naming `transaction_id`, or "" (failing the test) when
// there is not exactly one.
std::string CallLineOf(const std::vector<std::string>& lines, const std::string& transaction_id) {
  std::vector<std::string> found;
  for (const std::string& line : lines) {
    if (absl::StrContains(line, absl::StrCat(R"("transaction_id":")", transaction_id, "\""))) {
      found.push_back(line);
    }
  }
  EXPECT_EQ(found.size(), 1u) << transaction_id;
  return found.size() == 1 ? found.front() : "";
}

TEST_F(ReferenceAdapterTest, RefusedRequestsLogTheSameCallLineAsServedOnes) {
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter("ggz");
  BrokerCaller broker(pki_dir(), adapter->port());
  constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto traced = [&](v1::ProviderRequest request) {
    request.set_traceparent(absl::StrCat("00-", kTraceId, "-00f067aa0ba902b7-01"));
    return request;
  };
  v1::ProviderResponse response;
  // Served, one category withheld by the party's policy (R17).
  v1::ProviderRequest served =
      traced(GrantedRequest("111222333", {"treatment_status", "crisis_plan"}));
  AddObligation(served, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT);
  ASSERT_TRUE(broker.Deliver(served, &response).ok());
  // Refused by the SDK: a purpose the Wams forbids (R08).
  v1::ProviderRequest forbidden = traced(GrantedRequest("111222333", {"care_contact"}));
  forbidden.set_purpose(v1::PURPOSE_FRAUD_CONTROL);
  EXPECT_EQ(broker.Deliver(forbidden, &response).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Refused by the SDK: no BSN and too few details to find the person (R19).
  v1::ProviderRequest nobody = traced(GrantedRequest("", {"care_contact"}));
  EXPECT_EQ(broker.Deliver(nobody, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Refused by the answer policy: a BSN that fails the eleven test.
  v1::ProviderRequest bad_bsn = traced(GrantedRequest("999990018", {"care_contact"}));
  EXPECT_EQ(broker.Deliver(bad_bsn, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Refused before the request is looked at: a caller that is not the broker.
  EXPECT_EQ(BrokerCaller(pki_dir(), adapter->port(), "outsider")
                .Deliver(traced(GrantedRequest("111222333", {"care_contact"})), &response)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_EQ(adapter->process().Stop(SIGTERM), 0);

  std::string log = adapter->Log();
  std::vector<std::string> lines = CallLines(log);
  EXPECT_EQ(lines.size(), 5u) << log;
  struct Expected {
    const v1::ProviderRequest* request;
    const char* outcome;
    const char* failed_rules;
  };
  for (const Expected& expected :
       std::vector<Expected>{{&served, "OK", R"("failed_rules":["R17"])"},
                             {&forbidden, "PERMISSION_DENIED", R"("failed_rules":["R08"])"},
                             {&nobody, "INVALID_ARGUMENT", R"("failed_rules":["R19"])"},
                             {&bad_bsn, "INVALID_ARGUMENT", R"("failed_rules":[])"}}) {
    std::string line = CallLineOf(lines, expected.request->transaction_id());
    EXPECT_THAT(line, AllOf(HasSubstr(R"("method":"/wams.broker.v1.ProviderService/Deliver")"),
                            HasSubstr(absl::StrCat(R"("outcome":")", expected.outcome, "\"")),
                            HasSubstr(absl::StrCat(R"("trace_id":")", kTraceId, "\"")),
                            HasSubstr(R"("latency_ms":)"), HasSubstr(expected.failed_rules),
                            HasSubstr(absl::StrCat(R"("peer_oin":")", kBrokerOin, "\""))))
        << expected.request->transaction_id();
  }
  // The outsider's line: who called and the outcome, nothing of its request.
  EXPECT_THAT(log, HasSubstr(absl::StrCat(R"("peer_oin":")", kOutsiderOin, "\"")));
  for (const char* secret : {"111222333", "999990018"}) {
    EXPECT_THAT(log, Not(HasSubstr(secret))) << "the log holds " << secret;
  }
}

// --- Process behaviour.

TEST_F(ReferenceAdapterTest, StopsCleanlyOnSigterm) {
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter("school");
  EXPECT_EQ(adapter->process().Stop(SIGTERM), 0);
  EXPECT_THAT(adapter->Log(), HasSubstr("stopped cleanly"));
}

TEST_F(ReferenceAdapterTest, BadConfigExitsTwoNamingTheField) {
  ReferenceAdapter adapter(pki_dir(), "police",
                           {{"legal_basis: \"Example: art. 20 Wpg", "# legal_basis: \""}});
  EXPECT_FALSE(adapter.Start());
  EXPECT_EQ(adapter.process().Wait(), 2);
  EXPECT_THAT(adapter.Log(), HasSubstr("categories[1].legal_basis: required"));
}

TEST_F(ReferenceAdapterTest, KeyReadableByOthersStopsStartUp) {
  TempDir dir;
  std::filesystem::copy(pki_dir(), dir.path() / "pki");
  std::filesystem::permissions(dir.path() / "pki" / "school.key",
                               std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  ReferenceAdapter adapter(dir.path() / "pki", "school");
  EXPECT_FALSE(adapter.Start());
  // The key is named by the config: a config error, like the broker's.
  EXPECT_EQ(adapter.process().Wait(), 2);
  EXPECT_THAT(adapter.Log(), HasSubstr("invalid config: tls.private_key_file"));
}

TEST_F(ReferenceAdapterTest, MissingCaFileExitsTwoNamingTheField) {
  ReferenceAdapter adapter(pki_dir(), "school",
                           {{"ca_bundle_file: \"" + pki_dir().string() + "/ca.crt\"",
                             "ca_bundle_file: \"" + pki_dir().string() + "/absent-ca.crt\""}});
  EXPECT_FALSE(adapter.Start());
  EXPECT_EQ(adapter.process().Wait(), 2);
  EXPECT_THAT(adapter.Log(), HasSubstr("invalid config: tls.ca_bundle_file: cannot read"));
}

TEST_F(ReferenceAdapterTest, ConfigStringThatIsNotUtf8ExitsTwoNamingTheField) {
  ReferenceAdapter adapter(
      pki_dir(), "school",
      {{"party_name: \"Voorbeeldcollege\"", "party_name: \"Voorbeeld\\377\""}});
  EXPECT_FALSE(adapter.Start());
  EXPECT_EQ(adapter.process().Wait(), 2);
  EXPECT_THAT(adapter.Log(), HasSubstr("invalid config: "));
  EXPECT_THAT(adapter.Log(), HasSubstr("party_name: not valid UTF-8"));
}

}  // namespace
}  // namespace wams::testing
