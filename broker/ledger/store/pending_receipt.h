// pending_receipt.h: one receipt on its way to the disk, and its preparation
// on the appending thread (validation, deterministic serialisation, Ed25519
// signature, leaf hash, index key prefixes), so that the committer only
// hashes tree nodes and writes.
//
//   WAMS_ASSIGN_OR_RETURN(std::unique_ptr<PendingReceipt> p,
//                         PrepareReceipt(receipt, signer, key_id, max_bytes, false));
//   p->done = std::move(callback);
//   // queue it; the committer sets signed_receipt.leaf_index and writes `value`.
//
// Thread-safe: PrepareReceipt may run on any number of threads at once; a
// PendingReceipt has one owner at a time (the appender, then the queue,
// then the committing thread).
#ifndef WAMS_BROKER_LEDGER_STORE_PENDING_RECEIPT_H_
#define WAMS_BROKER_LEDGER_STORE_PENDING_RECEIPT_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/note/note.h"
#include "broker/ledger/store/ledger_observer.h"
#include "broker/ledger/store/receipt_index.h"
#include "broker/storage/backend.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::ledger::store {

// Ledger::AppendCallback and Ledger::Companion (documented there).
using ReceiptCallback = absl::AnyInvocable<void(absl::StatusOr<wams::broker::v1::SignedReceipt>)>;
using ReceiptCompanion =
    absl::AnyInvocable<storage::WriteBatch(const wams::broker::v1::SignedReceipt&) &&>;

struct PendingReceipt {
  wams::broker::v1::SignedReceipt signed_receipt;  // leaf_index filled in by the committer
  std::string value;  // SignedReceipt without leaf_index: the stored bytes
  Digest leaf_hash;
  IndexPrefixes index;         // all empty: not indexed
  ReceiptCompanion companion;  // may be empty
  ReceiptCallback done;
  // Set by the committer when this receipt was left out of its group (its
  // companion touched the log); it then gets this instead of a leaf.
  absl::Status refused;
  // For LedgerOptions::observer: filled only when there is one.
  CommittedReceipt summary;
  absl::Time prepared_at;
};

// Validates, serialises and signs `receipt` with `signer` (key id `key_id`):
//   INVALID_ARGUMENT   kind or outcome unspecified, a pseudonym that is not
//                      32 bytes, an indexed value over 65535 bytes;
//   RESOURCE_EXHAUSTED the signed bytes exceed `max_receipt_bytes`.
// With `summarize`, fills `summary` and `prepared_at` for the observer.
absl::StatusOr<std::unique_ptr<PendingReceipt>> PrepareReceipt(
    const wams::broker::v1::Receipt& receipt, const NoteSigner& signer, std::string_view key_id,
    size_t max_receipt_bytes, bool summarize);

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_PENDING_RECEIPT_H_
