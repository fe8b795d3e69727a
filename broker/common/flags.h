// flags.h: the value of a `--name VALUE` or `--name=VALUE` command-line flag,
// for the programs with a flag or two (wams-broker, wams-passthrough).
//
//   std::string config = wams::common::FlagValue(argc, argv, "--config");
#ifndef WAMS_BROKER_COMMON_FLAGS_H_
#define WAMS_BROKER_COMMON_FLAGS_H_

#include <string>
#include <string_view>

namespace wams::common {

// The value of `--name VALUE` or `--name=VALUE`, or empty.
std::string FlagValue(int argc, char** argv, std::string_view name);

}  // namespace wams::common

#endif  // WAMS_BROKER_COMMON_FLAGS_H_
