#include "broker/ctl/flags.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"

namespace wams::ctl {
namespace {

const std::vector<std::string>& EmptyList() {
  static const auto* const kEmpty = new std::vector<std::string>();
  return *kEmpty;
}

const FlagSpec* FindSpec(const std::vector<FlagSpec>& specs, const std::string& name) {
  auto found = std::find_if(specs.begin(), specs.end(),
                            [&](const FlagSpec& spec) { return spec.name == name; });
  return found == specs.end() ? nullptr : &*found;
}

}  // namespace

const std::string& ParsedFlags::Get(const std::string& name) const {
  static const auto* const kEmpty = new std::string();
  auto found = values_.find(name);
  return found == values_.end() || found->second.empty() ? *kEmpty : found->second.front();
}

const std::vector<std::string>& ParsedFlags::GetAll(const std::string& name) const {
  auto found = values_.find(name);
  return found == values_.end() ? EmptyList() : found->second;
}

bool ParsedFlags::Has(const std::string& name) const { return values_.contains(name); }

absl::StatusOr<ParsedFlags> ParseFlags(const std::vector<FlagSpec>& specs,
                                       const std::vector<std::string>& args) {
  ParsedFlags parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!absl::StartsWith(arg, "--") || arg.size() == 2) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument \"", arg, "\""));
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (size_t equals = name.find('='); equals != std::string::npos) {
      inline_value = name.substr(equals + 1);
      name.resize(equals);
    }
    const FlagSpec* spec = FindSpec(specs, name);
    if (spec == nullptr) return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    std::vector<std::string>& values = parsed.values_[name];
    if (spec->kind == FlagKind::kBool) {
      if (inline_value.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat("flag --", name, " takes no value"));
      }
      continue;
    }
    if (!inline_value.has_value()) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat("flag --", name, " needs a value"));
      }
      inline_value = args[++i];
    }
    if (spec->kind == FlagKind::kString && !values.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("flag --", name, " given more than once"));
    }
    values.push_back(*std::move(inline_value));
  }
  for (const FlagSpec& spec : specs) {
    if (spec.required && !parsed.Has(spec.name)) {
      return absl::InvalidArgumentError(absl::StrCat("missing required flag --", spec.name));
    }
  }
  return parsed;
}

std::string FlagHelp(const std::vector<FlagSpec>& specs) {
  std::vector<std::pair<std::string, const FlagSpec*>> lines;
  size_t width = 0;
  for (const FlagSpec& spec : specs) {
    std::string left = absl::StrCat("--", spec.name);
    if (spec.kind != FlagKind::kBool) {
      absl::StrAppend(&left, " ", spec.value_name.empty() ? "VALUE" : spec.value_name);
    }
    if (spec.kind == FlagKind::kRepeated) absl::StrAppend(&left, " ...");
    width = std::max(width, left.size());
    lines.emplace_back(std::move(left), &spec);
  }
  std::string help;
  for (const auto& [left, spec] : lines) {
    absl::StrAppend(&help, "  ", left, std::string(width - left.size() + 2, ' '), spec->help,
                    spec->required ? " (required)" : "", "\n");
  }
  return help;
}

std::string EnumPrefix(const google::protobuf::EnumDescriptor& descriptor) {
  const google::protobuf::EnumValueDescriptor* zero = descriptor.FindValueByNumber(0);
  if (zero == nullptr) return "";
  std::string name = zero->name();
  constexpr std::string_view kUnspecified = "UNSPECIFIED";
  if (!name.ends_with(kUnspecified)) return "";
  name.resize(name.size() - kUnspecified.size());
  return name;
}

absl::StatusOr<int> ParseEnumValue(const google::protobuf::EnumDescriptor& descriptor,
                                   const std::string& flag, const std::string& text) {
  const std::string prefix = EnumPrefix(descriptor);
  std::string wanted = absl::AsciiStrToUpper(text);
  // Accept "mental-health" too: the flag style of the command line.
  std::replace(wanted.begin(), wanted.end(), '-', '_');
  std::vector<std::string> accepted;
  for (int i = 0; i < descriptor.value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor& value = *descriptor.value(i);
    if (value.number() == 0) continue;
    std::string label = value.name().substr(prefix.size());
    if (wanted == label || wanted == value.name()) return value.number();
    accepted.push_back(std::move(label));
  }
  return absl::InvalidArgumentError(absl::StrCat("flag --", flag, ": unknown value \"", text,
                                                 "\"; one of ", absl::StrJoin(accepted, ", ")));
}

std::string EnumValueLabel(const google::protobuf::EnumDescriptor& descriptor, int value) {
  const google::protobuf::EnumValueDescriptor* found = descriptor.FindValueByNumber(value);
  if (found == nullptr) return absl::StrCat(value);
  const std::string prefix = EnumPrefix(descriptor);
  return absl::StartsWith(found->name(), prefix) ? found->name().substr(prefix.size())
                                                 : found->name();
}

}  // namespace wams::ctl
