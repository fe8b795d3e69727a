// The REST face's parts without a server: the routes read from the
// google.api.http annotations, the request reader, the problem details and
// the status table of broker/rest/README.md.
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "broker/base/status_details.h"
#include "broker/rest/openapi/openapi_document.h"
#include "broker/rest/problem.h"
#include "broker/rest/request_reader.h"
#include "broker/rest/route_table.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "wams/broker/v1/audit.grpc.pb.h"
#include "wams/broker/v1/case.grpc.pb.h"
#include "wams/broker/v1/conference.grpc.pb.h"
#include "wams/broker/v1/exchange.grpc.pb.h"
#include "wams/broker/v1/field_rules.pb.h"

namespace wams::rest {
namespace {

namespace v1 = ::wams::broker::v1;
using ::testing::HasSubstr;

RouteTable Routes() {
  absl::StatusOr<RouteTable> routes = RouteTable::FromServices(V1Services());
  EXPECT_TRUE(routes.ok()) << routes.status();
  return routes.ok() ? *std::move(routes) : RouteTable();
}

google::protobuf::Struct JsonObject(const std::string& json) {
  google::protobuf::Struct object;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &object).ok()) << json;
  return object;
}

TEST(RouteTableTest, EveryUnaryMethodButTheWitnessOnesIsARoute) {
  const RouteTable routes = Routes();
  std::set<std::string> routed;
  for (const Route& route : routes.routes()) routed.insert(route.method->full_name());
  int methods = 0;
  for (const google::protobuf::ServiceDescriptor* service : V1Services()) {
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string method = service->method(i)->full_name();
      const bool offered = method != "wams.broker.v1.AuditService.Export" &&
                           method != "wams.broker.v1.AuditService.AddCosignature";
      EXPECT_EQ(routed.count(method), offered ? 1u : 0u) << method;
      ++methods;
    }
  }
  EXPECT_EQ(routes.routes().size(), static_cast<size_t>(methods - 2));
}

// ADR /core/path-segments-kebab-case and /core/no-trailing-slash, and no
// sensitive data in a URI: no BSN in a path variable or a GET's query.
TEST(RouteTableTest, PathsAreKebabCaseAndNoBsnCanBeInAUri) {
  const std::regex segment("[a-z0-9]+(-[a-z0-9]+)*|_[a-z]+|\\{[a-z_]+\\}");
  const RouteTable routes = Routes();
  for (const Route& route : routes.routes()) {
    EXPECT_FALSE(route.path.ends_with("/")) << route.path;
    for (size_t i = 0; i < route.segments.size(); ++i) {
      EXPECT_TRUE(std::regex_match(route.segments[i], segment)) << route.path;
      if (route.segments[i].starts_with("_")) {
        EXPECT_EQ(i, route.segments.size() - 1) << route.path;
      }
    }
    const google::protobuf::Descriptor& input = *route.method->input_type();
    for (int f = 0; f < input.field_count(); ++f) {
      const google::protobuf::FieldDescriptor& field = *input.field(f);
      const bool in_uri = !route.body_is_request;
      const bool is_bsn = field.options().GetExtension(v1::rule).syntax() == v1::FIELD_SYNTAX_BSN;
      EXPECT_FALSE(in_uri && is_bsn) << route.path << " could carry " << field.name();
    }
    for (const google::protobuf::FieldDescriptor* field : route.path_fields) {
      EXPECT_NE(field->options().GetExtension(v1::rule).syntax(), v1::FIELD_SYNTAX_BSN);
    }
  }
}

TEST(RouteTableTest, MatchesLiteralsBeforeVariablesAndNamesOtherMethods) {
  const RouteTable routes = Routes();
  RouteMatch search = routes.Match("POST", "/api/v1/receipts/_search");
  ASSERT_NE(search.route, nullptr);
  EXPECT_EQ(search.route->method->name(), "ListReceipts");
  RouteMatch receipt = routes.Match("GET", "/api/v1/receipts/17");
  ASSERT_NE(receipt.route, nullptr);
  EXPECT_EQ(receipt.route->method->name(), "GetReceipt");
  ASSERT_EQ(receipt.path_values.size(), 1u);
  EXPECT_EQ(receipt.path_values[0].second, "17");
  RouteMatch items = routes.Match("GET", "/api/v1/conferences/conf-1/items");
  ASSERT_NE(items.route, nullptr);
  EXPECT_EQ(items.route->method->name(), "FetchItems");
  RouteMatch wrong = routes.Match("PATCH", "/api/v1/conferences/conf-1/items");
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_THAT(wrong.allowed_methods, ::testing::ElementsAre("GET", "POST"));
  RouteMatch none = routes.Match("GET", "/api/v1/cases");
  EXPECT_EQ(none.route, nullptr);
  EXPECT_TRUE(none.allowed_methods.empty());
  EXPECT_EQ(routes.Match("GET", "/api/v1/cases/").route, nullptr);  // no trailing slash
}

