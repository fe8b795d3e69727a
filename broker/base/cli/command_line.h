// command_line.h: the command-line conventions every Wams binary keeps, on
// CLI11 (the one flag parser of the broker, the adapters and the tools).
//
//   CLI::App app("Runs the Wams Broker.", "wams-broker");
//   wams::cli::AddVersionFlag(app);
//   std::string config;
//   app.add_option("--config", config, "the BrokerConfig")->required();
//   if (std::optional<int> done = wams::cli::Parse(app, argc, argv)) return *done;
//
// --help (-h) prints the help on stdout and exits 0; --version prints
// VersionLine() on stdout and exits 0; any usage error (unknown flag, missing
// value, a required flag absent) prints the message and a pointer to --help
// on stderr and exits kExitUsage (2). CLI11 reports by exception; Parse
// catches them all and turns them into these exit codes, so none escapes.
//
// Kept small and free of the broker's internals (CLI11 and the C++ library
// only), so adapters link it and it can move into a shared bottom layer.
// Thread-compatible: parse on one thread, as main() does.
#ifndef WAMS_BROKER_BASE_CLI_COMMAND_LINE_H_
#define WAMS_BROKER_BASE_CLI_COMMAND_LINE_H_

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "CLI/CLI.hpp"

namespace wams::cli {

inline constexpr int kExitOk = 0;
// A bad command line: every binary exits with this, like getopt tools do.
inline constexpr int kExitUsage = 2;

// "wams-broker 0.1.0 (commit 6db2f89a1b2c, policy engine wams-policy-1)": the
// project version, the git commit it was built from ("-dirty" when built
// with uncommitted changes) and the policy engine revision (policy/rules.h;
// a receipt's full policy_version adds the config's catalogue digest).
std::string VersionLine(std::string_view program);

// Adds --version (VersionLine of the app's name) to `app`; CLI11 gives
// every app --help and -h.
void AddVersionFlag(CLI::App& app);

// Parses argv (argv[0] is the program) or `args` (without it) into `app`.
// nullopt: go on. Otherwise the exit code to return now, after --help or
// --version (0, stdout) or a usage error (kExitUsage, stderr).
std::optional<int> Parse(CLI::App& app, int argc, const char* const* argv);
std::optional<int> Parse(CLI::App& app, std::vector<std::string> args, std::ostream& out,
                         std::ostream& err);

}  // namespace wams::cli

#endif  // WAMS_BROKER_BASE_CLI_COMMAND_LINE_H_
