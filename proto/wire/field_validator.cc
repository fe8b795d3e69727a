#include "proto/wire/field_validator.h"

#include <cstdint>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "proto/wire/text_checks.h"

namespace wams::wire {
namespace {

namespace v1 = ::wams::broker::v1;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr char kBsnProblem[] =
    "holds a nine-digit number that passes the elfproef (a BSN); refer to the person as "
    "\"the client\"";

bool AllOf(absl::string_view text, bool (*allowed)(char)) {
  for (char c : text) {
    if (!allowed(c)) return false;
  }
  return true;
}

bool IdentifierChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' ||
         c == '-';
}
bool ProfessionalIdChar(char c) { return IdentifierChar(c) || c == '@'; }
bool CategoryChar(char c) {
  return absl::ascii_islower(static_cast<unsigned char>(c)) ||
         absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '_';
}
bool MediaTypeChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("!#$&^_.+-/;= ").find(c) != absl::string_view::npos;
}

// What is wrong with a non-empty `value` under `syntax`, or "" when nothing
// is. Never quotes the value.
std::string SyntaxProblem(v1::FieldSyntax syntax, absl::string_view value) {
  switch (syntax) {
    case v1::FIELD_SYNTAX_IDENTIFIER:
      if (!AllOf(value, IdentifierChar)) {
        return "must be ASCII letters, digits, '.', '_', ':' or '-' only";
      }
      return HoldsSeparateBsn(value) ? kBsnProblem : "";
    case v1::FIELD_SYNTAX_PROFESSIONAL_ID:
      if (!AllOf(value, ProfessionalIdChar)) {
        return "must be ASCII letters, digits, '.', '_', ':', '@' or '-' only";
      }
      return HoldsSeparateBsn(value) ? kBsnProblem : "";
    case v1::FIELD_SYNTAX_OIN:
      return IsOinSyntax(value) ? "" : "must be an OIN: exactly 20 digits";
    case v1::FIELD_SYNTAX_BSN:
      // The same words as base::ParseBsn, which checks the rest.
      if (value.size() > 9) {
        return absl::StrCat("BSN must have exactly 9 digits, got ", value.size(), " characters");
      }
      for (size_t i = 0; i < value.size(); ++i) {
        if (!absl::ascii_isdigit(static_cast<unsigned char>(value[i]))) {
          return absl::StrCat("BSN must contain only the digits 0-9; character ", i + 1,
                              " is not a digit");
        }
      }
      return "";
    case v1::FIELD_SYNTAX_CATEGORY:
      if (!absl::ascii_islower(static_cast<unsigned char>(value[0])) ||
          !AllOf(value, CategoryChar)) {
        return "must be a category name: lower_snake_case (a letter, then lower-case letters, "
               "digits or '_')";
      }
      return HoldsBsn(value) ? kBsnProblem : "";
    case v1::FIELD_SYNTAX_MEDIA_TYPE:
      return AllOf(value, MediaTypeChar) ? "" : "must be a media type such as application/json";
    case v1::FIELD_SYNTAX_TEXT_LINE:
      if (!IsPrintableUtf8(value, /*allow_newline_and_tab=*/false)) {
        return "must be one line of printable UTF-8 text (no control characters)";
      }
      return HoldsBsn(value) ? kBsnProblem : "";
    case v1::FIELD_SYNTAX_FREE_TEXT:
      if (!IsPrintableUtf8(value, /*allow_newline_and_tab=*/true)) {
        return "must be printable UTF-8 text (no control characters but newline and tab)";
      }
      return HoldsBsn(value) ? kBsnProblem : "";
    case v1::FIELD_SYNTAX_MACHINE_LINE:
      // C2SP signed-note lines may come with their final newline.
      if (absl::EndsWith(value, "\n")) value.remove_suffix(1);
      return IsPrintableUtf8(value, /*allow_newline_and_tab=*/false)
                 ? ""
                 : "must be one line of printable UTF-8 (no control characters)";
    case v1::FIELD_SYNTAX_OPAQUE:
      return "";
    case v1::FIELD_SYNTAX_DATE:
      return IsDateSyntax(value) ? "" : "must be a date that exists, written YYYY-MM-DD";
    case v1::FIELD_SYNTAX_POSTAL_CODE:
      return IsPostalCodeSyntax(value)
                 ? ""
                 : "must be a Dutch postal code written \"1234 AB\" (four digits, a space, two "
                   "capital letters)";
    case v1::FIELD_SYNTAX_UNSPECIFIED:
    default:
      return "has no field rule";
  }
}

// OINs, BSNs, dates and postal codes have a fixed shape: a wrong length is a
// wrong value, not a value beyond a limit.
bool FixedShape(v1::FieldSyntax syntax) {
  return syntax == v1::FIELD_SYNTAX_OIN || syntax == v1::FIELD_SYNTAX_BSN ||
         syntax == v1::FIELD_SYNTAX_DATE || syntax == v1::FIELD_SYNTAX_POSTAL_CODE;
}

std::string Sha256OfItems(const std::vector<std::string>& items) {
  std::string framed;
  for (const std::string& item : items) {
    uint64_t size = item.size();
    for (int shift = 56; shift >= 0; shift -= 8) {
      framed.push_back(static_cast<char>((size >> shift) & 0xFF));
    }
    framed.append(item);
  }
  return Sha256Hex(framed);
}

