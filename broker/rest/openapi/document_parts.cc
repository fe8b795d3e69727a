#include "broker/rest/openapi/document_parts.h"

#include <string>

#include "broker/rest/api_version.h"
#include "broker/rest/openapi/openapi_generator.h"

namespace wams::rest::openapi {
namespace {

Json HeaderRef(absl::string_view name) {
  return Json{{"$ref", "#/components/headers/" + std::string(name)}};
}
Json ParameterRef(absl::string_view name) {
  return Json{{"$ref", "#/components/parameters/" + std::string(name)}};
}

// The schema of an identifier (FIELD_SYNTAX_IDENTIFIER, as request_id).
Json IdentifierSchema(int max_length) {
  return Json{{"type", "string"}, {"maxLength", max_length}, {"pattern", "^[A-Za-z0-9._:-]+$"}};
}

}  // namespace

Json Info() {
  return Json{
      {"title", "Wams Broker API"},
      {"description",
       "The REST/JSON face of the Wams Broker: the calls of the gRPC API wams.broker.v1 "
       "(CaseService, ExchangeService, ConferenceService, AuditService) over HTTPS with "
       "mutual TLS, bodies in protobuf's JSON mapping (lowerCamelCase names, enums by name, "
       "64-bit integers as strings, bytes as base64, times as RFC 3339). Generated from the "
       "protos; their comments are the descriptions. Errors are application/problem+json "
       "(RFC 9457)."},
      {"version", kApiVersion},
      {"contact",
       {{"name", "Wams Broker, Gemeente Voorbeeldstad"},
        {"email", "wams-broker@voorbeeldstad.example"},
        {"url", "https://wams-broker.voorbeeldstad.example"}}}};
}

Json Servers() {
  return Json::array(
      {{{"url", std::string(kExampleServerOrigin) + kBasePath},
        {"description",
         "An example broker: replace the host with your broker's. The base path carries the "
         "API's major version."}}});
}

Json ProblemSchema() {
  return Json{
      {"type", "object"},
      {"description", "An error (RFC 9457 problem details)."},
      {"required", {"status", "title", "detail"}},
      {"properties",
       {{"type",
         {{"type", "string"},
          {"format", "uri-reference"},
          {"description", "A URI naming the kind of problem."}}},
        {"title", {{"type", "string"}, {"description", "A short summary of the kind of problem."}}},
        {"status",
         {{"type", "integer"},
          {"format", "int32"},
          {"minimum", 400},
          {"maximum", 599},
          {"description", "The HTTP status code."}}},
        {"detail",
         {{"type", "string"},
          {"description", "What went wrong with this request, naming the field or rule."}}},
        {"instance",
         {{"type", "string"},
          {"format", "uri-reference"},
          {"description", "A URI naming this occurrence."}}}}}};
}

Json ResponseHeaders() {
  return Json{{kApiVersionHeader,
               {{"description", "The full semantic version of the API that answered."},
                {"required", true},
                {"schema",
                 {{"type", "string"},
                  {"pattern", "^[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]*)?$"},
                  {"example", kApiVersion}}}}},
              {"traceparent",
               {{"description", "The W3C trace context the broker ran the request under."},
                {"schema", {{"type", "string"}}}}}};
}

Json HeaderParameters() {
  return Json{
      {"Traceparent",
       {{"name", "traceparent"},
        {"in", "header"},
        {"description",
         "A W3C trace context; used when valid, otherwise the broker starts a new trace."},
        {"schema", {{"type", "string"}, {"maxLength", 512}}}}},
      {"Tracestate",
       {{"name", "tracestate"},
        {"in", "header"},
        {"description", "W3C trace state, passed on with a valid traceparent only."},
        {"schema", {{"type", "string"}, {"maxLength", 512}}}}},
      {"ProfessionalId",
       {{"name", "x-wams-professional-id"},
        {"in", "header"},
        {"description",
         "The acting professional's id within the calling party; recorded in every receipt."},
        {"schema", {{"type", "string"}, {"maxLength", 128}, {"pattern", "^[A-Za-z0-9._:@-]+$"}}}}},
      {"IdempotencyKey",
       {{"name", "Idempotency-Key"},
        {"in", "header"},
        {"description",
         "The request id when the body carries none: a retry with the same key gets the "
         "first outcome."},
        {"schema", IdentifierSchema(128)}}}};
}

Json HeaderParameterRefs(bool has_body) {
  Json refs = Json::array(
      {ParameterRef("Traceparent"), ParameterRef("Tracestate"), ParameterRef("ProfessionalId")});
  if (has_body) refs.push_back(ParameterRef("IdempotencyKey"));
  return refs;
}

Json ErrorResponseComponents() {
  Json responses = Json::object();
  for (const ErrorResponse& error : kErrorResponses) {
    responses[std::string(error.name)] = {
        {"description", error.description},
        {"headers", {{kApiVersionHeader, HeaderRef(kApiVersionHeader)}}},
        {"content",
         {{"application/problem+json",
           {{"schema", {{"$ref", std::string("#/components/schemas/") + kProblemSchema}}}}}}}};
  }
  return responses;
}

Json ResponseHeaderRefs() {
  return Json{{kApiVersionHeader, HeaderRef(kApiVersionHeader)},
              {"traceparent", HeaderRef("traceparent")}};
}

}  // namespace wams::rest::openapi
