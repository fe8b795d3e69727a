// ldv_export.h: Logboek Dataverwerkingen (LDV) records from a receipt-log
// export, for `wams-audit ldv-export`.
//
// LDV is the Dutch standard for logging the processing of personal data: one
// record per processing operation, with the trace and span ids that tie it
// to the request it ran in, the processing activity in the controller's
// processing register, and the data subject. Each receipt of the export
// becomes one record (a JSON object on one line); the field-by-field mapping
// is in broker/tools/README.md ("Logboek Dataverwerkingen"). The subject is
// the receipt's pseudonym (HMAC-SHA256 of the BSN under the municipality's
// key), never a BSN.
//
//   WAMS_ASSIGN_OR_RETURN(LdvRegister reg, LdvRegisterFromConfig("broker.textproto"));
//   WAMS_ASSIGN_OR_RETURN(uint64_t n, WriteLdvRecords("export-dir", reg, std::cout));
//
// Thread-compatible: no shared state.
#ifndef WAMS_BROKER_TOOLS_AUDITOR_LDV_EXPORT_H_
#define WAMS_BROKER_TOOLS_AUDITOR_LDV_EXPORT_H_

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "wams/broker/v1/config.pb.h"

namespace wams::auditor {

// The processing register's URIs, by purpose.
struct LdvRegister {
  // Purpose (wams.broker.v1.Purpose number) -> the activity's URI.
  std::map<int, std::string> activity_by_purpose;
  // The activity of receipts without a purpose. Default: none.
  std::string case_administration_uri;
};

// The BrokerConfig's processing_register (textproto, or JSON).
// INVALID_ARGUMENT naming the field: a purpose unspecified or given twice, a
// URI that is not absolute https: or urn:; NOT_FOUND for an unreadable file.
absl::StatusOr<LdvRegister> LdvRegisterFromConfig(const std::string& config_path);
absl::StatusOr<LdvRegister> LdvRegisterFrom(const wams::broker::v1::ProcessingRegister& register_);

// Verifies the export in `dir` (as `wams-audit verify`), then writes one LDV
// record per receipt, in leaf order, to `out`; returns how many. The export
// failing to verify: its VerifyExport status, nothing written.
// A refused receipt whose purpose has no activity (e.g. a forbidden purpose,
// R08) belongs to the case administration. FAILED_PRECONDITION naming the
// purpose when any other receipt's purpose has no activity in `register_`,
// or the case administration has none where it is needed (nothing written).
absl::StatusOr<uint64_t> WriteLdvRecords(const std::string& dir, const LdvRegister& register_,
                                         std::ostream& out);

}  // namespace wams::auditor

#endif  // WAMS_BROKER_TOOLS_AUDITOR_LDV_EXPORT_H_
