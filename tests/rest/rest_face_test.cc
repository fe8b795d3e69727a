// The REST/JSON face end to end (issue 20): a real broker process with its
// rest_address, real providers over mTLS, clients over HTTPS with client
// certificates. The walkthrough's first steps with curl; the same request
// through both faces gives the same receipts; every error is problem+json.
#include <httplib.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/rest/openapi/openapi_document.h"
#include "broker/rest/problem.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/exchange/exchange_test_fixture.h"
#include "tests/testing/call_result.h"
#include "tests/testing/idle_connections.h"
#include "tests/testing/subprocess.h"
#include "wams/broker/v1/audit.grpc.pb.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

struct HttpAnswer {
  int status = 0;  // 0: no HTTP answer at all (e.g. the handshake failed)
  std::string body;
  std::multimap<std::string, std::string> headers;
  std::string Header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
      if (absl::EqualsIgnoreCase(key, name)) return value;
    }
    return "";
  }
};

google::protobuf::Struct JsonObject(const std::string& json) {
  google::protobuf::Struct object;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &object).ok()) << json;
  return object;
}

// The receipt without what differs between two calls of one request: its
// id and time, and the call's own ids.
v1::Receipt WithoutCallIds(v1::Receipt receipt) {
  receipt.clear_receipt_id();
  receipt.clear_time();
  receipt.clear_request_id();
  receipt.clear_trace_id();
  receipt.clear_span_id();
  receipt.clear_transaction_id();
  receipt.clear_decision_leaf_index();
  return receipt;
}

class RestFaceTest : public ExchangeFlowTest {
 protected:
  void BeforeBrokerStart() override {
    ASSERT_EQ(broker_.ReplaceInConfig("listen_address: \"127.0.0.1:0\"",
                                      "listen_address: \"127.0.0.1:0\"\n"
                                      "rest_address: \"127.0.0.1:0\"\n"
                                      "metrics_address: \"127.0.0.1:0\"\n"
                                      "privacy_officer_ids: \"fg-privacy-1\""),
              1);
  }
  void SetUp() override {
    ExchangeFlowTest::SetUp();
    if (HasFatalFailure()) return;
    // After "listening on": "metrics on HOST:PORT", then "rest on HOST:PORT".
    metrics_port_ = PortAfter("metrics on 127.0.0.1:");
    rest_port_ = PortAfter("rest on 127.0.0.1:");
    ASSERT_GT(metrics_port_, 0);
    ASSERT_GT(rest_port_, 0);
  }
  int PortAfter(std::string_view prefix) {
    std::optional<std::string> line = broker_.process().ReadStdoutLine(absl::Seconds(20));
    int port = 0;
    if (!line.has_value() || !line->starts_with(prefix) ||
        !absl::SimpleAtoi(line->substr(prefix.size()), &port)) {
      ADD_FAILURE() << "expected \"" << prefix << "...\", got " << line.value_or("(nothing)");
    }
    return port;
  }

  // One HTTPS call as `cert_name` ("" for no client certificate).
  HttpAnswer Call(const std::string& method, const std::string& path, const std::string& body = "",
                  const std::string& cert_name = "municipality",
                  httplib::Headers headers = {{"x-wams-professional-id", kCaseWorker}},
                  const std::string& content_type = "application/json") {
    const std::string pki = broker_.pki_dir().string();
    std::unique_ptr<httplib::SSLClient> client =
        cert_name.empty() ? std::make_unique<httplib::SSLClient>("127.0.0.1", rest_port_)
                          : std::make_unique<httplib::SSLClient>("127.0.0.1", rest_port_,
                                                                 pki + "/" + cert_name + ".crt",
                                                                 pki + "/" + cert_name + ".key");
    client->set_ca_cert_path(pki + "/ca.crt");
    client->enable_server_certificate_verification(true);
    client->set_read_timeout(20, 0);
    httplib::Request request;
    request.method = method;
    request.path = path;
    request.headers = std::move(headers);
    if (!body.empty() || method == "POST" || method == "PUT") {
      request.body = body;
      request.set_header("Content-Type", content_type);
    }
    httplib::Result result = client->send(request);
    if (!result) return HttpAnswer{};
    return HttpAnswer{
        result->status, result->body,
        std::multimap<std::string, std::string>(result->headers.begin(), result->headers.end())};
  }

