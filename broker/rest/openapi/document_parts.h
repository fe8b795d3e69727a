// document_parts.h: the parts of the OpenAPI document that do not come from
// the protos: info, servers, the request and response headers, and the
// problem+json error responses (RFC 9457) every operation shares.
#ifndef WAMS_BROKER_REST_OPENAPI_DOCUMENT_PARTS_H_
#define WAMS_BROKER_REST_OPENAPI_DOCUMENT_PARTS_H_

#include "absl/strings/string_view.h"
#include "broker/rest/openapi/schema_builder.h"

namespace wams::rest::openapi {

// The component name of the RFC 9457 problem schema.
inline constexpr char kProblemSchema[] = "Problem";

Json Info();
Json Servers();

// components.schemas' Problem: exactly type, title, status, detail, instance.
Json ProblemSchema();
// components.headers: API-Version and traceparent.
Json ResponseHeaders();
// components.parameters: the request headers the listener reads.
Json HeaderParameters();
// The $refs of the header parameters an operation takes; Idempotency-Key
// only where there is a body.
Json HeaderParameterRefs(bool has_body);

// One error response: its status and its components.responses name.
struct ErrorResponse {
  int status;
  absl::string_view name;
  absl::string_view description;
  bool body_only;  // answered only to a request with a body (413, 415)
};
// The statuses the listener may answer with a problem; the name is the
// response's key in components.responses.
inline constexpr ErrorResponse kErrorResponses[] = {
    {400, "BadRequest", "The request is malformed or a field is invalid (INVALID_ARGUMENT).",
     false},
    {401, "Unauthorized", "No valid client certificate (UNAUTHENTICATED).", false},
    {403, "Forbidden", "The Wams rules or the caller's role refuse it (PERMISSION_DENIED).", false},
    {404, "NotFound", "No such resource, as far as the caller may know (NOT_FOUND).", false},
    {409, "Conflict",
     "The case or conference must change first (FAILED_PRECONDITION), or it conflicts with what "
     "exists (ALREADY_EXISTS, ABORTED).",
     false},
    {413, "ContentTooLarge", "The body is larger than the broker takes.", true},
    {415, "UnsupportedMediaType", "The body is not application/json.", true},
    {429, "TooManyRequests", "A limit of the calling party is reached (RESOURCE_EXHAUSTED).",
     false},
    {500, "InternalServerError", "The broker failed (INTERNAL, UNKNOWN, DATA_LOSS).", false},
    {501, "NotImplemented", "Not implemented (UNIMPLEMENTED).", false},
    {503, "ServiceUnavailable", "Retry later, e.g. a provider is down (UNAVAILABLE).", false},
    {504, "GatewayTimeout", "The deadline passed (DEADLINE_EXCEEDED).", false}};
// components.responses: one problem+json response per kErrorResponses entry.
Json ErrorResponseComponents();
// A success response's headers: $refs to API-Version and traceparent.
Json ResponseHeaderRefs();

}  // namespace wams::rest::openapi

#endif  // WAMS_BROKER_REST_OPENAPI_DOCUMENT_PARTS_H_
