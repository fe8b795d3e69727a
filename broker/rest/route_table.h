// route_table.h: the REST face's routes, read from the google.api.http
// annotations of the v1 services (proto/wams/broker/v1/*.proto).
//
// One route per annotated method: an HTTP method, a path template under
// /api/v1 whose {variables} name fields of the request message, and whether
// the JSON body is the request (`body: "*"`). Nothing is declared twice: a
// route added to a proto is served once its method has a call (rest_calls.h).
//
//   absl::StatusOr<RouteTable> routes = RouteTable::FromServices(V1Services());
//   RouteMatch match = routes->Match("GET", "/api/v1/cases/c-1");
//   if (match.route != nullptr) { ... match.path_values ... }
#ifndef WAMS_BROKER_REST_ROUTE_TABLE_H_
#define WAMS_BROKER_REST_ROUTE_TABLE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace wams::rest {

struct Route {
  std::string http_method;  // "GET", "POST", "PUT", "PATCH", "DELETE"
  std::string path;         // the template as annotated, e.g. "/api/v1/cases/{case_id}"
  // The template's segments; a variable is kept as "{field}".
  std::vector<std::string> segments;
  // The fields the path's variables set, in order.
  std::vector<const google::protobuf::FieldDescriptor*> path_fields;
  bool body_is_request = false;  // body: "*"
  const google::protobuf::MethodDescriptor* method = nullptr;
};

// What Match found: a route and the path's variable values (as sent, not yet
// decoded), or no route, with the methods the path has when it has any.
struct RouteMatch {
  const Route* route = nullptr;
  std::vector<std::pair<const google::protobuf::FieldDescriptor*, std::string>> path_values;
  std::vector<std::string> allowed_methods;  // for 405, when route is null
};

// The four services the REST face serves: cases, exchange, conferences,
// audit. (Through their messages' files, so that the generated descriptors
// are linked in wherever this is called.)
std::vector<const google::protobuf::ServiceDescriptor*> V1Services();

class RouteTable {
 public:
  // The annotated methods of the named services (from the generated pool).
  // INVALID_ARGUMENT naming the method when an annotation is malformed: a
  // pattern other than get/post/put/patch/delete, a path outside /api/v1, a
  // variable naming no singular string or integer field, a body other than
  // "" or "*", two routes with one method and template.
  static absl::StatusOr<RouteTable> FromServices(
      const std::vector<const google::protobuf::ServiceDescriptor*>& services);

  // The route for `http_method` and `path` (no query string). A literal
  // segment wins over a variable (/receipts/_search before /receipts/{i}).
  RouteMatch Match(absl::string_view http_method, absl::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace wams::rest

#endif  // WAMS_BROKER_REST_ROUTE_TABLE_H_