// The items of a repeated field as bytes, for the violation's digest.
std::vector<std::string> ItemBytes(const Message& message, const FieldDescriptor& field) {
  const Reflection& reflection = *message.GetReflection();
  int count = reflection.FieldSize(message, &field);
  std::vector<std::string> items;
  items.reserve(count);
  for (int i = 0; i < count; ++i) {
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        items.push_back(reflection.GetRepeatedString(message, &field, i));
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        items.push_back(reflection.GetRepeatedMessage(message, &field, i).SerializeAsString());
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        items.push_back(std::to_string(reflection.GetRepeatedEnumValue(message, &field, i)));
        break;
      default:
        items.emplace_back();
        break;
    }
  }
  return items;
}

std::optional<Violation> Walk(const Message& message, const std::string& prefix);

// An enum number the API does not define (proto3 keeps unknown numbers): bad
// input naming the field and the number (a number is safe to echo). Zero
// (*_UNSPECIFIED) is defined: whether it is allowed is each call's to say.
std::optional<Violation> CheckEnum(const FieldDescriptor& field, const std::string& path,
                                   int number) {
  if (field.enum_type()->FindValueByNumber(number) != nullptr) return std::nullopt;
  const std::string text = std::to_string(number);
  return Violation{.code = absl::StatusCode::kInvalidArgument,
                   .field = path,
                   .problem = absl::StrCat(text, " is not a ", field.enum_type()->name()),
                   .length = text.size(),
                   .sha256_hex = Sha256Hex(text)};
}

std::optional<Violation> CheckField(const Message& message, const FieldDescriptor& field,
                                    const std::string& path) {
  const Reflection& reflection = *message.GetReflection();
  const v1::FieldRule& rule = field.options().GetExtension(v1::rule);
  if (field.is_repeated()) {
    int count = reflection.FieldSize(message, &field);
    if (rule.max_items() > 0 && static_cast<uint32_t>(count) > rule.max_items()) {
      return Violation{.code = absl::StatusCode::kResourceExhausted,
                       .field = path,
                       .problem = absl::StrCat("at most ", rule.max_items(), " items, got ", count),
                       .length = static_cast<size_t>(count),
                       .counts_items = true,
                       .sha256_hex = Sha256OfItems(ItemBytes(message, field))};
    }
    for (int i = 0; i < count; ++i) {
      std::string item_path = absl::StrCat(path, "[", i, "]");
      if (field.cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        std::string scratch;
        const std::string& value =
            reflection.GetRepeatedStringReference(message, &field, i, &scratch);
        if (auto bad = CheckValue(item_path, rule, value)) return bad;
      } else if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        if (auto bad = Walk(reflection.GetRepeatedMessage(message, &field, i), item_path)) {
          return bad;
        }
      } else if (field.cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
        if (auto bad =
                CheckEnum(field, item_path, reflection.GetRepeatedEnumValue(message, &field, i))) {
          return bad;
        }
      }
    }
    return std::nullopt;
  }
  if (field.cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    std::string scratch;
    return CheckValue(path, rule, reflection.GetStringReference(message, &field, &scratch));
  }
  if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
      reflection.HasField(message, &field)) {
    return Walk(reflection.GetMessage(message, &field), path);
  }
  if (field.cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
    return CheckEnum(field, path, reflection.GetEnumValue(message, &field));
  }
  return std::nullopt;
}

std::optional<Violation> Walk(const Message& message, const std::string& prefix) {
  const google::protobuf::Descriptor& descriptor = *message.GetDescriptor();
  for (int i = 0; i < descriptor.field_count(); ++i) {
    const FieldDescriptor& field = *descriptor.field(i);
    // Messages are walked and enums checked whether or not they carry a rule.
    if (!field.options().HasExtension(v1::rule) &&
        field.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE &&
        field.cpp_type() != FieldDescriptor::CPPTYPE_ENUM) {
      continue;
    }
    std::string path = prefix.empty() ? field.name() : absl::StrCat(prefix, ".", field.name());
    if (auto bad = CheckField(message, field, path)) return bad;
  }
  return std::nullopt;
}

}  // namespace

absl::Status Violation::ToStatus() const {
  return absl::Status(code, absl::StrCat(field, ": ", problem));
}

std::string Violation::Bounded() const {
  return absl::StrCat(field, ": ", problem, "; ", length, counts_items ? " items" : " bytes",
                      ", sha256 ", sha256_hex);
}

std::optional<Violation> FindViolation(const Message& message) { return Walk(message, ""); }

absl::Status Validate(const Message& message) {
  std::optional<Violation> bad = FindViolation(message);
  return bad.has_value() ? bad->ToStatus() : absl::OkStatus();
}

const v1::FieldRule& RuleOf(const google::protobuf::Descriptor& message, absl::string_view field) {
  const FieldDescriptor* found = message.FindFieldByName(std::string(field));
  if (found == nullptr) return v1::FieldRule::default_instance();
  return found->options().GetExtension(v1::rule);
}

std::optional<Violation> CheckValue(absl::string_view field, const v1::FieldRule& rule,
                                    absl::string_view value) {
  if (value.empty()) return std::nullopt;
  auto violation = [&](absl::StatusCode code, std::string problem) {
    return Violation{.code = code,
                     .field = std::string(field),
                     .problem = std::move(problem),
                     .length = value.size(),
                     .sha256_hex = Sha256Hex(value)};
  };
  if (rule.max_bytes() > 0 && value.size() > rule.max_bytes() && !FixedShape(rule.syntax())) {
    return violation(absl::StatusCode::kResourceExhausted,
                     absl::StrCat("longer than ", rule.max_bytes(), " bytes"));
  }
  std::string problem = SyntaxProblem(rule.syntax(), value);
  if (!problem.empty()) return violation(absl::StatusCode::kInvalidArgument, std::move(problem));
  return std::nullopt;
}

}  // namespace wams::wire
