#include "broker/rest/openapi/schema_builder.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "broker/base/status_macros.h"
#include "broker/rest/openapi/proto_text.h"
#include "wams/broker/v1/field_rules.pb.h"

namespace wams::rest::openapi {
namespace {

namespace v1 = ::wams::broker::v1;
using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

Json Ref(const std::string& name) { return Json{{"$ref", "#/components/schemas/" + name}}; }

// The pattern of a syntax simple enough for one; "" for the others (their
// description says what they allow).
absl::string_view SyntaxPattern(v1::FieldSyntax syntax) {
  switch (syntax) {
    case v1::FIELD_SYNTAX_IDENTIFIER:
      return "^[A-Za-z0-9._:-]+$";
    case v1::FIELD_SYNTAX_PROFESSIONAL_ID:
      return "^[A-Za-z0-9._:@-]+$";
    case v1::FIELD_SYNTAX_OIN:
      return "^[0-9]{20}$";
    case v1::FIELD_SYNTAX_BSN:
      return "^[0-9]{9}$";
    case v1::FIELD_SYNTAX_CATEGORY:
      return "^[a-z][a-z0-9_]*$";
    case v1::FIELD_SYNTAX_MEDIA_TYPE:
      return "^[A-Za-z0-9!#$&^_.+/;= -]+$";
    case v1::FIELD_SYNTAX_DATE:
      return "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
    case v1::FIELD_SYNTAX_POSTAL_CODE:
      return "^[1-9][0-9]{3} [A-Z]{2}$";
    default:
      return "";
  }
}

// What a syntax allows beyond its pattern, in words.
absl::string_view SyntaxNote(v1::FieldSyntax syntax) {
  switch (syntax) {
    case v1::FIELD_SYNTAX_IDENTIFIER:
    case v1::FIELD_SYNTAX_PROFESSIONAL_ID:
      return "No part between separators may be a nine-digit number passing the elfproef.";
    case v1::FIELD_SYNTAX_BSN:
      return "A BSN: nine digits passing the elfproef.";
    case v1::FIELD_SYNTAX_CATEGORY:
      return "A category of the catalogue, lower_snake_case.";
    case v1::FIELD_SYNTAX_TEXT_LINE:
      return "One line of UTF-8 text: no control characters, no BSN.";
    case v1::FIELD_SYNTAX_FREE_TEXT:
      return "UTF-8 text: no control characters but newline and tab, no BSN.";
    case v1::FIELD_SYNTAX_MACHINE_LINE:
      return "One line of UTF-8 without control characters (a final newline allowed).";
    case v1::FIELD_SYNTAX_DATE:
      return "A date that exists, YYYY-MM-DD.";
    case v1::FIELD_SYNTAX_POSTAL_CODE:
      return "A Dutch postal code written \"1234 AB\".";
    default:
      return "";
  }
}

// The field's rule, if it has one.
const v1::FieldRule* RuleOf(const FieldDescriptor& field) {
  if (!field.options().HasExtension(v1::rule)) return nullptr;
  return &field.options().GetExtension(v1::rule);
}

// Adds the rule's bounds to the schema of one value (an array's item).
void ApplyValueRule(const FieldDescriptor& field, const v1::FieldRule& rule, Json& schema) {
  if (rule.max_bytes() > 0) {
    if (field.type() == FieldDescriptor::TYPE_BYTES) {
      schema["maxLength"] = 4 * ((rule.max_bytes() + 2) / 3);  // base64 of max_bytes
    } else if (field.type() == FieldDescriptor::TYPE_STRING) {
      schema["maxLength"] = rule.max_bytes();
    }
  }
  absl::string_view pattern = SyntaxPattern(rule.syntax());
  if (!pattern.empty() && field.type() == FieldDescriptor::TYPE_STRING) {
    schema["pattern"] = pattern;
  }
}

// The JSON form of a well-known type; nullopt-like empty when not one.
bool WellKnownSchema(const Descriptor& message, Json& schema) {
  const std::string& name = message.full_name();
  if (name == "google.protobuf.Timestamp") {
    schema = {{"type", "string"}, {"format", "date-time"}};
  } else if (name == "google.protobuf.Duration") {
    schema = {{"type", "string"},
              {"pattern", "^-?[0-9]+(\\.[0-9]{1,9})?s$"},
              {"description", "A duration in seconds with an \"s\" suffix, e.g. \"1.5s\"."}};
  } else if (name == "google.protobuf.Empty" || name == "google.protobuf.Struct") {
    schema = {{"type", "object"}};
  } else {
    return false;
  }
  return true;
}

}  // namespace

bool SchemaBuilder::Claim(const std::string& name, const std::string& full_name) {
  auto [owner, inserted] = owners_.emplace(name, full_name);
  return inserted || owner->second == full_name;
}

absl::StatusOr<Json> SchemaBuilder::MessageRef(const Descriptor& message) {
  Json schema;
  if (WellKnownSchema(message, schema)) return schema;
  WAMS_ASSIGN_OR_RETURN(std::string name, AddMessage(message, {}, ""));
  return Ref(name);
}

absl::StatusOr<Json> SchemaBuilder::MessageRefWithout(const Descriptor& message,
                                                      const std::set<std::string>& omitted) {
  WAMS_ASSIGN_OR_RETURN(std::string name, AddMessage(message, omitted, "Body"));
  return Ref(name);
}

absl::StatusOr<std::string> SchemaBuilder::AddMessage(const Descriptor& message,
                                                      const std::set<std::string>& omitted,
                                                      const std::string& suffix) {
  std::string name = ComponentName(message.full_name(), message.file()->package()) + suffix;
  std::string owner = message.full_name() + suffix;
  if (!Claim(name, owner)) {
    return absl::InvalidArgumentError(
        absl::StrCat("schema name ", name, " is both ", owner, " and ", owners_[name]));
  }
  if (schemas_.contains(name)) return name;
  // Placed before its fields are walked, so a recursive type ends here.
  schemas_[name] = Json::object();
  Json schema = {{"type", "object"}};
  std::string description = Comment(message);
  if (!suffix.empty()) {
    absl::StrAppend(&description, description.empty() ? "" : "\n\n", "The body of ", message.name(),
                    ": its fields but those in the path.");
  }
  if (!description.empty()) schema["description"] = description;
  Json properties = Json::object();
  for (int i = 0; i < message.field_count(); ++i) {
    const FieldDescriptor& field = *message.field(i);
    if (omitted.contains(field.name())) continue;
    WAMS_ASSIGN_OR_RETURN(Json property, FieldSchema(field));
    std::string field_description = FieldDescription(field);
    if (!field_description.empty()) {
      // OpenAPI 3.0 ignores a $ref's siblings: a described reference is an allOf.
      if (property.contains("$ref")) property = Json{{"allOf", Json::array({property})}};
      property["description"] = field_description;
    }
    properties[field.json_name()] = std::move(property);
  }
  if (!properties.empty()) schema["properties"] = std::move(properties);
  schemas_[name] = std::move(schema);
  return name;
}

absl::StatusOr<std::string> SchemaBuilder::AddEnum(const EnumDescriptor& type) {
  std::string name = ComponentName(type.full_name(), type.file()->package());
  if (!Claim(name, type.full_name())) {
    return absl::InvalidArgumentError(
        absl::StrCat("schema name ", name, " is both ", type.full_name(), " and ", owners_[name]));
  }
  if (schemas_.contains(name)) return name;
  std::vector<std::string> lines;
  if (std::string comment = Comment(type); !comment.empty()) lines.push_back(comment + "\n");
  Json values = Json::array();
  for (int i = 0; i < type.value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor& value = *type.value(i);
    values.push_back(value.name());
    std::string comment = Comment(value);
    if (!comment.empty()) lines.push_back(absl::StrCat("- `", value.name(), "`: ", comment));
  }
  Json schema = {{"type", "string"}};
  if (!lines.empty()) schema["description"] = absl::StrJoin(lines, "\n");
  schema["enum"] = std::move(values);
  schemas_[name] = std::move(schema);
  return name;
}

absl::StatusOr<Json> SchemaBuilder::ValueSchema(const FieldDescriptor& field) {
  switch (field.type()) {
    case FieldDescriptor::TYPE_DOUBLE:
      return Json{{"type", "number"}, {"format", "double"}};
    case FieldDescriptor::TYPE_FLOAT:
      return Json{{"type", "number"}, {"format", "float"}};
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SINT32:
    case FieldDescriptor::TYPE_SFIXED32:
      return Json{{"type", "integer"}, {"format", "int32"}};
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32:
      return Json{{"type", "integer"},
                  {"format", "int64"},
                  {"minimum", 0},
                  {"maximum", std::uint64_t{UINT32_MAX}}};
    // protobuf's JSON writes 64-bit integers as strings (JavaScript's
    // numbers hold 53 bits).
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SINT64:
    case FieldDescriptor::TYPE_SFIXED64:
      return Json{{"type", "string"}, {"format", "int64"}, {"pattern", "^-?[0-9]+$"}};
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_FIXED64:
      return Json{{"type", "string"}, {"format", "uint64"}, {"pattern", "^[0-9]+$"}};
    case FieldDescriptor::TYPE_BOOL:
      return Json{{"type", "boolean"}};
    case FieldDescriptor::TYPE_STRING:
      return Json{{"type", "string"}};
    case FieldDescriptor::TYPE_BYTES:
      return Json{{"type", "string"}, {"format", "byte"}};
    case FieldDescriptor::TYPE_ENUM: {
      WAMS_ASSIGN_OR_RETURN(std::string name, AddEnum(*field.enum_type()));
      return Ref(name);
    }
    case FieldDescriptor::TYPE_MESSAGE:
    case FieldDescriptor::TYPE_GROUP: {
      const Descriptor& message = *field.message_type();
      if (message.file()->package() == "google.protobuf" &&
          message.full_name() != "google.protobuf.Timestamp" &&
          message.full_name() != "google.protobuf.Duration" &&
          message.full_name() != "google.protobuf.Empty" &&
          message.full_name() != "google.protobuf.Struct") {
        return absl::InvalidArgumentError(
            absl::StrCat(field.full_name(), ": ", message.full_name(), " has no JSON schema here"));
      }
      return MessageRef(message);
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(field.full_name(), ": unknown field type"));
}

absl::StatusOr<Json> SchemaBuilder::FieldSchema(const FieldDescriptor& field) {
  if (field.is_map()) {
    WAMS_ASSIGN_OR_RETURN(Json value, ValueSchema(*field.message_type()->map_value()));
    return Json{{"type", "object"}, {"additionalProperties", std::move(value)}};
  }
  WAMS_ASSIGN_OR_RETURN(Json value, ValueSchema(field));
  const v1::FieldRule* rule = RuleOf(field);
  if (rule != nullptr) ApplyValueRule(field, *rule, value);
  if (!field.is_repeated()) return value;
  Json array = {{"type", "array"}, {"items", std::move(value)}};
  if (rule != nullptr && rule->max_items() > 0) array["maxItems"] = rule->max_items();
  return array;
}

std::string SchemaBuilder::FieldDescription(const FieldDescriptor& field) {
  std::vector<std::string> parts;
  if (std::string comment = Comment(field); !comment.empty()) parts.push_back(comment);
  if (const google::protobuf::OneofDescriptor* oneof = field.real_containing_oneof()) {
    std::vector<std::string> members;
    members.reserve(oneof->field_count());
    for (int i = 0; i < oneof->field_count(); ++i) {
      members.push_back(absl::StrCat("`", oneof->field(i)->json_name(), "`"));
    }
    parts.push_back(absl::StrCat("One of the oneof `", oneof->name(), "`: set at most one of ",
                                 absl::StrJoin(members, ", "), "."));
  }
  if (const v1::FieldRule* rule = RuleOf(field)) {
    std::vector<std::string> notes;
    if (rule->max_bytes() > 0) {
      notes.push_back(
          field.type() == FieldDescriptor::TYPE_BYTES
              ? absl::StrCat("At most ", rule->max_bytes(), " bytes before base64.")
              : absl::StrCat("At most ", rule->max_bytes(),
                             " bytes in UTF-8 (maxLength counts characters; the byte bound is "
                             "the stricter)."));
    }
    if (rule->max_items() > 0)
      notes.push_back(absl::StrCat("At most ", rule->max_items(), " items."));
    if (absl::string_view note = SyntaxNote(rule->syntax()); !note.empty()) {
      notes.emplace_back(note);
    }
    if (!notes.empty()) parts.push_back(absl::StrJoin(notes, " "));
  }
  return absl::StrJoin(parts, "\n\n");
}

Json SchemaBuilder::TakeSchemas() {
  Json schemas = Json::object();
  for (auto& [name, schema] : schemas_) schemas[name] = std::move(schema);
  schemas_.clear();
  owners_.clear();
  return schemas;
}

}  // namespace wams::rest::openapi
