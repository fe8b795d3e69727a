// online.h: wams-audit's online commands, against a running broker's
// AuditService over mutual TLS (the auditor's certificate).
//
//   wams-audit fetch     [conn] [--from N] [--tree-size N] DIR
//   wams-audit monitor   [conn] --keys FILE --state FILE [--quick] [witnesses]
//   wams-audit witness   [conn] --keys FILE --state FILE --witness-name NAME --witness-key FILE
//   wams-audit inclusion [conn] --keys FILE [witnesses] RECEIPT_FILE
//   wams-audit witness-key --witness-name NAME --witness-key FILE
//
//   conn: --broker HOST:PORT --cert FILE --key FILE --ca FILE [--professional ID]
//         (or WAMS_BROKER, WAMS_CERT, WAMS_KEY, WAMS_CA, WAMS_PROFESSIONAL_ID)
//   witnesses: --witness-key FILE (repeatable) --min-witnesses N
//   inclusion also works with a requester's or provider's certificate, for a
//   receipt that party is named in.
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

#include <cstdint>
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
  // fetch --from N: continue the export in DIR, whose checkpoint has size
  // from_index. Default: a new export into an empty DIR.
  bool continue_fetch = false;
  uint64_t from_index = 0;
  // fetch --tree-size N: end at the stored checkpoint of that size, with its
  // cosignatures. Default 0: a fresh checkpoint.
  uint64_t tree_size = 0;
  // Trusted witnesses' cosignature verifier key files and how many of them
  // must have cosigned (monitor, inclusion). Default: none, 0.
  std::vector<std::string> trusted_witness_files;
  uint64_t min_witnesses = 0;
};

// Runs the online command `command` ("fetch", "monitor", "witness",
// "inclusion", "witness-key") and returns what it found; prints nothing.
OnlineResult RunOnline(const std::string& command, const OnlineFlags& flags);

}  // namespace wams::auditor

#endif  // WAMS_BROKER_TOOLS_AUDITOR_ONLINE_H_
