// schema_builder.h: OpenAPI 3.0 schemas of protobuf messages, fields and
// enums under protobuf's JSON mapping (MessageToJsonString's defaults).
//
//   SchemaBuilder schemas;
//   absl::StatusOr<Json> ref = schemas.MessageRef(*method->output_type());
//   ...
//   document["components"]["schemas"] = schemas.TakeSchemas();
//
// Each message or enum reached becomes one component (every type it reaches
// too); properties are the fields' json_names, described by their comments
// and bounded by their (wams.broker.v1.rule). Not thread-safe.
#ifndef WAMS_BROKER_REST_OPENAPI_SCHEMA_BUILDER_H_
#define WAMS_BROKER_REST_OPENAPI_SCHEMA_BUILDER_H_

#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "nlohmann/json.hpp"

namespace wams::rest::openapi {

using Json = nlohmann::ordered_json;

class SchemaBuilder {
 public:
  // {"$ref": "#/components/schemas/<Name>"} for `message`, adding its
  // component. INVALID_ARGUMENT for a type the mapping has no form for
  // (e.g. google.protobuf.Any) or two types with one component name.
  absl::StatusOr<Json> MessageRef(const google::protobuf::Descriptor& message);

  // As MessageRef, for `message` without the fields named in `omitted`
  // (the path fields of a body route): the component "<Name>Body".
  absl::StatusOr<Json> MessageRefWithout(const google::protobuf::Descriptor& message,
                                         const std::set<std::string>& omitted);

  // The schema of one field's JSON value (a query or path parameter's),
  // without its description.
  absl::StatusOr<Json> FieldSchema(const google::protobuf::FieldDescriptor& field);

  // The field's comment with what its rule and oneof add: a parameter's or
  // a property's description.
  static std::string FieldDescription(const google::protobuf::FieldDescriptor& field);

  // The components, sorted by name; the builder is empty afterwards.
  Json TakeSchemas();

 private:
  absl::StatusOr<std::string> AddMessage(const google::protobuf::Descriptor& message,
                                         const std::set<std::string>& omitted,
                                         const std::string& suffix);
  absl::StatusOr<std::string> AddEnum(const google::protobuf::EnumDescriptor& type);
  absl::StatusOr<Json> ValueSchema(const google::protobuf::FieldDescriptor& field);
  // Claims `name` for the type `full_name`; false when another type has it.
  bool Claim(const std::string& name, const std::string& full_name);

  std::map<std::string, Json> schemas_;
  std::map<std::string, std::string> owners_;
};

}  // namespace wams::rest::openapi

#endif  // WAMS_BROKER_REST_OPENAPI_SCHEMA_BUILDER_H_
