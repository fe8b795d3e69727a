#include "broker/tools/ctl/enum_names.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"

namespace wams::ctl {

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
                                   const std::string& text) {
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
  return absl::InvalidArgumentError(
      absl::StrCat("unknown value \"", text, "\"; one of ", absl::StrJoin(accepted, ", ")));
}

std::string EnumValueLabel(const google::protobuf::EnumDescriptor& descriptor, int value) {
  const google::protobuf::EnumValueDescriptor* found = descriptor.FindValueByNumber(value);
  if (found == nullptr) return absl::StrCat(value);
  const std::string prefix = EnumPrefix(descriptor);
  return absl::StartsWith(found->name(), prefix) ? found->name().substr(prefix.size())
                                                 : found->name();
}

}  // namespace wams::ctl
