// Trace context and the per-call log lines (issue 18, points 2 and 3): a
// real broker process, real providers over mTLS. The provider sees the
// requester's trace in `traceparent` metadata (not only the proto field),
// with the broker's own span of the provider call as parent-id, the sampled
// flag kept, and the requester's tracestate; a malformed tracestate is
// dropped, never forwarded or logged. The broker writes one JSON line per
// call it handles and per provider call, with the ids, the parties, the
// outcome, the failed rules and the latency, and never a BSN; the receipts
// sign the broker's span ids.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/exchange/exchange_test_fixture.h"

namespace wams::testing {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kTraceparent[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kCallerSpan[] = "00f067aa0ba902b7";
constexpr char kTracestate[] = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";
constexpr char kSpanId[] = "[0-9a-f]{16}";

std::string Sent(const TestProvider::Metadata& metadata, const std::string& key) {
  auto found = metadata.find(key);
  return found == metadata.end() ? "" : found->second;
}

std::string Received(const grpc::ClientContext& context, const std::string& key) {
  auto found = context.GetServerInitialMetadata().find(key);
  if (found == context.GetServerInitialMetadata().end()) return "";
  return std::string(found->second.data(), found->second.size());
}

class TraceLogTest : public ExchangeFlowTest {
 protected:
  // RequestData with trace metadata; `traceresponse` gets the broker's
  // span of the call as the response metadata says it.
  CallResult Request(const v1::DataRequest& request, const std::string& tracestate,
                     v1::DataResponse* response, std::string* traceresponse = nullptr) {
    grpc::ClientContext context;
    Prepare(&context, kCaseWorker);
    context.AddMetadata("traceparent", kTraceparent);
    if (!tracestate.empty()) context.AddMetadata("tracestate", tracestate);
    CallResult result = ResultOf(Exchange()->RequestData(&context, request, response));
    if (traceresponse != nullptr) *traceresponse = Received(context, "traceresponse");
    return result;
  }

  // Every line the stopped broker wrote, each parsed as JSON (a line that
  // does not parse fails the test).
  std::vector<nlohmann::json> BrokerLogLines() {
    EXPECT_EQ(broker_.Stop(), 0);
    std::vector<nlohmann::json> lines;
    for (absl::string_view line :
         absl::StrSplit(ReadFile(broker_.log_path()), '\n', absl::SkipEmpty())) {
      nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << line;
      if (!parsed.is_discarded()) lines.push_back(std::move(parsed));
    }
    return lines;
  }

  static std::vector<nlohmann::json> Events(const std::vector<nlohmann::json>& lines,
                                            const std::string& event, const std::string& method) {
    std::vector<nlohmann::json> found;
    for (const nlohmann::json& line : lines) {
      if (line.value("event", "") == event && line.value("method", "") == method) {
        found.push_back(line);
      }
    }
    return found;
  }
};

TEST_F(TraceLogTest, ProviderSeesTheRequestersTraceWithTheBrokersSpanInMetadata) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::DataResponse response;
  std::string traceresponse;
  CallResult result = Request(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), kTracestate,
                              &response, &traceresponse);
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();

  ASSERT_THAT(school_->ReceivedMetadata(), SizeIs(1));
  const TestProvider::Metadata metadata = school_->ReceivedMetadata()[0];
  const std::string forwarded = Sent(metadata, "traceparent");
  // The requester's trace-id and sampled flag; the broker's span as parent.
  EXPECT_THAT(forwarded, MatchesRegex(absl::StrCat("00-", kTraceId, "-", kSpanId, "-01")));
  const std::string provider_parent = forwarded.substr(36, 16);
  EXPECT_NE(provider_parent, kCallerSpan);
  EXPECT_EQ(Sent(metadata, "tracestate"), kTracestate);
  // The proto fields say the same.
  EXPECT_EQ(school_->Received()[0].traceparent(), forwarded);
  EXPECT_EQ(school_->Received()[0].tracestate(), kTracestate);

