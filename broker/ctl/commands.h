// commands.h: wamsctl's commands, apart from argument parsing so they can be
// tested against a real broker.
#ifndef WAMS_BROKER_CTL_COMMANDS_H_
#define WAMS_BROKER_CTL_COMMANDS_H_

#include <ostream>
#include <string>

namespace wams::ctl {

// Where and as whom to connect.
struct Connection {
  std::string broker;           // HOST:PORT
  std::string cert_file;        // PEM client certificate
  std::string key_file;         // PEM private key (mode 0600)
  std::string ca_file;          // PEM CA bundle
  std::string professional_id;  // sent as x-wams-professional-id
};

// Runs `command`; prints the answer to `out` (JSON when `json`), errors to
// `err`. Returns the process exit code: 0 ok, 1 broker or TLS error, 2 usage.
int RunCommand(const std::string& command, const Connection& connection, bool json,
               std::ostream& out, std::ostream& err);

}  // namespace wams::ctl

#endif  // WAMS_BROKER_CTL_COMMANDS_H_
