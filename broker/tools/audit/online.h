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
//   int code = wams::audit::RunOnline("monitor", args, std::cout, std::cerr);
//
// Exit codes as the offline commands: 0 verified, 1 verification failed (or
// the broker could not be asked), 2 usage error. A detected fork, rollback
// or rewrite prints a line starting with "ALARM:" on stderr and leaves the
// state file as it was. See broker/tools/README.md.
#ifndef WAMS_BROKER_TOOLS_AUDIT_ONLINE_H_
#define WAMS_BROKER_TOOLS_AUDIT_ONLINE_H_

#include <ostream>
#include <string>
#include <vector>

namespace wams::audit {

// True for the commands RunOnline handles.
bool IsOnlineCommand(const std::string& command);

// Runs an online command with its arguments (after the command word).
int RunOnline(const std::string& command, const std::vector<std::string>& args, std::ostream& out,
              std::ostream& err);

// The usage text of the online commands.
extern const char kOnlineUsage[];

}  // namespace wams::audit

#endif  // WAMS_BROKER_TOOLS_AUDIT_ONLINE_H_
