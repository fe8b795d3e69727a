#include "broker/rest/problem.h"

#include "absl/strings/str_cat.h"
#include "broker/base/status_details.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "policy/rules.h"
#include "wams/broker/v1/common.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::rest {
namespace {

namespace v1 = ::wams::broker::v1;

std::string ToJson(const google::protobuf::Struct& object) {
  std::string json;
  // Cannot fail for a Struct of strings and numbers.
  (void)google::protobuf::util::MessageToJsonString(object, &json);
  return json;
}

void Put(google::protobuf::Struct& object, const std::string& key, absl::string_view text) {
  (*object.mutable_fields())[key].set_string_value(std::string(text));
}

// The leaf index of the refusal's receipt: the whole receipt (a caller who
// may read it) or a reference to it.
std::optional<uint64_t> ReceiptLeafOf(const absl::Status& status) {
  v1::SignedReceipt receipt;
  if (base::ReadDetail(status, &receipt)) return receipt.leaf_index();
  v1::ReceiptReference reference;
  if (base::ReadDetail(status, &reference)) return reference.leaf_index();
  return std::nullopt;
}

// The members of a problem of no particular type (RFC 9457 4.2.1).
google::protobuf::Struct PlainMembers(int http_status, absl::string_view detail) {
  google::protobuf::Struct object;
  Put(object, "type", "about:blank");
  Put(object, "title", ReasonPhrase(http_status));
  (*object.mutable_fields())["status"].set_number_value(http_status);
  Put(object, "detail", detail);
  return object;
}

}  // namespace

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    // The case or conference must change first (policy/refusal_code.h), or
    // the resource exists, or a concurrent change won: a conflict with the
    // resource's state.
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    default:
      return 500;
  }
}

absl::string_view ReasonPhrase(int http_status) {
  switch (http_status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Internal Server Error";
  }
}

Problem PlainProblem(int http_status, absl::string_view detail) {
  return Problem{http_status, ToJson(PlainMembers(http_status, detail))};
}

Problem ProblemOf(const absl::Status& status) {
  const int http_status = HttpStatusOf(status.code());
  google::protobuf::Struct object = PlainMembers(http_status, status.message());
  v1::Decision decision;
  if (base::ReadDetail(status, &decision) && decision.failed_rule_ids_size() > 0) {
    Put(object, "type", absl::StrCat(kProblemTypesPath, "/", decision.failed_rule_ids(0)));
    Put(object, "title", "Refused by the Wams rules");
  }
  if (std::optional<uint64_t> leaf = ReceiptLeafOf(status)) {
    Put(object, "instance", absl::StrCat(kReceiptsPath, "/", *leaf));
  }
  return Problem{http_status, ToJson(object)};
}

std::optional<std::string> ProblemTypeJson(absl::string_view rule_id) {
  const policy::RuleInfo* rule = policy::FindRule(rule_id);
  if (rule == nullptr) return std::nullopt;
  google::protobuf::Struct object;
  Put(object, "ruleId", rule->id);
  Put(object, "article", rule->article);
  Put(object, "titleNl", rule->title_nl);
  Put(object, "titleEn", rule->title_en);
  return ToJson(object);
}

}  // namespace wams::rest