HttpInput Json(std::string body) {
  return HttpInput{
      .content_type = "application/json; charset=utf-8", .body = std::move(body), .query = {}};
}

TEST(RequestReaderTest, ReadsTheBodyAndThePathAndRefusesWhatDoesNotFit) {
  const RouteTable routes = Routes();
  const RouteMatch consent = routes.Match("POST", "/api/v1/cases/case-7/consents");
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> read =
      ReadRequest(consent, Json(R"({"providerOin":"00000003234567890000",
                                    "categories":["care_contact"]})"));
  ASSERT_TRUE(read.ok()) << read.status();
  const auto& request = static_cast<const v1::RecordConsentRequest&>(**read);
  EXPECT_EQ(request.case_id(), "case-7");
  EXPECT_EQ(request.provider_oin(), "00000003234567890000");
  // The same case id in the body is fine; another is not.
  EXPECT_TRUE(ReadRequest(consent, Json(R"({"caseId":"case-7"})")).ok());
  absl::Status other = ReadRequest(consent, Json(R"({"caseId":"case-8"})")).status();
  EXPECT_EQ(other.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(other.message(), HasSubstr("caseId"));
  // An unknown member is refused, not ignored.
  absl::Status unknown = ReadRequest(consent, Json(R"({"subjectBSN":"1"})")).status();
  EXPECT_THAT(unknown.message(), HasSubstr("subjectBSN"));
  // Another media type: the payload that makes it a 415.
  absl::Status form =
      ReadRequest(consent, HttpInput{.content_type = "text/plain", .body = "{}", .query = {}})
          .status();
  EXPECT_TRUE(form.GetPayload(kUnsupportedMediaType).has_value());
  // A body route takes no query; a GET no body.
  HttpInput with_query = Json("{}");
  with_query.query.emplace("caseId", "x");
  EXPECT_FALSE(ReadRequest(consent, with_query).ok());
  EXPECT_FALSE(ReadRequest(routes.Match("GET", "/api/v1/checkpoint"), Json("{}")).ok());
}

// protobuf's parser quotes values, names and a snippet of the body; the
// caller gets the member and the problem only.
TEST(RequestReaderTest, ABodyThatDoesNotParseIsNamedWithoutWhatWasSent) {
  const RouteTable routes = Routes();
  const RouteMatch open = routes.Match("POST", "/api/v1/client-cases");
  absl::Status number = ReadRequest(open, Json(R"({"clientBsn": 111222333})")).status();
  EXPECT_EQ(number.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(number.message(), HasSubstr("invalid value for type"));
  EXPECT_THAT(number.message(), HasSubstr("client"));
  EXPECT_THAT(number.message(), ::testing::Not(HasSubstr("111222333")));
  absl::Status snippet = ReadRequest(open, Json(R"({"clientBsn": "1112\uZZZZ"})")).status();
  EXPECT_THAT(snippet.message(), HasSubstr("escape"));
  EXPECT_THAT(snippet.message(), ::testing::Not(HasSubstr("1112")));
  absl::Status key = ReadRequest(open, Json(R"({"111222333": 1})")).status();
  EXPECT_THAT(key.message(), HasSubstr("Cannot find field"));
  EXPECT_THAT(key.message(), ::testing::Not(HasSubstr("111222333")));
  const std::string long_key(100000, 'k');
  absl::Status huge = ReadRequest(open, Json("{\"" + long_key + "\": 1}")).status();
  EXPECT_LE(huge.message().size(), 220u);
  EXPECT_THAT(std::string(huge.message()), ::testing::Not(HasSubstr(long_key.substr(0, 100))));
}

TEST(RequestReaderTest, QueryParametersSetScalarFieldsOnce) {
  const RouteTable routes = Routes();
  const RouteMatch checkpoint = routes.Match("GET", "/api/v1/checkpoint");
  HttpInput query;
  query.query.emplace("treeSize", "42");
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> read = ReadRequest(checkpoint, query);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(static_cast<const v1::GetCheckpointRequest&>(**read).tree_size(), 42u);
  query.query.emplace("treeSize", "43");
  EXPECT_THAT(ReadRequest(checkpoint, query).status().message(), HasSubstr("more than once"));
  HttpInput not_a_number;
  not_a_number.query.emplace("treeSize", "-1");
  EXPECT_THAT(ReadRequest(checkpoint, not_a_number).status().message(), HasSubstr("treeSize"));
  HttpInput strange_name;
  strange_name.query.emplace("<script>", "1");
  absl::Status refused = ReadRequest(checkpoint, strange_name).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), ::testing::Not(HasSubstr("<script>")));
  const RouteMatch proof = routes.Match("GET", "/api/v1/receipts/x1/inclusion-proof");
  EXPECT_THAT(ReadRequest(proof, HttpInput{}).status().message(), HasSubstr("leafIndex"));
}

