// offline_export.h: export the receipt log of a stopped broker for auditors.
//
//   wams-broker --config FILE --export DIR
//
// Opens the data directory (which checks the stored tree against its last
// signed checkpoint), makes a checkpoint of everything stored, and writes
// the auditor export (checkpoint, receipts.jsonl, keys; see
// broker/tools/README.md) into DIR for `wams-audit verify`. Also the
// integrity check after a restore: it fails with DATA_LOSS on a damaged log.
#ifndef WAMS_BROKER_SERVICES_OFFLINE_EXPORT_H_
#define WAMS_BROKER_SERVICES_OFFLINE_EXPORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "wams/broker/v1/config.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::services {

// The checkpoint the export ends at. UNAVAILABLE when the broker still runs
// (the database is locked); FAILED_PRECONDITION for an empty log or an
// existing export in `dir`.
absl::StatusOr<broker::v1::Checkpoint> ExportReceiptLog(const broker::v1::BrokerConfig& config,
                                                        const std::string& dir);

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_OFFLINE_EXPORT_H_
