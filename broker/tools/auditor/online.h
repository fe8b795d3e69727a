// online.h: wams-audit's online commands, against a running broker's
// AuditService over mutual TLS (the auditor's certificate).
//
//   wams-audit fetch     [conn] DIR
//   wams-audit monitor   [conn] --keys FILE --state FILE [--quick]
//   wams-audit witness   [conn] --keys FILE --state FILE --witness-name NAME --witness-key FILE
//   wams-audit inclusion [conn] --keys FILE RECEIPT_FILE
//   wams-audit witness-key --witness-name NAME --witness-key FILE
//
//   conn: --broker HOST:PORT --cert FILE --key FILE --ca FILE [--professional ID]
//         (or WAMS_BROKER, WAMS_CERT, WAMS_KEY, WAMS_CA, WAMS_PROFESSIONAL_ID)
//
//   OnlineResult result = wams::auditor::RunOnline("monitor", flags);
//   int code = PrintOnlineText(result, std::cout, std::cerr);  // or OnlineResultJson
//
// Exit codes as the offline commands: 0 verified, 1 verification failed (or
// the broker could not be asked), 2 usage error. A detected fork, rollback
// or rewrite is an alarm (printed as a line starting with "ALARM:" on
// stderr) and leaves the state file as it was. See broker/tools/README.md.
#ifndef WAMS_BROKER_TOOLS_AUDITOR_ONLINE_H_
#define WAMS_BROKER_TOOLS_AUDITOR_ONLINE_H_

#include <string>
#include <vector>

#include "broker/tools/auditor/online_result.h"

namespace wams::auditor {

// The online commands' flags (main.cc parses them).
struct OnlineFlags {
  // HOST:PORT. Default: WAMS_BROKER, else 127.0.0.1:7443.
  std::string broker;
  // The auditor's PEM certificate, key (0600) and the CA bundle.
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
  // Sent as x-wams-professional-id. Default: none.
  std::string professional_id;
  // The log's trusted verifier keys (monitor, witness, inclusion).
  std::string keys_file;
  // The saved checkpoint (monitor, witness).
  std::string state_file;
  // The witness's name and private key (witness, witness-key).
  std::string witness_name;
  std::string witness_key_file;
  // Only the checkpoint's signature, not every receipt (monitor, witness).
  bool quick = false;
  // DIR (fetch) or RECEIPT_FILE (inclusion).
  std::vector<std::string> positional;
};

// Runs the online command `command` ("fetch", "monitor", "witness",
// "inclusion", "witness-key") and returns what it found; prints nothing.
OnlineResult RunOnline(const std::string& command, const OnlineFlags& flags);

}  // namespace wams::auditor

#endif  // WAMS_BROKER_TOOLS_AUDITOR_ONLINE_H_
