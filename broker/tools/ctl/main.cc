// wamsctl: the integrator's and operator's command line for Wams Broker.
//
//   wamsctl [--broker HOST:PORT] [--cert FILE --key FILE --ca FILE]
//           [--professional ID] [--json] COMMAND [flags]
//   wamsctl --help            the commands
//   wamsctl case open --help  one command's flags and an example
//
// The TLS identity comes from flags or from the environment (WAMS_BROKER,
// WAMS_CERT, WAMS_KEY, WAMS_CA, WAMS_PROFESSIONAL_ID). Exit codes: 0 success,
// 1 refused or failed (printed with the gRPC code and any decision), 2 usage.
// See broker/tools/ctl/README.md.
#include <iostream>
#include <string>
#include <vector>

#include "broker/tools/ctl/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return wams::ctl::Run(args, wams::ctl::ConnectionFromEnvironment(), std::cout, std::cerr);
}
