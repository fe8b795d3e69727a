#include "broker/rest/request_reader.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace wams::rest {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status Invalid(absl::string_view where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

bool IsJson(absl::string_view content_type) {
  const absl::string_view media = absl::StripAsciiWhitespace(
      content_type.substr(0, std::min(content_type.find(';'), content_type.size())));
  return absl::EqualsIgnoreCase(media, "application/json");
}

// Sets the singular scalar `field` from text (a path segment or a query
// value). `name` is what the caller knows it by.
absl::Status SetScalar(Message& message, const FieldDescriptor& field, absl::string_view text,
                       absl::string_view name) {
  const Reflection& reflection = *message.GetReflection();
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (field.type() == FieldDescriptor::TYPE_BYTES) {
        return Invalid(name, "cannot be given in the path or query");
      }
      reflection.SetString(&message, &field, std::string(text));
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t value = 0;
      if (!absl::SimpleAtoi(text, &value)) return Invalid(name, "not a 32-bit integer");
      reflection.SetInt32(&message, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t value = 0;
      if (!absl::SimpleAtoi(text, &value)) return Invalid(name, "not a 64-bit integer");
      reflection.SetInt64(&message, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t value = 0;
      if (!absl::SimpleAtoi(text, &value)) return Invalid(name, "not an unsigned 32-bit integer");
      reflection.SetUInt32(&message, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t value = 0;
      if (!absl::SimpleAtoi(text, &value)) return Invalid(name, "not an unsigned 64-bit integer");
      reflection.SetUInt64(&message, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      if (text == "true" || text == "false") {
        reflection.SetBool(&message, &field, text == "true");
        return absl::OkStatus();
      }
      return Invalid(name, "not true or false");
    case FieldDescriptor::CPPTYPE_ENUM: {
      const google::protobuf::EnumValueDescriptor* value =
          field.enum_type()->FindValueByName(std::string(text));
      if (value == nullptr) return Invalid(name, "not one of the enum's value names");
      reflection.SetEnum(&message, &field, value);
      return absl::OkStatus();
    }
    default:
      return Invalid(name, "cannot be given in the path or query");
  }
}

const FieldDescriptor* FindByJsonOrProtoName(const google::protobuf::Descriptor& type,
                                             absl::string_view name) {
  for (int i = 0; i < type.field_count(); ++i) {
    if (type.field(i)->json_name() == name) return type.field(i);
  }
  return type.FindFieldByName(std::string(name));
}

// protobuf's JSON parser quotes what it was sent: the value of a member
// ("(clientBsn): invalid value 123456789 for type TYPE_STRING"), an unknown
// member's name, and a snippet of the body under a caret. What the caller
// gets back names the member and the problem, never what it sent: only the
// first line, no value, no quoted text, a member name only when it is a
// plain one, and bounded.
// A member name worth repeating: like the proto's (a letter or _ first).
bool IsPlainName(std::string_view name) {
  return !name.empty() && name.size() <= 64 &&
         (absl::ascii_isalpha(static_cast<unsigned char>(name.front())) || name.front() == '_') &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
         });
}

std::string WithoutValues(absl::string_view message) {
  // By hand, not std::regex: libstdc++'s recurses per character.
  std::string_view line(message.data(), std::min(message.find('\n'), message.size()));
  constexpr std::string_view kUnknown = ": Cannot find field.";
  if (line.ends_with(kUnknown)) {
    const size_t path_end = line.starts_with('(') ? line.find(") ") : std::string_view::npos;
    const size_t name_at = path_end == std::string_view::npos ? 0 : path_end + 2;
    const std::string_view name = line.substr(name_at, line.size() - kUnknown.size() - name_at);
    const std::string path(line.substr(0, std::min(name_at, size_t{200})));
    return path + (IsPlainName(name) ? std::string(name) : "a member") + std::string(kUnknown);
  }
  std::string text(line.substr(0, 1000));
  constexpr std::string_view kInvalid = "invalid value ", kForType = " for type ";
  if (const size_t at = text.find(kInvalid); at != std::string::npos) {
    if (const size_t type = text.rfind(kForType); type != std::string::npos && type > at) {
      text.erase(at + kInvalid.size() - 1, type - (at + kInvalid.size() - 1));
    }
  }
  std::string out;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') {
      out += quoted ? "...\"" : "\"";
      quoted = !quoted;
    } else if (!quoted) {
      out += c;
    }
  }
  return out.size() > 200 ? out.substr(0, 200) : out;
}

absl::Status ReadBody(const HttpInput& input, Message& request) {
  if (!IsJson(input.content_type)) {
    absl::Status status =
        absl::InvalidArgumentError("Content-Type: the body must be application/json");
    status.SetPayload(kUnsupportedMediaType, absl::Cord("415"));
    return status;
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const google::protobuf::util::Status parsed =
      google::protobuf::util::JsonStringToMessage(input.body, &request, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("body: ", WithoutValues(std::string(parsed.message()))));
  }
  return absl::OkStatus();
}

absl::Status ReadQuery(const HttpInput& input, const RouteMatch& match, Message& request) {
  for (auto it = input.query.begin(); it != input.query.end(); ++it) {
    const std::string& name = it->first;
    // Names are echoed in errors: only a bounded, plain name.
    const bool plain =
        !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
          return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
        });
    if (!plain)
      return absl::InvalidArgumentError("query: a parameter name that is not a field name");
    if (input.query.count(name) > 1) return Invalid(name, "given more than once");
    const FieldDescriptor* field = FindByJsonOrProtoName(*request.GetDescriptor(), name);
    if (field == nullptr) return Invalid(name, "no such query parameter");
    if (field->is_repeated() || field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return Invalid(name, "cannot be given in the query");
    }
    for (const auto& [path_field, value] : match.path_values) {
      if (path_field == field) return Invalid(name, "is given in the path");
    }
    if (absl::Status set = SetScalar(request, *field, it->second, field->json_name()); !set.ok()) {
      return set;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Message>> ReadRequest(const RouteMatch& match,
                                                     const HttpInput& input) {
  const google::protobuf::Descriptor& type = *match.route->method->input_type();
  std::unique_ptr<Message> request(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(&type)->New());
  if (match.route->body_is_request) {
    if (absl::Status body = ReadBody(input, *request); !body.ok()) return body;
    if (!input.query.empty()) {
      return absl::InvalidArgumentError("query: this route takes its input in the body");
    }
  } else {
    if (!input.body.empty()) return absl::InvalidArgumentError("body: this route takes none");
    if (absl::Status query = ReadQuery(input, match, *request); !query.ok()) return query;
  }
  const Reflection& reflection = *request->GetReflection();
  for (const auto& [field, value] : match.path_values) {
    // The body may repeat a path field only with the same value.
    std::unique_ptr<Message> from_path(request->New());
    if (absl::Status set = SetScalar(*from_path, *field, value, field->json_name()); !set.ok()) {
      return set;
    }
    if (reflection.HasField(*request, field)) {
      std::unique_ptr<Message> from_body(request->New());
      from_body->GetReflection()->SwapFields(request.get(), from_body.get(), {field});
      const bool same = from_body->SerializeAsString() == from_path->SerializeAsString();
      if (!same) return Invalid(field->json_name(), "differs between the path and the body");
    }
    request->MergeFrom(*from_path);
  }
  return request;
}

}  // namespace wams::rest