  // The broker's span of the request, a child of the caller's; the
  // provider call's span is a new one.
  EXPECT_THAT(traceresponse, MatchesRegex(absl::StrCat("00-", kTraceId, "-", kSpanId, "-01")));
  const std::string request_span = traceresponse.substr(36, 16);
  EXPECT_NE(request_span, kCallerSpan);
  EXPECT_NE(request_span, provider_parent);

  // The receipts sign both spans: the decision the request's, the answer
  // the provider call's.
  v1::Receipt decision;
  ASSERT_TRUE(decision.ParseFromString(response.decision_receipt().receipt_bytes()));
  EXPECT_EQ(decision.kind(), v1::RECEIPT_KIND_DECISION);
  EXPECT_EQ(decision.span_id(), request_span);
  v1::Receipt answer;
  ASSERT_TRUE(answer.ParseFromString(response.answer_receipt().receipt_bytes()));
  EXPECT_EQ(answer.kind(), v1::RECEIPT_KIND_PROVIDER_ANSWER);
  EXPECT_EQ(answer.span_id(), provider_parent);
  EXPECT_EQ(answer.trace_id(), kTraceId);
}

TEST_F(TraceLogTest, MalformedTracestateIsDroppedNeverForwardedOrLogged) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  const std::vector<std::string> malformed = {"Upper=case", "novalue=", "a=b,,=c",
                                              "k=v " + std::string(600, 'x'), "spaces in key=1"};
  for (size_t i = 0; i < malformed.size(); ++i) {
    SCOPED_TRACE(malformed[i]);
    v1::DataResponse response;
    v1::DataRequest request = NewRequest(opened.case_id(), kSchoolOin, {"attendance"});
    request.set_request_id(absl::StrCat("malformed-state-", i));
    ASSERT_TRUE(Request(request, malformed[i], &response).status.ok());
    const TestProvider::Metadata metadata = school_->ReceivedMetadata()[i];
    EXPECT_EQ(metadata.count("tracestate"), 0u);
    EXPECT_EQ(school_->Received()[i].tracestate(), "");
    // The trace itself goes on.
    EXPECT_THAT(Sent(metadata, "traceparent"), HasSubstr(kTraceId));
  }
  const std::string log = (BrokerLogLines(), ReadFile(broker_.log_path()));
  for (const std::string& value : malformed) EXPECT_THAT(log, Not(HasSubstr(value)));
}