  std::string RequestJson(const v1::DataRequest& request) {
    std::string json;
    EXPECT_TRUE(google::protobuf::util::MessageToJsonString(request, &json).ok());
    return json;
  }

  // A problem+json answer with exactly the RFC 9457 members the ADR allow.
  static void ExpectProblem(const HttpAnswer& answer, int status) {
    EXPECT_EQ(answer.status, status) << answer.body;
    EXPECT_EQ(answer.Header("Content-Type"), "application/problem+json");
    EXPECT_EQ(answer.Header("API-Version"), "1.0.0");
    EXPECT_EQ(answer.headers.count("API-Version"), 1u) << "API-Version sent more than once";
    google::protobuf::Struct problem = JsonObject(answer.body);
    for (const auto& [member, value] : problem.fields()) {
      EXPECT_THAT((std::vector<std::string>{"type", "title", "status", "detail", "instance"}),
                  ::testing::Contains(member))
          << "a member the ADR do not allow: " << member;
    }
    EXPECT_EQ(problem.fields().at("status").number_value(), status);
    EXPECT_FALSE(problem.fields().at("title").string_value().empty());
    EXPECT_FALSE(problem.fields().at("detail").string_value().empty());
  }

  int rest_port_ = 0;
  int metrics_port_ = 0;
};

TEST_F(RestFaceTest, TheWalkthroughsFirstStepsOverRestWithCurl) {
  std::string output;
  const int exit_code =
      RunCommand({"bash", SourcePath("tests/rest/rest_walkthrough.sh"),
                  absl::StrCat("https://127.0.0.1:", rest_port_), broker_.pki_dir().string()},
                 &output);
  EXPECT_EQ(exit_code, 0) << output;
  EXPECT_THAT(output, HasSubstr("REST WALKTHROUGH PASSED"));
  // The GGZ was asked once, with what the JSON body said.
  ASSERT_EQ(ggz_->Received().size(), 1u);
  EXPECT_THAT(ggz_->Received()[0].categories(),
              UnorderedElementsAre("treatment_status", "care_contact"));
  EXPECT_TRUE(police_->Received().empty());
}

TEST_F(RestFaceTest, TheTwoFacesGiveIdenticalReceiptsForTheSameRequest) {
  const v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {v1::DOMAIN_POLICE});

  // Granted: a decision receipt and an answer receipt from each face.
  v1::DataRequest granted = NewRequest(opened.case_id(), kSchoolOin, {"attendance"});
  v1::DataResponse over_grpc;
  ASSERT_TRUE(RequestData(granted, &over_grpc).status.ok());
  granted.set_request_id("twin-over-rest");
  HttpAnswer answer = Call("POST", "/api/v1/data-requests", RequestJson(granted));
  ASSERT_EQ(answer.status, 200) << answer.body;
  v1::DataResponse over_rest;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(answer.body, &over_rest).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      WithoutCallIds(Decode(over_grpc.decision_receipt())),
      WithoutCallIds(Decode(over_rest.decision_receipt()))))
      << Decode(over_grpc.decision_receipt()).DebugString() << " vs "
      << Decode(over_rest.decision_receipt()).DebugString();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      WithoutCallIds(Decode(over_grpc.answer_receipt())),
      WithoutCallIds(Decode(over_rest.answer_receipt()))));
  EXPECT_EQ(Decode(over_rest.decision_receipt()).request_id(), "twin-over-rest");

  // Refused (the police are outside the client's scope, R04): the receipt
  // the gRPC details carry equals the one the REST problem's instance names.
  v1::DataRequest refused = NewRequest(opened.case_id(), kPoliceOin, {"police_contacts"});
  v1::DataResponse ignored;
  CallResult grpc_refusal = RequestData(refused, &ignored);
  ASSERT_EQ(grpc_refusal.receipts.size(), 1u);
  refused.set_request_id("twin-refused-over-rest");
  HttpAnswer problem = Call("POST", "/api/v1/data-requests", RequestJson(refused));
  ExpectProblem(problem, 403);
  const google::protobuf::Struct fields = JsonObject(problem.body);
  EXPECT_EQ(fields.fields().at("detail").string_value(), grpc_refusal.status.error_message());
  const std::string instance = fields.fields().at("instance").string_value();
  ASSERT_TRUE(absl::StartsWith(instance, "/api/v1/receipts/")) << instance;
  HttpAnswer receipt = Call("GET", instance);
  ASSERT_EQ(receipt.status, 200) << receipt.body;
  v1::ReceiptView view;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(receipt.body, &view).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      WithoutCallIds(grpc_refusal.receipts[0]), WithoutCallIds(Decode(view.signed_receipt()))));
  EXPECT_THAT(view.decision().failed_rule_ids(), ::testing::Contains("R04"));
  EXPECT_EQ(fields.fields().at("type").string_value(),
            absl::StrCat("/api/v1/problem-types/", view.decision().failed_rule_ids(0)));
}

