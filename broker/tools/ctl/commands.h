// commands.h: wamsctl as a library, so that it can be tested and the binary
// stays a thin main().
//
//   Connection connection = ConnectionFromEnvironment();   // WAMS_* variables
//   int code = Run({"--json", "case", "get", "--case", id}, connection,
//                  std::cout, std::cerr);
#ifndef WAMS_BROKER_TOOLS_CTL_COMMANDS_H_
#define WAMS_BROKER_TOOLS_CTL_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

namespace wams::ctl {

// Where and as whom to connect.
struct Connection {
  // HOST:PORT. Default: 127.0.0.1:7443.
  std::string broker = "127.0.0.1:7443";
  // PEM client certificate. Default: none (a command needing the broker fails).
  std::string cert_file;
  // PEM private key (mode 0600). Default: none.
  std::string key_file;
  // PEM CA bundle. Default: none.
  std::string ca_file;
  // Sent as x-wams-professional-id. Default: none.
  std::string professional_id;
};

// The connection from WAMS_BROKER, WAMS_CERT, WAMS_KEY, WAMS_CA and
// WAMS_PROFESSIONAL_ID, each defaulted as in Connection when unset.
Connection ConnectionFromEnvironment();

// Runs the command line `args` (without the program name), parsed by CLI11
// through wams::cli (broker/base/cli/command_line.h). Global options (--broker,
// --cert, --key, --ca, --professional, --json) may appear anywhere and
// override `connection`; the rest names a command ("whoami", "case open")
// and its flags. Prints the answer, --help and --version to `out` and
// diagnostics to `err`. Returns the process exit code: 0 success (or help,
// version), 1 refused or failed (broker, TLS, answer says no), 2 usage (the
// message names the offending flag or argument).
int Run(const std::vector<std::string>& args, Connection connection, std::ostream& out,
        std::ostream& err);

}  // namespace wams::ctl

#endif  // WAMS_BROKER_TOOLS_CTL_COMMANDS_H_
