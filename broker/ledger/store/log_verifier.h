// log_verifier.h: the receipt log's own audit: the start-up check of the
// store against its last signed checkpoint (Ledger::Open) and the full check
// (Ledger::VerifyAll, full_check_on_open), with the configured keys.
//
//   LogVerifier verifier(backend, options.origin, verifiers);  // signing key first
//   WAMS_RETURN_IF_ERROR(verifier.CheckOnOpen(latest_checkpoint, /*full=*/false));
//
// Errors: DATA_LOSS when the store does not match what was signed (the
// message names the receipt, node or checkpoint); FAILED_PRECONDITION when
// a checkpoint or receipt is signed by a key that is not configured.
//
// Thread-safe: immutable after construction; every check reads one snapshot.
#ifndef WAMS_BROKER_LEDGER_STORE_LOG_VERIFIER_H_
#define WAMS_BROKER_LEDGER_STORE_LOG_VERIFIER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/ledger/note/note.h"
#include "broker/storage/backend.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::ledger::store {

class LogVerifier {
 public:
  // `backend` is borrowed and must outlive the verifier; `verifiers` holds
  // the signing key's verifier first, then the earlier keys'.
  LogVerifier(const storage::Backend& backend, std::string origin,
              std::vector<NoteVerifier> verifiers);

  // The verifier of key id "name+hash", or nullptr when not configured.
  const NoteVerifier* VerifierFor(std::string_view key_id) const;
  // The verifier key lines, signing key first.
  std::vector<std::string> KeyLines() const;

  // Returns `cp` when its note is signed by a configured key, has the
  // configured origin and says what its stored fields say.
  absl::StatusOr<wams::broker::v1::Checkpoint> VerifyCheckpointNote(
      const wams::broker::v1::Checkpoint& cp) const;

  // The open-time check: the receipts end at the stored tree size, `latest`
  // (the latest stored checkpoint) verifies and its root matches the stored
  // nodes, and every receipt after it (with `full`, every receipt) has a
  // good signature and completed the nodes stored for it.
  absl::Status CheckOnOpen(const std::optional<wams::broker::v1::Checkpoint>& latest,
                           bool full) const;

  // Every receipt's signature and nodes, and every stored checkpoint.
  absl::Status VerifyAll() const;

 private:
  // Receipts [begin, end) are all there, in order, and signed by a
  // configured key; with `check_nodes`, the nodes each completed match.
  absl::Status CheckLeaves(const storage::Reader& snapshot, uint64_t begin, uint64_t end,
                           bool check_nodes) const;

  const storage::Backend& backend_;
  const std::string origin_;
  const std::vector<NoteVerifier> verifiers_;
};

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_LOG_VERIFIER_H_