// One refusal per gRPC code the cores give, through both faces: the HTTP
// status is the table's for the gRPC code (broker/rest/README.md).
TEST_F(RestFaceTest, EachRefusalCodeMapsToItsHttpStatus) {
  const v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {v1::DOMAIN_POLICE});
  struct Twin {
    grpc::Status over_grpc;
    HttpAnswer over_rest;
    int expected;
  };
  std::vector<Twin> twins;

  // PERMISSION_DENIED: a role/authority rule (R04, outside the client's scope).
  v1::DataRequest police = NewRequest(opened.case_id(), kPoliceOin, {"police_contacts"});
  v1::DataResponse ignored;
  grpc::Status denied = RequestData(police, &ignored).status;
  police.set_request_id("rest-" + police.request_id());
  twins.push_back({denied, Call("POST", "/api/v1/data-requests", RequestJson(police)), 403});

  // FAILED_PRECONDITION: erasure on request while the person has an open case.
  v1::EraseSubjectRequest erase;
  erase.set_subject_bsn(kClientBsn);
  erase.set_basis(v1::ERASURE_BASIS_DATA_SUBJECT_REQUEST);
  erase.set_justification("Verzoek van betrokkene.");
  grpc::ClientContext context;
  Prepare(&context, "fg-privacy-1");
  v1::EraseSubjectResponse erased;
  grpc::Status open_case = v1::AuditService::NewStub(broker_.Channel("municipality"))
                               ->EraseSubject(&context, erase, &erased);
  std::string erase_json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(erase, &erase_json).ok());
  twins.push_back({open_case,
                   Call("POST", "/api/v1/erasures", erase_json, "municipality",
                        {{"x-wams-professional-id", "fg-privacy-1"}}),
                   409});

  // INVALID_ARGUMENT: a BSN that fails the elfproef.
  v1::DataRequest bad_bsn = NewRequest(opened.case_id(), kSchoolOin, {"attendance"});
  bad_bsn.set_subject_bsn("123456789");
  grpc::Status invalid = RequestData(bad_bsn, &ignored).status;
  bad_bsn.set_request_id("rest-" + bad_bsn.request_id());
  twins.push_back({invalid, Call("POST", "/api/v1/data-requests", RequestJson(bad_bsn)), 400});

  for (const Twin& twin : twins) {
    ExpectProblem(twin.over_rest, twin.expected);
    EXPECT_EQ(twin.over_rest.status,
              rest::HttpStatusOf(static_cast<absl::StatusCode>(twin.over_grpc.error_code())))
        << twin.over_grpc.error_code() << ": " << twin.over_grpc.error_message();
  }
}

