// openapi_document.h: the OpenAPI 3 document of the REST face, embedded.
//
//   std::string_view json = wams::rest::OpenApiDocument();
//
// Generated at build time from the v1 protos' google.api.http annotations
// and comments by wams-openapi-gen (broker/rest/openapi/README.md); the
// listener serves it at /api/v1/openapi.json. Thread-safe: constant data.
#ifndef WAMS_BROKER_REST_OPENAPI_OPENAPI_DOCUMENT_H_
#define WAMS_BROKER_REST_OPENAPI_OPENAPI_DOCUMENT_H_

#include <string_view>

namespace wams::rest {

// The document as JSON (ASCII, non-ASCII characters escaped), byte for byte
// the build's openapi.json. Valid for the life of the program.
std::string_view OpenApiDocument();

}  // namespace wams::rest

#endif  // WAMS_BROKER_REST_OPENAPI_OPENAPI_DOCUMENT_H_
