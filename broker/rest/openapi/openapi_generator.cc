#include "broker/rest/openapi/openapi_generator.h"

#include <map>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "broker/base/status_macros.h"
#include "broker/rest/api_version.h"
#include "broker/rest/openapi/document_parts.h"
#include "broker/rest/openapi/proto_text.h"
#include "broker/rest/openapi/schema_builder.h"
#include "google/api/annotations.pb.h"

namespace wams::rest::openapi {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;

// One annotated method, its path made relative to the server url.
struct Route {
  const MethodDescriptor* method;
  std::string verb;                                 // lower case, as OpenAPI keys it
  std::string path;                                 // /cases/{caseId}
  bool has_body = false;                            // body: "*"
  std::vector<const FieldDescriptor*> path_fields;  // in the template's order
};

absl::Status MethodError(const MethodDescriptor& method, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(method.full_name(), ": ", what));
}

absl::StatusOr<std::pair<std::string, std::string>> VerbAndTemplate(
    const MethodDescriptor& method, const google::api::HttpRule& rule) {
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      return std::pair<std::string, std::string>("get", rule.get());
    case google::api::HttpRule::kPut:
      return std::pair<std::string, std::string>("put", rule.put());
    case google::api::HttpRule::kPost:
      return std::pair<std::string, std::string>("post", rule.post());
    case google::api::HttpRule::kDelete:
      return std::pair<std::string, std::string>("delete", rule.delete_());
    case google::api::HttpRule::kPatch:
      return std::pair<std::string, std::string>("patch", rule.patch());
    default:
      return MethodError(method, "only GET, PUT, POST, DELETE and PATCH routes are mapped");
  }
}

// Reads the method's google.api.http rule into a Route.
absl::StatusOr<Route> ReadRoute(const MethodDescriptor& method) {
  const google::api::HttpRule& rule = method.options().GetExtension(google::api::http);
  if (method.client_streaming() || method.server_streaming()) {
    return MethodError(method, "a streaming method has no REST route");
  }
  if (rule.additional_bindings_size() > 0 || !rule.response_body().empty()) {
    return MethodError(method, "additional_bindings and response_body are not mapped");
  }
  if (!rule.body().empty() && rule.body() != "*") {
    return MethodError(method, absl::StrCat("body \"", rule.body(), "\": only \"*\" is mapped"));
  }
  WAMS_ASSIGN_OR_RETURN(auto verb_and_template, VerbAndTemplate(method, rule));
  Route route;
  route.method = &method;
  route.verb = verb_and_template.first;
  route.has_body = !rule.body().empty();
  absl::string_view path = verb_and_template.second;
  if (!absl::ConsumePrefix(&path, kBasePath) || !absl::StartsWith(path, "/")) {
    return MethodError(
        method, absl::StrCat("path ", verb_and_template.second, " is not under ", kBasePath, "/"));
  }
  std::vector<std::string> segments;
  for (absl::string_view segment : absl::StrSplit(path.substr(1), '/')) {
    if (!absl::ConsumePrefix(&segment, "{")) {
      if (absl::StrContains(segment, "}") || absl::StrContains(segment, "*") ||
          absl::StrContains(segment, ":")) {
        return MethodError(method, absl::StrCat("path segment \"", segment, "\" is not mapped"));
      }
      segments.emplace_back(segment);
      continue;
    }
    if (!absl::ConsumeSuffix(&segment, "}")) {
      return MethodError(method, absl::StrCat("path variable {", segment, " is not closed"));
    }
    const FieldDescriptor* field = method.input_type()->FindFieldByName(std::string(segment));
    if (field == nullptr) {
      return MethodError(method, absl::StrCat("path variable {", segment, "} names no field of ",
                                              method.input_type()->full_name()));
    }
    if (field->is_repeated() || field->type() == FieldDescriptor::TYPE_MESSAGE) {
      return MethodError(method,
                         absl::StrCat("path variable {", segment, "} must be a singular scalar"));
    }
    route.path_fields.push_back(field);
    segments.push_back(absl::StrCat("{", field->json_name(), "}"));
  }
  route.path = absl::StrCat("/", absl::StrJoin(segments, "/"));
  return route;
}

Json Parameter(const FieldDescriptor& field, absl::string_view in, Json schema) {
  Json parameter = {{"name", field.json_name()}, {"in", in}};
  std::string description = SchemaBuilder::FieldDescription(field);
  if (!description.empty()) parameter["description"] = description;
  if (in == "path") parameter["required"] = true;
  parameter["schema"] = std::move(schema);
  return parameter;
}

