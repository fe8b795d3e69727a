// proto_text.h: the words the OpenAPI document takes from the protos: their
// comments (as descriptions) and their names (as OpenAPI names).
#ifndef WAMS_BROKER_REST_OPENAPI_PROTO_TEXT_H_
#define WAMS_BROKER_REST_OPENAPI_PROTO_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace wams::rest::openapi {

// Strips the one space after each `//` and the trailing blank lines.
std::string CleanComment(absl::string_view raw);

// The leading comment of a descriptor, `// ` markers gone, lines kept; ""
// when it has none (or the pool holds no source info).
template <typename Descriptor>
std::string Comment(const Descriptor& descriptor) {
  google::protobuf::SourceLocation location;
  if (!descriptor.GetSourceLocation(&location)) return "";
  return CleanComment(location.leading_comments);
}

// The first sentence of a comment, on one line: an operation's summary.
std::string FirstSentence(absl::string_view comment);

// "GetCase" -> "getCase", "WhoAmI" -> "whoAmI": an operationId.
std::string LowerCamel(absl::string_view upper_camel);

// The schema name of a message or enum: UpperCamelCase, nested types joined
// to their outer type (wams.broker.v1.Outer.Inner -> "OuterInner"); a type
// from another package is prefixed by its package (google.rpc.Status ->
// "GoogleRpcStatus") so names cannot clash.
std::string ComponentName(const std::string& full_name, const std::string& package);

}  // namespace wams::rest::openapi

#endif  // WAMS_BROKER_REST_OPENAPI_PROTO_TEXT_H_