TEST_F(RestFaceTest, ErrorsAreProblemDetailsNamingTheField) {
  // No such route, and a route with another method.
  ExpectProblem(Call("GET", "/api/v1/no-such-thing"), 404);
  HttpAnswer wrong_method = Call("DELETE", "/api/v1/data-requests");
  ExpectProblem(wrong_method, 405);
  EXPECT_EQ(wrong_method.Header("Allow"), "POST");
  // A body that is not JSON, not an object of the message, of another type.
  HttpAnswer not_json = Call("POST", "/api/v1/client-cases", "{not json");
  ExpectProblem(not_json, 400);
  EXPECT_THAT(not_json.body, HasSubstr("body:"));
  HttpAnswer unknown = Call("POST", "/api/v1/client-cases", R"({"clientBsn":"111222333","x":1})");
  ExpectProblem(unknown, 400);
  EXPECT_THAT(unknown.body, HasSubstr("x"));
  ExpectProblem(Call("POST", "/api/v1/client-cases", "client_bsn=1", "municipality",
                     {{"x-wams-professional-id", kCaseWorker}}, "text/plain"),
                415);
  // An invalid BSN: the field rules' refusal, naming the field, never the value.
  HttpAnswer bad_bsn = Call("POST", "/api/v1/client-cases",
                            R"({"requestId":"bad-bsn","clientBsn":"123456789",
                                "socialLaws":["SOCIAL_LAW_WMO_2015"]})");
  ExpectProblem(bad_bsn, 400);
  EXPECT_THAT(bad_bsn.body, HasSubstr("client_bsn"));
  EXPECT_THAT(bad_bsn.body, ::testing::Not(HasSubstr("123456789")));
  // A path variable of the wrong type; a query parameter the route lacks.
  ExpectProblem(Call("GET", "/api/v1/receipts/first/inclusion-proof", "", "auditor"), 400);
  HttpAnswer bad_query = Call("GET", "/api/v1/checkpoint?noSuchParameter=1", "", "auditor");
  ExpectProblem(bad_query, 400);
  EXPECT_THAT(bad_query.body, HasSubstr("noSuchParameter"));
  // A body above limits.max_message_bytes.
  ExpectProblem(Call("POST", "/api/v1/client-cases", std::string(5 * 1024 * 1024, ' ')), 413);
  // The path's case id and the body's must agree.
  HttpAnswer mismatch = Call("POST", "/api/v1/cases/case-a/consents", R"({"caseId":"case-b"})");
  ExpectProblem(mismatch, 400);
  EXPECT_THAT(mismatch.body, HasSubstr("caseId"));
}

TEST_F(RestFaceTest, TheCertificateIsTheIdentity) {
  // No client certificate: the handshake fails, nothing is answered.
  EXPECT_EQ(Call("GET", "/api/v1/who-am-i", "", "").status, 0);
  // A valid certificate of a party not in the registry.
  HttpAnswer outsider = Call("GET", "/api/v1/who-am-i", "", "outsider");
  ExpectProblem(outsider, 403);
  EXPECT_THAT(outsider.body, HasSubstr("unknown party"));
  // A registered party is who its certificate says, whatever it claims.
  HttpAnswer school = Call("GET", "/api/v1/who-am-i", "", "school");
  ASSERT_EQ(school.status, 200) << school.body;
  EXPECT_EQ(JsonObject(school.body).fields().at("certificateOin").string_value(), kSchoolOin);
}

TEST_F(RestFaceTest, AReceiptsResourceIsForTheMunicipalityAndAuditorsOnly) {
  const v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::DataResponse answer;
  ASSERT_TRUE(
      RequestData(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), &answer).status.ok());
  const std::string path =
      absl::StrCat("/api/v1/receipts/", answer.decision_receipt().leaf_index());
  HttpAnswer municipality = Call("GET", path);
  ASSERT_EQ(municipality.status, 200) << municipality.body;
  EXPECT_EQ(JsonObject(municipality.body)
                .fields()
                .at("decision")
                .struct_value()
                .fields()
                .at("allowed")
                .bool_value(),
            true);
  EXPECT_EQ(Call("GET", path, "", "auditor").status, 200);
  // The school is the target: it may prove the receipt, not read the case's facts.
  HttpAnswer school = Call("GET", path, "", "school");
  ExpectProblem(school, 403);
  EXPECT_THAT(school.body, HasSubstr("R27"));
  // A leaf that does not exist reads the same to a stranger.
  HttpAnswer police = Call("GET", "/api/v1/receipts/999999", "", "police");
  ExpectProblem(police, 403);
}

