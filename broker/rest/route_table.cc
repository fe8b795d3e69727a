#include "broker/rest/route_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "broker/rest/api_version.h"
#include "google/api/annotations.pb.h"
#include "wams/broker/v1/audit.pb.h"
#include "wams/broker/v1/case.pb.h"
#include "wams/broker/v1/conference.pb.h"
#include "wams/broker/v1/exchange.pb.h"

namespace wams::rest {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;

bool IsVariable(absl::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::vector<std::string> SplitPath(absl::string_view path) {
  std::vector<std::string> segments = absl::StrSplit(path, '/');
  if (!segments.empty() && segments.front().empty()) segments.erase(segments.begin());
  return segments;
}

// A path variable sets a field that a URI segment can carry.
bool CanBePathField(const FieldDescriptor& field) {
  if (field.is_repeated()) return false;
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return field.type() == FieldDescriptor::TYPE_STRING;
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
      return true;
    default:
      return false;
  }
}

absl::StatusOr<Route> RouteOf(const MethodDescriptor& method, const google::api::HttpRule& rule) {
  const std::string where = absl::StrCat(method.full_name(), ": google.api.http");
  Route route;
  route.method = &method;
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      route.http_method = "GET";
      route.path = rule.get();
      break;
    case google::api::HttpRule::kPost:
      route.http_method = "POST";
      route.path = rule.post();
      break;
    case google::api::HttpRule::kPut:
      route.http_method = "PUT";
      route.path = rule.put();
      break;
    case google::api::HttpRule::kPatch:
      route.http_method = "PATCH";
      route.path = rule.patch();
      break;
    case google::api::HttpRule::kDelete:
      route.http_method = "DELETE";
      route.path = rule.delete_();
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": only get, post, put, patch, delete"));
  }
  if (!absl::StartsWith(route.path, absl::StrCat(kBasePath, "/")) ||
      absl::EndsWith(route.path, "/")) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": path \"", route.path, "\" is not under ", kBasePath, "/"));
  }
  if (rule.body() != "" && rule.body() != "*") {
    return absl::InvalidArgumentError(absl::StrCat(where, ": body must be \"\" or \"*\""));
  }
  route.body_is_request = rule.body() == "*";
  route.segments = SplitPath(route.path);
  for (const std::string& segment : route.segments) {
    if (segment.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": empty segment in ", route.path));
    }
    if (!IsVariable(segment)) continue;
    const std::string name = segment.substr(1, segment.size() - 2);
    const FieldDescriptor* field = method.input_type()->FindFieldByName(name);
    if (field == nullptr || !CanBePathField(*field)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": {", name, "} is no string or integer field of ", method.input_type()->name()));
    }
    route.path_fields.push_back(field);
  }
  return route;
}

}  // namespace

std::vector<const google::protobuf::ServiceDescriptor*> V1Services() {
  namespace v1 = ::wams::broker::v1;
  return {v1::CaseResponse::descriptor()->file()->FindServiceByName("CaseService"),
          v1::DataRequest::descriptor()->file()->FindServiceByName("ExchangeService"),
          v1::ConveneRequest::descriptor()->file()->FindServiceByName("ConferenceService"),
          v1::GetCheckpointRequest::descriptor()->file()->FindServiceByName("AuditService")};
}

absl::StatusOr<RouteTable> RouteTable::FromServices(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  RouteTable table;
  for (const google::protobuf::ServiceDescriptor* service : services) {
    if (service == nullptr) return absl::NotFoundError("a service without its descriptor");
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor& method = *service->method(i);
      if (!method.options().HasExtension(google::api::http)) continue;
      if (method.client_streaming() || method.server_streaming()) {
        return absl::InvalidArgumentError(
            absl::StrCat(method.full_name(), ": a streaming method cannot be a route"));
      }
      absl::StatusOr<Route> route =
          RouteOf(method, method.options().GetExtension(google::api::http));
      if (!route.ok()) return route.status();
      for (const Route& other : table.routes_) {
        if (other.http_method == route->http_method && other.path == route->path) {
          return absl::InvalidArgumentError(absl::StrCat(method.full_name(), ": ",
                                                         route->http_method, " ", route->path,
                                                         " is also ", other.method->full_name()));
        }
      }
      table.routes_.push_back(*std::move(route));
    }
  }
  return table;
}

RouteMatch RouteTable::Match(absl::string_view http_method, absl::string_view path) const {
  const std::vector<std::string> segments = SplitPath(path);
  RouteMatch best;
  int best_literals = -1;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    int literals = 0;
    bool matches = true;
    for (size_t i = 0; i < segments.size() && matches; ++i) {
      if (IsVariable(route.segments[i])) {
        matches = !segments[i].empty();
      } else {
        matches = route.segments[i] == segments[i];
        ++literals;
      }
    }
    if (!matches) continue;
    if (route.http_method != http_method) {
      if (std::find(best.allowed_methods.begin(), best.allowed_methods.end(), route.http_method) ==
          best.allowed_methods.end()) {
        best.allowed_methods.push_back(route.http_method);
      }
      continue;
    }
    if (literals <= best_literals) continue;
    best_literals = literals;
    best.route = &route;
    best.path_values.clear();
    size_t field = 0;
    for (size_t i = 0; i < segments.size(); ++i) {
      if (IsVariable(route.segments[i])) {
        best.path_values.emplace_back(route.path_fields[field++], segments[i]);
      }
    }
  }
  if (best.route != nullptr) best.allowed_methods.clear();
  std::sort(best.allowed_methods.begin(), best.allowed_methods.end());
  return best;
}

}  // namespace wams::rest
