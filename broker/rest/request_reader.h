// request_reader.h: an HTTP request of the REST face made into the v1
// request message of its route, with protobuf's JSON mapping.
//
// The body (routes with `body: "*"`) is the request message as JSON
// (lowerCamelCase names; proto names and enum numbers are taken too, as
// protobuf's parser does); an unknown member is refused, not ignored. The
// path's variables set their fields; on other routes the query parameters
// set singular scalar fields, by JSON or proto name. Errors are
// INVALID_ARGUMENT naming the member, parameter or path variable (by its
// JSON name), never echoing a value. A body of another media type than
// application/json is INVALID_ARGUMENT with the kUnsupportedMediaType
// payload, which the listener answers with 415.
#ifndef WAMS_BROKER_REST_REQUEST_READER_H_
#define WAMS_BROKER_REST_REQUEST_READER_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/rest/route_table.h"
#include "google/protobuf/message.h"

namespace wams::rest {

// The payload type an INVALID_ARGUMENT carries when the body's media type is
// not application/json: the listener answers 415, not 400.
inline constexpr char kUnsupportedMediaType[] = "wams.rest/unsupported-media-type";

struct HttpInput {
  std::string content_type;  // as sent, "" when absent
  std::string body;
  // Query parameters as decoded by the HTTP library, repeats included.
  std::multimap<std::string, std::string> query;
};

// The request message of `match.route`, filled from `input`.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> ReadRequest(const RouteMatch& match,
                                                                       const HttpInput& input);

}  // namespace wams::rest

#endif  // WAMS_BROKER_REST_REQUEST_READER_H_