// A refusal: its rule's problem type, its receipt as the instance, only the
// five members.
TEST(ProblemTest, ARefusalNamesItsRuleTypeAndItsReceipt) {
  absl::Status refused = absl::PermissionDeniedError("refused by R04: R04 (art. x): outside");
  v1::Decision decision;
  decision.add_failed_rule_ids("R04");
  base::AttachDetail(refused, decision);
  v1::SignedReceipt receipt;
  receipt.set_leaf_index(41);
  base::AttachDetail(refused, receipt);
  const Problem problem = ProblemOf(refused);
  EXPECT_EQ(problem.status, 403);
  const google::protobuf::Struct fields = JsonObject(problem.json);
  EXPECT_EQ(fields.fields().size(), 5u);
  EXPECT_EQ(fields.fields().at("type").string_value(), "/api/v1/problem-types/R04");
  EXPECT_EQ(fields.fields().at("instance").string_value(), "/api/v1/receipts/41");
  EXPECT_EQ(fields.fields().at("detail").string_value(), refused.message());
  EXPECT_EQ(fields.fields().at("status").number_value(), 403);
  EXPECT_THAT(problem.json, HasSubstr("\"status\":403"));

  const Problem plain = ProblemOf(absl::InvalidArgumentError("client_bsn: not 9 digits"));
  const google::protobuf::Struct plain_fields = JsonObject(plain.json);
  EXPECT_EQ(plain_fields.fields().at("type").string_value(), "about:blank");
  EXPECT_EQ(plain_fields.fields().at("title").string_value(), "Bad Request");
  EXPECT_EQ(plain_fields.fields().count("instance"), 0u);
  EXPECT_TRUE(ProblemTypeJson("R04").has_value());
  EXPECT_FALSE(ProblemTypeJson("R99").has_value());
}

// broker/rest/README.md's table is the contract integrators read: each gRPC
// code's row must be what HttpStatusOf answers, and every code has a row.
TEST(ProblemTest, TheStatusTableInTheReadmeIsWhatTheCodeDoes) {
  std::ifstream readme(std::string(WAMS_SOURCE_DIR) + "/broker/rest/README.md");
  ASSERT_TRUE(readme.good());
  std::map<std::string, int> documented;
  std::string line;
  const std::regex row(R"(^\| ([A-Z_]+) \| (\d{3}) \|)");
  while (std::getline(readme, line)) {
    std::smatch match;
    if (std::regex_search(line, match, row)) documented[match[1]] = std::stoi(match[2]);
  }
  ASSERT_EQ(documented.size(), 17u);
  for (int code = 0; code <= 16; ++code) {
    const auto status_code = static_cast<absl::StatusCode>(code);
    const std::string name = absl::StatusCodeToString(status_code);
    std::string upper;
    for (char c : name) upper += c == ' ' ? '_' : static_cast<char>(std::toupper(c));
    ASSERT_EQ(documented.count(upper), 1u) << upper << " has no row";
    EXPECT_EQ(documented[upper], HttpStatusOf(status_code)) << upper;
  }
}

// Every operation of the OpenAPI document declares each status the listener
// maps a code to (413 and 415 where there is a body), so the document and
// the code cannot drift apart.
TEST(ProblemTest, TheOpenApiDocumentDeclaresEveryErrorStatus) {
  const google::protobuf::Struct document = JsonObject(std::string(OpenApiDocument()));
  const google::protobuf::Struct& paths = document.fields().at("paths").struct_value();
  int operations = 0;
  for (const auto& [path, item] : paths.fields()) {
    for (const auto& [method, operation] : item.struct_value().fields()) {
      if (method == "parameters") continue;
      ++operations;
      const auto& responses =
          operation.struct_value().fields().at("responses").struct_value().fields();
      for (int code = 1; code <= 16; ++code) {
        const std::string status =
            std::to_string(HttpStatusOf(static_cast<absl::StatusCode>(code)));
        EXPECT_EQ(responses.count(status), 1u) << method << " " << path << ": " << status;
      }
    }
  }
  EXPECT_GT(operations, 25);
}

}  // namespace
}  // namespace wams::rest