absl::StatusOr<Json> Operation(const Route& route, SchemaBuilder& schemas) {
  const MethodDescriptor& method = *route.method;
  Json operation = {{"tags", Json::array({method.service()->name()})}};
  std::string comment = Comment(method);
  if (!comment.empty()) {
    operation["summary"] = FirstSentence(comment);
    operation["description"] = comment;
  }
  operation["operationId"] = LowerCamel(method.name());

  Json parameters = Json::array();
  std::set<std::string> path_names;
  for (const FieldDescriptor* field : route.path_fields) {
    WAMS_ASSIGN_OR_RETURN(Json schema, schemas.FieldSchema(*field));
    parameters.push_back(Parameter(*field, "path", std::move(schema)));
    path_names.insert(field->name());
  }
  if (!route.has_body) {
    // Without a body, the other fields are query parameters: scalars only.
    const google::protobuf::Descriptor& input = *method.input_type();
    for (int i = 0; i < input.field_count(); ++i) {
      const FieldDescriptor& field = *input.field(i);
      if (path_names.contains(field.name())) continue;
      if (field.type() == FieldDescriptor::TYPE_MESSAGE) {
        return MethodError(
            method, absl::StrCat("field ", field.name(), " is a message: not a query parameter"));
      }
      WAMS_ASSIGN_OR_RETURN(Json schema, schemas.FieldSchema(field));
      parameters.push_back(Parameter(field, "query", std::move(schema)));
    }
  }
  for (Json& header : HeaderParameterRefs(route.has_body)) parameters.push_back(std::move(header));
  operation["parameters"] = std::move(parameters);

  if (route.has_body) {
    WAMS_ASSIGN_OR_RETURN(Json body, path_names.empty() ? schemas.MessageRef(*method.input_type())
                                                        : schemas.MessageRefWithout(
                                                              *method.input_type(), path_names));
    operation["requestBody"] = {{"required", true},
                                {"content", {{"application/json", {{"schema", body}}}}}};
  }

  WAMS_ASSIGN_OR_RETURN(Json answer, schemas.MessageRef(*method.output_type()));
  Json responses = {{"200",
                     {{"description", absl::StrCat("OK: a ", method.output_type()->name(), ".")},
                      {"headers", ResponseHeaderRefs()},
                      {"content", {{"application/json", {{"schema", answer}}}}}}}};
  for (const ErrorResponse& error : kErrorResponses) {
    if (error.body_only && !route.has_body) continue;
    responses[std::to_string(error.status)] = {
        {"$ref", absl::StrCat("#/components/responses/", error.name)}};
  }
  operation["responses"] = std::move(responses);
  return operation;
}

}  // namespace

absl::StatusOr<std::string> GenerateOpenApi(
    const std::vector<const google::protobuf::FileDescriptor*>& files) {
  SchemaBuilder schemas;
  // path -> verb -> operation; std::map keeps the output's order fixed.
  std::map<std::string, std::map<std::string, Json>> paths;
  std::map<std::string, std::string> routed_by;  // "post /cases" -> method, for duplicates
  std::map<std::string, std::string> tags;       // service -> description
  for (const google::protobuf::FileDescriptor* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor& service = *file->service(s);
      for (int m = 0; m < service.method_count(); ++m) {
        const MethodDescriptor& method = *service.method(m);
        if (!method.options().HasExtension(google::api::http)) continue;
        WAMS_ASSIGN_OR_RETURN(Route route, ReadRoute(method));
        std::string key = absl::StrCat(route.verb, " ", route.path);
        if (auto [other, added] = routed_by.emplace(key, method.full_name()); !added) {
          return MethodError(method, absl::StrCat(key, " is routed to ", other->second, " too"));
        }
        WAMS_ASSIGN_OR_RETURN(Json operation, Operation(route, schemas));
        paths[route.path][route.verb] = std::move(operation);
        tags.emplace(service.name(), Comment(service));
      }
    }
  }
  if (paths.empty()) {
    return absl::InvalidArgumentError("no method carries a google.api.http annotation");
  }

  Json document = {{"openapi", "3.0.3"}, {"info", Info()}, {"servers", Servers()}};
  Json tag_list = Json::array();
  for (const auto& [name, description] : tags) {
    Json tag = {{"name", name}};
    if (!description.empty()) tag["description"] = description;
    tag_list.push_back(std::move(tag));
  }
  document["tags"] = std::move(tag_list);
  Json path_items = Json::object();
  for (auto& [path, verbs] : paths) {
    Json item = Json::object();
    for (const char* verb : {"get", "put", "post", "delete", "patch"}) {
      if (auto found = verbs.find(verb); found != verbs.end()) item[verb] = found->second;
    }
    path_items[path] = std::move(item);
  }
  document["paths"] = std::move(path_items);

  Json schema_components = schemas.TakeSchemas();
  if (schema_components.contains(kProblemSchema)) {
    return absl::InvalidArgumentError(
        absl::StrCat("a proto type takes the schema name ", kProblemSchema));
  }
  schema_components[kProblemSchema] = ProblemSchema();
  document["components"] = {{"schemas", std::move(schema_components)},
                            {"parameters", HeaderParameters()},
                            {"headers", ResponseHeaders()},
                            {"responses", ErrorResponseComponents()}};
  // ASCII out (ensure_ascii); invalid UTF-8 in a comment is replaced, not thrown.
  return document.dump(2, ' ', true, Json::error_handler_t::replace) + "\n";
}

}  // namespace wams::rest::openapi