TEST_F(RestFaceTest, IdempotencyKeyAndTraceparentAreHeaders) {
  const std::string open = R"({"clientBsn":"111222333","socialLaws":["SOCIAL_LAW_WMO_2015"]})";
  const httplib::Headers headers = {
      {"x-wams-professional-id", kCaseWorker},
      {"Idempotency-Key", "rest-idem-1"},
      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
  HttpAnswer first = Call("POST", "/api/v1/client-cases", open, "municipality", headers);
  ASSERT_EQ(first.status, 200) << first.body;
  HttpAnswer again = Call("POST", "/api/v1/client-cases", open, "municipality", headers);
  ASSERT_EQ(again.status, 200) << again.body;
  const std::string case_id = JsonObject(first.body)
                                  .fields()
                                  .at("case")
                                  .struct_value()
                                  .fields()
                                  .at("caseId")
                                  .string_value();
  EXPECT_FALSE(case_id.empty());
  EXPECT_EQ(JsonObject(again.body)
                .fields()
                .at("case")
                .struct_value()
                .fields()
                .at("caseId")
                .string_value(),
            case_id);
  EXPECT_THAT(first.Header("traceparent"), HasSubstr("4bf92f3577b34da6a3ce929d0e0e4736"));
  EXPECT_EQ(first.Header("API-Version"), "1.0.0");
  // A key that contradicts the body's request id.
  HttpAnswer contradicting = Call("POST", "/api/v1/client-cases",
                                  R"({"requestId":"other","clientBsn":"111222333",
                                      "socialLaws":["SOCIAL_LAW_WMO_2015"]})",
                                  "municipality", headers);
  ExpectProblem(contradicting, 400);
  EXPECT_THAT(contradicting.body, HasSubstr("Idempotency-Key"));
}

// Operators see the REST face's calls beside the gRPC face's.
TEST_F(RestFaceTest, CallsAreCountedOnTheMetricsEndpoint) {
  ASSERT_EQ(Call("GET", "/api/v1/who-am-i").status, 200);
  ASSERT_EQ(Call("GET", "/api/v1/who-am-i").status, 200);
  ExpectProblem(Call("GET", "/api/v1/checkpoint"), 403);  // the municipality is no auditor
  httplib::Client scraper("127.0.0.1", metrics_port_);
  httplib::Result scraped = scraper.Get("/metrics");
  ASSERT_TRUE(scraped && scraped->status == 200);
  EXPECT_THAT(scraped->body, HasSubstr("wams_rest_requests_total{http_status=\"200\","
                                       "rpc_method=\"ExchangeService/WhoAmI\"} 2"));
  EXPECT_THAT(scraped->body, HasSubstr("wams_rest_requests_total{http_status=\"403\","
                                       "rpc_method=\"AuditService/GetCheckpoint\"} 1"));
  EXPECT_THAT(
      scraped->body,
      HasSubstr("wams_rest_request_seconds_count{rpc_method=\"ExchangeService/WhoAmI\"} 2"));
}

// Idle TCP connections (no TLS, no certificate: anyone can open them) do
// not hold up a client: with httplib's fixed pool, 200 of them made a call
// time out. The client here gives up before the idle ones' handshake
// timeout (5 s in the example config) would have freed anything.
TEST_F(RestFaceTest, IdleConnectionsDoNotHoldUpAClient) {
  const wams::testing::IdleConnections idle(rest_port_, 200);
  ASSERT_EQ(idle.opened(), 200);
  const std::string pki = broker_.pki_dir().string();
  httplib::SSLClient client("127.0.0.1", rest_port_, pki + "/municipality.crt",
                            pki + "/municipality.key");
  client.set_ca_cert_path(pki + "/ca.crt");
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(4, 0);
  client.set_read_timeout(4, 0);
  httplib::Result answer = client.Get("/api/v1/who-am-i");
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->status, 200);
}

TEST_F(RestFaceTest, ServesItsOpenApiDocument) {
  HttpAnswer document = Call("GET", "/api/v1/openapi.json", "", "school");
  ASSERT_EQ(document.status, 200);
  EXPECT_EQ(document.Header("Content-Type"), "application/json");
  EXPECT_EQ(document.Header("API-Version"), "1.0.0");
  EXPECT_EQ(document.body, rest::OpenApiDocument());
  EXPECT_EQ(JsonObject(document.body).fields().at("openapi").string_value(), "3.0.3");
}

}  // namespace
}  // namespace wams::testing
