// embed.h: the C++ source that embeds the OpenAPI document in the broker
// (the definition of wams::rest::OpenApiDocument, openapi_document.h).
#ifndef WAMS_BROKER_REST_OPENAPI_EMBED_H_
#define WAMS_BROKER_REST_OPENAPI_EMBED_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wams::rest::openapi {

// A .cc holding `json` as raw string literals of at most 8 KiB each, split
// at ASCII bytes only. INVALID_ARGUMENT when `json` holds the literals'
// delimiter or is not ASCII (the generator escapes every other character).
absl::StatusOr<std::string> EmbedAsCc(absl::string_view json);

}  // namespace wams::rest::openapi

#endif  // WAMS_BROKER_REST_OPENAPI_EMBED_H_
