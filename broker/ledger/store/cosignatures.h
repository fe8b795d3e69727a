// cosignatures.h: the witnesses' cosignatures of stored checkpoints, kept in
// the meta family under storage::CosignatureKey(tree_size, witness name) ->
// the C2SP tlog-cosignature line (with its "\n"). Written by the audit room
// (AuditService.AddCosignature) and the witness pusher (broker/witnessing),
// read by GetCheckpoint and both exports.
//
//   WAMS_RETURN_IF_ERROR(StoreCosignature(backend, 42, "w1.example/witness", line));
//   std::vector<std::string> lines = ReadCosignatures(backend, 42);
//
// Callers verify a line before they store it; these functions do not.
// Thread-safe as the backend is.
#ifndef WAMS_BROKER_LEDGER_STORE_COSIGNATURES_H_
#define WAMS_BROKER_LEDGER_STORE_COSIGNATURES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "broker/storage/backend.h"

namespace wams::ledger::store {

// The stored lines of the checkpoint of `tree_size`, by witness name (at
// most 100). A read error gives none: the checkpoint itself is signed by the
// broker, and the witnesses can be asked again.
std::vector<std::string> ReadCosignatures(const storage::Reader& reader, uint64_t tree_size);

// Stores (synced) `line` as the witness's cosignature of that checkpoint,
// replacing an earlier one; a "\n" is added when missing. The backend's
// error (UNAVAILABLE) otherwise.
absl::Status StoreCosignature(const storage::Backend& backend, uint64_t tree_size,
                              std::string_view witness_name, std::string line);

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_COSIGNATURES_H_
