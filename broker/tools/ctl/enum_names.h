// enum_names.h: the API's enum values as people type and read them on the
// command line: without their prefix, in any case.
//
//   absl::StatusOr<v1::Domain> d = ParseEnum<v1::Domain>("in", "mental_health");
//   EnumLabel(v1::DOMAIN_MENTAL_HEALTH);  // "MENTAL_HEALTH"
//
// Stateless; thread-safe.
#ifndef WAMS_BROKER_TOOLS_CTL_ENUM_NAMES_H_
#define WAMS_BROKER_TOOLS_CTL_ENUM_NAMES_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/generated_enum_reflection.h"

namespace wams::ctl {

// The common prefix of an enum's value names, e.g. "DOMAIN_": the name of its
// value 0 ("DOMAIN_UNSPECIFIED") without "UNSPECIFIED". Every enum of the API
// follows that convention.
std::string EnumPrefix(const google::protobuf::EnumDescriptor& descriptor);

// The value of `descriptor` named `text`, case-insensitively, with or without
// the prefix, '-' for '_'; never the _UNSPECIFIED value. INVALID_ARGUMENT
// otherwise, its message `unknown value "TEXT"; one of A, B, ...` (the caller
// names the flag).
absl::StatusOr<int> ParseEnumValue(const google::protobuf::EnumDescriptor& descriptor,
                                   const std::string& text);

// The name of `value` without the prefix, e.g. "MENTAL_HEALTH"; the number
// for a value the descriptor does not know.
std::string EnumValueLabel(const google::protobuf::EnumDescriptor& descriptor, int value);

// ParseEnumValue for `Enum`; the INVALID_ARGUMENT message names `flag`
// ("flag --in: unknown value ...").
template <typename Enum>
absl::StatusOr<Enum> ParseEnum(const std::string& flag, const std::string& text) {
  absl::StatusOr<int> value = ParseEnumValue(*google::protobuf::GetEnumDescriptor<Enum>(), text);
  if (!value.ok()) {
    return absl::InvalidArgumentError("flag --" + flag + ": " +
                                      std::string(value.status().message()));
  }
  return static_cast<Enum>(*value);
}

template <typename Enum>
std::string EnumLabel(Enum value) {
  return EnumValueLabel(*google::protobuf::GetEnumDescriptor<Enum>(), static_cast<int>(value));
}

}  // namespace wams::ctl

#endif  // WAMS_BROKER_TOOLS_CTL_ENUM_NAMES_H_
