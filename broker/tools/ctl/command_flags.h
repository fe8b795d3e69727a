// command_flags.h: a wamsctl command's flags, declared on its CLI11
// subcommand and read back by name once CLI11 has parsed the line.
//
//   void DeclareFlags(CLI::App& command) {
//     Text(command, "case", "ID", "the case")->required();
//     List(command, "in", "DOMAIN", "a domain")->check(EnumName<v1::Domain>());
//     Switch(command, "agreed", "they agreed");
//   }
//   ...after wams::cli::Parse:
//   FlagValues flags(command);
//   flags.Get("case");     // "c1"
//   flags.GetAll("in");    // {"mental_health", "POLICE"}, as typed
//   flags.Has("agreed");   // true
//
// CLI11 reports the usage errors (unknown flag, missing value, a single flag
// given twice, a required flag absent, an enum value it does not know), each
// naming the flag. Thread-compatible, like CLI::App.
#ifndef WAMS_BROKER_TOOLS_CTL_COMMAND_FLAGS_H_
#define WAMS_BROKER_TOOLS_CTL_COMMAND_FLAGS_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "broker/tools/ctl/enum_names.h"

namespace wams::ctl {

// --NAME VALUE (or --NAME=VALUE), at most once. `value_name` is shown in
// the help, e.g. "OIN".
CLI::Option* Text(CLI::App& command, const std::string& name, const std::string& value_name,
                  const std::string& help);
// --NAME VALUE, any number of times (the help says "(repeatable)"); the
// values are kept in order.
CLI::Option* List(CLI::App& command, const std::string& name, const std::string& value_name,
                  const std::string& help);
// --NAME, without a value.
CLI::Option* Switch(CLI::App& command, const std::string& name, const std::string& help);

// A check for a flag naming a value of `descriptor` (ParseEnumValue); CLI11
// reports a failure as "--FLAG: unknown value "x"; one of A, B, ...".
CLI::Validator EnumNameCheck(const google::protobuf::EnumDescriptor& descriptor);
template <typename Enum>
CLI::Validator EnumName() {
  return EnumNameCheck(*google::protobuf::GetEnumDescriptor<Enum>());
}

// The flags one parsed command was given. Borrows `command`, which must
// outlive it. Asking for a flag the command did not declare is a bug and
// aborts.
class FlagValues {
 public:
  explicit FlagValues(const CLI::App& command) : command_(command) {}

  // The value of a Text flag; "" when not given.
  std::string Get(const std::string& name) const;
  // Every value of a List flag, in order; empty when not given.
  std::vector<std::string> GetAll(const std::string& name) const;
  // Whether the flag was given at all.
  bool Has(const std::string& name) const;

 private:
  const CLI::Option& Find(const std::string& name) const;

  const CLI::App& command_;
};

}  // namespace wams::ctl

#endif  // WAMS_BROKER_TOOLS_CTL_COMMAND_FLAGS_H_
