#include "broker/tools/ctl/command_flags.h"

#include <cstdio>
#include <cstdlib>

namespace wams::ctl {

CLI::Option* Text(CLI::App& command, const std::string& name, const std::string& value_name,
                  const std::string& help) {
  // The type name is the value's name in the help and in CLI11's messages
  // ("--case: 1 required ID missing").
  return command.add_option("--" + name, help)
      ->type_name(value_name)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::Throw);
}

CLI::Option* List(CLI::App& command, const std::string& name, const std::string& value_name,
                  const std::string& help) {
  // One value per occurrence: `--law A B` leaves B over, an error, rather
  // than quietly taking it. Said in the help text, not with option_text,
  // which would hide CLI11's REQUIRED mark.
  const std::string description = help + " (repeatable)";
  return command.add_option("--" + name, description)
      ->type_name(value_name)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

CLI::Option* Switch(CLI::App& command, const std::string& name, const std::string& help) {
  return command.add_flag("--" + name, help)->disable_flag_override();
}

CLI::Validator EnumNameCheck(const google::protobuf::EnumDescriptor& descriptor) {
  // An empty description keeps the help to the flag's own text.
  return CLI::Validator(
      [&descriptor](std::string& text) -> std::string {
        absl::StatusOr<int> value = ParseEnumValue(descriptor, text);
        return value.ok() ? "" : std::string(value.status().message());
      },
      "");
}

const CLI::Option& FlagValues::Find(const std::string& name) const {
  const CLI::Option* option = command_.get_option_no_throw("--" + name);
  if (option == nullptr) {
    std::fprintf(stderr, "wamsctl: bug: %s reads --%s, which it does not declare\n",
                 command_.get_name().c_str(), name.c_str());
    std::abort();
  }
  return *option;
}

std::string FlagValues::Get(const std::string& name) const {
  const CLI::results_t& results = Find(name).results();
  return results.empty() ? "" : results.front();
}

std::vector<std::string> FlagValues::GetAll(const std::string& name) const {
  return Find(name).results();
}

bool FlagValues::Has(const std::string& name) const { return Find(name).count() > 0; }

}  // namespace wams::ctl
