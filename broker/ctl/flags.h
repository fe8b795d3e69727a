// flags.h: the per-command flag parser of wamsctl, driven by a table of flag
// specs so that parsing, validation and --help text come from one place.
//
//   const std::vector<FlagSpec> specs = {
//       StringFlag("case", "ID", "the case", kRequired),
//       RepeatedFlag("category", "NAME", "a data category"),
//       BoolFlag("agreed", "they agreed"),
//   };
//   absl::StatusOr<ParsedFlags> flags = ParseFlags(specs, {"--case", "c1", "--agreed"});
//   flags->Get("case");        // "c1"
//   flags->Has("agreed");      // true
//
//   absl::StatusOr<v1::Domain> d = ParseEnum<v1::Domain>("in", "mental_health");
//   EnumLabel(v1::DOMAIN_MENTAL_HEALTH);  // "MENTAL_HEALTH"
#ifndef WAMS_BROKER_CTL_FLAGS_H_
#define WAMS_BROKER_CTL_FLAGS_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/generated_enum_reflection.h"

namespace wams::ctl {

enum class FlagKind {
  kString,    // --name VALUE (or --name=VALUE), at most once
  kRepeated,  // --name VALUE, any number of times, in order
  kBool,      // --name, no value
};

// One flag of one command.
struct FlagSpec {
  // Without the leading "--".
  std::string name;
  // Default: a single string value.
  FlagKind kind = FlagKind::kString;
  // Shown in help, e.g. "OIN". Default: "VALUE" when empty.
  std::string value_name;
  // One line of help.
  std::string help;
  // Whether the command needs it; ParseFlags rejects its absence. Default: no.
  bool required = false;
};

inline constexpr bool kRequired = true;

// Spec builders, so tables stay one line per flag.
inline FlagSpec StringFlag(std::string name, std::string value_name, std::string help,
                           bool required = false) {
  return FlagSpec{std::move(name), FlagKind::kString, std::move(value_name), std::move(help),
                  required};
}
inline FlagSpec RepeatedFlag(std::string name, std::string value_name, std::string help,
                             bool required = false) {
  return FlagSpec{std::move(name), FlagKind::kRepeated, std::move(value_name), std::move(help),
                  required};
}
inline FlagSpec BoolFlag(std::string name, std::string help) {
  return FlagSpec{std::move(name), FlagKind::kBool, "", std::move(help), false};
}

// The flags given to one command.
class ParsedFlags {
 public:
  // The value of a kString flag; "" when not given.
  const std::string& Get(const std::string& name) const;
  // Every value of a kRepeated flag, in order; empty when not given.
  const std::vector<std::string>& GetAll(const std::string& name) const;
  // Whether the flag was given at all.
  bool Has(const std::string& name) const;

 private:
  friend absl::StatusOr<ParsedFlags> ParseFlags(const std::vector<FlagSpec>&,
                                                const std::vector<std::string>&);
  std::map<std::string, std::vector<std::string>> values_;
};

// Parses `args` against `specs`. INVALID_ARGUMENT, with a message naming the
// flag, for an unknown flag, a missing value, a repeated single flag, a
// positional argument or a missing required flag.
absl::StatusOr<ParsedFlags> ParseFlags(const std::vector<FlagSpec>& specs,
                                       const std::vector<std::string>& args);

// Help lines for `specs`, one per flag, aligned.
std::string FlagHelp(const std::vector<FlagSpec>& specs);

// The common prefix of an enum's value names, e.g. "DOMAIN_": the name of its
// value 0 ("DOMAIN_UNSPECIFIED") without "UNSPECIFIED". Every enum of the API
// follows that convention.
std::string EnumPrefix(const google::protobuf::EnumDescriptor& descriptor);

// The value of `descriptor` named `text`, case-insensitively, with or without
// the prefix; never the _UNSPECIFIED value. INVALID_ARGUMENT names `flag` and
// lists the accepted values.
absl::StatusOr<int> ParseEnumValue(const google::protobuf::EnumDescriptor& descriptor,
                                   const std::string& flag, const std::string& text);

// The name of `value` without the prefix, e.g. "MENTAL_HEALTH"; the number
// for a value the descriptor does not know.
std::string EnumValueLabel(const google::protobuf::EnumDescriptor& descriptor, int value);

template <typename Enum>
absl::StatusOr<Enum> ParseEnum(const std::string& flag, const std::string& text) {
  absl::StatusOr<int> value =
      ParseEnumValue(*google::protobuf::GetEnumDescriptor<Enum>(), flag, text);
  if (!value.ok()) return value.status();
  return static_cast<Enum>(*value);
}

template <typename Enum>
std::string EnumLabel(Enum value) {
  return EnumValueLabel(*google::protobuf::GetEnumDescriptor<Enum>(), static_cast<int>(value));
}

}  // namespace wams::ctl

#endif  // WAMS_BROKER_CTL_FLAGS_H_