TEST_F(TraceLogTest, BrokerWritesOneJsonLinePerCallAndPerProviderCallWithoutBsn) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::DataResponse granted;
  std::string traceresponse;
  ASSERT_TRUE(Request(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), "", &granted,
                      &traceresponse)
                  .status.ok());
  // Fraud control is never a ground (R08): refused, citing the rule.
  v1::DataResponse refused_response;
  CallResult refused =
      Request(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}, v1::PURPOSE_FRAUD_CONTROL),
              "", &refused_response);
  ASSERT_EQ(refused.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_THAT(FailedRules(refused), Not(IsEmpty()));
  const std::string provider_parent =
      Sent(school_->ReceivedMetadata().at(0), "traceparent").substr(36, 16);

  const std::vector<nlohmann::json> lines = BrokerLogLines();
  for (const nlohmann::json& line : lines) {
    EXPECT_THAT(line.value("time", ""),
                MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z"));
    EXPECT_THAT(line.value("level", ""), MatchesRegex("INFO|WARNING|ERROR"));
  }
  const std::string log = ReadFile(broker_.log_path());
  for (const char* bsn : {kClientBsn, kOtherPersonBsn, kFamilyBsn}) {
    EXPECT_THAT(log, Not(HasSubstr(bsn)));
  }

  // One line for opening the case, with the caller and the professional.
  std::vector<nlohmann::json> opens =
      Events(lines, "request", "/wams.broker.v1.CaseService/OpenClientCase");
  ASSERT_THAT(opens, SizeIs(1));
  EXPECT_EQ(opens[0]["outcome"], "OK");
  EXPECT_EQ(opens[0]["caller_oin"], kMunicipalityOin);
  EXPECT_EQ(opens[0]["professional_id"], kCaseWorker);

  std::vector<nlohmann::json> requests =
      Events(lines, "request", "/wams.broker.v1.ExchangeService/RequestData");
  ASSERT_THAT(requests, SizeIs(2));
  const nlohmann::json& ok = requests[0];
  EXPECT_EQ(ok["outcome"], "OK");
  EXPECT_EQ(ok["trace_id"], kTraceId);
  EXPECT_EQ(ok["span_id"], traceresponse.substr(36, 16));
  EXPECT_EQ(ok["parent_span_id"], kCallerSpan);
  EXPECT_EQ(ok["transaction_id"], granted.transaction_id());
  EXPECT_EQ(ok["case_id"], opened.case_id());
  EXPECT_EQ(ok["caller_oin"], kMunicipalityOin);
  EXPECT_EQ(ok["professional_id"], kCaseWorker);
  EXPECT_TRUE(ok["latency_ms"].is_number());
  EXPECT_TRUE(ok["failed_rules"].is_array() && ok["failed_rules"].empty());

  const nlohmann::json& no = requests[1];
  EXPECT_EQ(no["outcome"], "PERMISSION_DENIED");
  EXPECT_EQ(no["case_id"], opened.case_id());
  EXPECT_THAT(no["failed_rules"].get<std::vector<std::string>>(),
              ElementsAreArray(FailedRules(refused)));

  // The provider call: its own span, whose parent is the request's.
  std::vector<nlohmann::json> calls =
      Events(lines, "provider_call", "/wams.broker.v1.ProviderService/Deliver");
  ASSERT_THAT(calls, SizeIs(1));
  EXPECT_EQ(calls[0]["outcome"], "OK");
  EXPECT_EQ(calls[0]["trace_id"], kTraceId);
  EXPECT_EQ(calls[0]["span_id"], provider_parent);
  EXPECT_EQ(calls[0]["parent_span_id"], ok["span_id"]);
  EXPECT_EQ(calls[0]["peer_oin"], kSchoolOin);
  EXPECT_EQ(calls[0]["caller_oin"], kMunicipalityOin);
  EXPECT_EQ(calls[0]["case_id"], opened.case_id());
  EXPECT_TRUE(calls[0]["latency_ms"].is_number());
}

TEST_F(TraceLogTest, AttackerChosenValuesCannotForgeFieldsOrLeakABsn) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  // A professional id that tries to close the JSON string and add keys,
  // with a BSN in it: refused at the door, and still logged safely.
  const std::string hostile =
      absl::StrCat("x\\\",\"caller_oin\":\"forged\",\"level\":\"ERROR\",\"n\":\"", kClientBsn);
  grpc::ClientContext context;
  Prepare(&context, hostile);
  v1::DataResponse response;
  CallResult result = ResultOf(Exchange()->RequestData(
      &context, NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), &response));
  ASSERT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  const std::vector<nlohmann::json> lines = BrokerLogLines();  // each parses as JSON
  std::vector<nlohmann::json> requests =
      Events(lines, "request", "/wams.broker.v1.ExchangeService/RequestData");
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_EQ(requests[0]["outcome"], "INVALID_ARGUMENT");
  EXPECT_EQ(requests[0]["caller_oin"], kMunicipalityOin);
  EXPECT_EQ(requests[0]["level"], "INFO");
  // The value is one field, its BSN redacted.
  const std::string logged = requests[0]["professional_id"];
  EXPECT_THAT(logged, HasSubstr("\"caller_oin\":\"forged\""));
  EXPECT_THAT(logged, HasSubstr("[bsn]"));
  EXPECT_THAT(ReadFile(broker_.log_path()), Not(HasSubstr(kClientBsn)));
}

}  // namespace
}  // namespace wams::testing
