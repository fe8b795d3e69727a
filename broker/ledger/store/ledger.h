// ledger.h: the durable receipt log, over a storage::Backend.
//
// Every receipt is serialised deterministically, signed with Ed25519 (the
// note signer's key, key id "name+hash"), hashed as an RFC 6962 leaf and
// appended to a Merkle tree whose complete subtree hashes are stored, so
// inclusion and consistency proofs read O(log n) nodes. Appends are
// group-committed: one group at a time, the committer takes every receipt
// queued while the previous fsync ran, assigns leaf indexes, and writes them
// (receipts, tree nodes, indexes and the new tree size) as one WriteBatch
// (one durable Backend::Write). The committer is one of two dedicated threads (one
// writes while the other completes the previous group's waiters), or a
// caller of Append that finds no commit running (as RocksDB's write-group
// leader). An append is acknowledged only after that fsync. Checkpoints (C2SP
// tlog-checkpoint signed notes) are made every `checkpoint_interval` and on
// demand; every one is kept.
//
//   WAMS_ASSIGN_OR_RETURN(auto backend, storage::OpenBackend(config.storage()));
//   LedgerOptions options;
//   options.origin = "wams.utrecht.example/receipts";
//   WAMS_ASSIGN_OR_RETURN(auto ledger,
//                         Ledger::Open(*backend, std::move(signer), options));
//   WAMS_ASSIGN_OR_RETURN(SignedReceipt r, ledger->Append(receipt));
//   WAMS_ASSIGN_OR_RETURN(Checkpoint cp, ledger->MakeCheckpoint());
//   WAMS_ASSIGN_OR_RETURN(InclusionProof p,
//                         ledger->GetInclusionProof(r.leaf_index(), cp.tree_size()));
//
// A write that fails (disk full, I/O error, lost connection) is
// acknowledged to nobody, and the ledger then refuses appends at once with
// UNAVAILABLE ("receipt log unavailable: <reason>; retrying") until it has
// recovered by itself: its recovery thread waits for the backend to be
// writable again, then reads the tree size, right edge and latest checkpoint
// back from the database (the failed batch may or may not have landed) and
// accepts appends again. A backend that is not the writer (another broker
// writes; Backend::WriteHealth() not OK) is treated the same way: appends are
// refused, the checkpoint timer writes nothing, and meanwhile the ledger
// refreshes its read view (tree size, latest checkpoint) from the database
// at least every second, so proofs and audit reads serve what the writer
// wrote. When the backend becomes writable or its writer_epoch() changes,
// the ledger reloads before it appends. WriteHealth() and an observer follow
// this state (the broker's gRPC health service does):
//
//   ledger->SetHealthObserver([](const absl::Status& s) { ... s.ok() ... });
//
// Thread-safe: every method may be called from any thread. A receipt is
// signed on the calling thread (so signing runs on as many cores as there are
// callers); Append then blocks for one group commit (one fsync, typically a
// few hundred microseconds), AppendAsync does not.
//
// This class is the facade; the work is done in rooms of one purpose each:
// LogWriter (queue, signing, group commit, failure and recovery),
// TreeReader (proofs, node cache), RightEdge (hashing appends), Checkpointer
// (checkpoints and their timer), receipt_index.h (index entries and Query),
// LogVerifier (open-time and full checks) and log_rows.h (the stored rows).
#ifndef WAMS_BROKER_LEDGER_STORE_LEDGER_H_
#define WAMS_BROKER_LEDGER_STORE_LEDGER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/clock.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/note/note.h"
#include "broker/ledger/store/ledger_observer.h"
#include "broker/ledger/store/ledger_options.h"
#include "broker/ledger/store/receipt_index.h"
#include "broker/storage/backend.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::ledger::store {

class Checkpointer;
class LedgerTestPeer;
class LogVerifier;
class LogWriter;
class TreeReader;

class Ledger {
 public:
  using AppendCallback = absl::AnyInvocable<void(absl::StatusOr<wams::broker::v1::SignedReceipt>)>;
  // Given the receipt as it will be stored (leaf index assigned), the
  // records to write with it, in the receipt's own batch: one durable write
  // covers both, and after a crash both or neither are there (a request's
  // outcome with its answer receipt, a case with the receipt of its change).
  // Runs on the committing thread before the write, and only when the
  // receipt reaches a group commit; keep it short. A batch that touches a
  // log family (WriteBatch::TouchesLog()) is refused: that receipt's append
  // fails with INTERNAL and nothing of it is written; the others in its
  // group are not affected.
  using Companion =
      absl::AnyInvocable<storage::WriteBatch(const wams::broker::v1::SignedReceipt&) &&>;
  using HealthObserver = absl::AnyInvocable<void(const absl::Status&)>;

  // Opens the log in `backend` (borrowed; must outlive the ledger), signing
  // with `signer`, and checks the stored tree against the last checkpoint:
  //   INVALID_ARGUMENT    options are wrong (no origin, signer name differs);
  //   FAILED_PRECONDITION the last checkpoint or a receipt is signed by a key
  //                       that is not configured (add it to previous_verifiers);
  //   DATA_LOSS           the store does not match its signed checkpoint, a
  //                       receipt is missing or altered; the message names what.
  static absl::StatusOr<std::unique_ptr<Ledger>> Open(const storage::Backend& backend,
                                                      NoteSigner signer, LedgerOptions options);

  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;
  // Commits what is queued, stops the threads. Appends made after or during
  // destruction fail with UNAVAILABLE.
  ~Ledger();

  // Appends `receipt` and returns it as stored (leaf index, exact signed
  // bytes, signature, key id) once it is durable (WAL fsync).
  //   INVALID_ARGUMENT  receipt.kind or .outcome unspecified, or an index key
  //                     over 65535 bytes;
  //   RESOURCE_EXHAUSTED its signed bytes exceed max_receipt_bytes (the
  //                     message names limits.max_receipt_bytes); nothing is
  //                     appended and later appends are not affected;
  //   UNAVAILABLE       it could not be made durable: nothing is acknowledged,
  //                     and until the ledger has recovered (see above) every
  //                     append fails at once with the same reason.
  absl::StatusOr<wams::broker::v1::SignedReceipt> Append(const wams::broker::v1::Receipt& receipt);
  // As above, and writes `companion`'s records in the same batch: OK only
  // when both are durable; after a failed write neither is acknowledged.
  absl::StatusOr<wams::broker::v1::SignedReceipt> Append(const wams::broker::v1::Receipt& receipt,
                                                         Companion companion);

  // As Append, but returns at once; `done` runs exactly once, on the thread
  // that commits the group (a committer thread or an Append caller; keep
  // it short and non-blocking) or, for an invalid receipt or a refused
  // append, on the calling thread. The receipt is signed on the calling
  // thread. Never blocks on I/O.
  void AppendAsync(const wams::broker::v1::Receipt& receipt, AppendCallback done);
  // As above, and writes `companion`'s records in the same batch: `done`
  // hears OK only when both are durable, and after a failed write neither is
  // acknowledged.
  void AppendAsync(const wams::broker::v1::Receipt& receipt, Companion companion,
                   AppendCallback done);

  // Number of durable receipts.
  uint64_t TreeSize() const;

  // OK while appends can be made durable; from a failed write until the
  // ledger has recovered, UNAVAILABLE with the reason.
  absl::Status WriteHealth() const;
  // Sets (or, with nullptr, removes) the one observer of WriteHealth(): it is
  // called at once with the current state, then with every change, on the
  // thread that changed it (keep it short; it must not call back into the
  // ledger). Once this returns, the previous observer is not called again.
  void SetHealthObserver(HealthObserver observer);
  // How often the ledger recovered from a failed write.
  uint64_t recoveries() const;

  // The receipt at `leaf_index`; NOT_FOUND past the end.
  absl::StatusOr<wams::broker::v1::SignedReceipt> GetReceipt(uint64_t leaf_index) const;

  // Root hash of the first `tree_size` leaves (from stored nodes).
  // OUT_OF_RANGE when tree_size > TreeSize().
  absl::StatusOr<Digest> RootAt(uint64_t tree_size) const;

  // RFC 9162 proofs, read from one snapshot. OUT_OF_RANGE for sizes beyond
  // the tree or a leaf index >= tree_size; INVALID_ARGUMENT for old > new.
  absl::StatusOr<wams::broker::v1::InclusionProof> GetInclusionProof(uint64_t leaf_index,
                                                                     uint64_t tree_size) const;
  absl::StatusOr<wams::broker::v1::ConsistencyProof> GetConsistencyProof(uint64_t old_size,
                                                                         uint64_t new_size) const;

  // Makes, stores (synced) and returns a checkpoint of the current tree; when
  // the tree has not grown since the latest one, returns that one.
  // FAILED_PRECONDITION on an empty tree.
  absl::StatusOr<wams::broker::v1::Checkpoint> MakeCheckpoint();
  // The latest checkpoint; NOT_FOUND when none was made.
  absl::StatusOr<wams::broker::v1::Checkpoint> LatestCheckpoint() const;
  // The checkpoint of exactly `tree_size`; NOT_FOUND when none.
  absl::StatusOr<wams::broker::v1::Checkpoint> GetCheckpoint(uint64_t tree_size) const;
  // Up to `limit` stored checkpoints with tree_size > after_size, oldest first.
  absl::StatusOr<std::vector<wams::broker::v1::Checkpoint>> ListCheckpoints(uint64_t after_size,
                                                                            size_t limit) const;
  // Waits (real time) until a checkpoint of size >= min_tree_size exists;
  // DEADLINE_EXCEEDED at `deadline`.
  absl::StatusOr<wams::broker::v1::Checkpoint> AwaitCheckpoint(uint64_t min_tree_size,
                                                               absl::Time deadline) const;

  // Reads an index. INVALID_ARGUMENT for an empty key, a page size of 0 or
  // over max_page_size, or a malformed page token.
  absl::StatusOr<QueryPage> Query(const IndexQuery& query) const;

  // Writes an auditor export of the latest checkpoint into `dir` (created if
  // absent) with wams::ledger_export::ExportWriter (format: broker/tools/README.md):
  // `checkpoint` (the note text), `receipts.jsonl` (leaves 0 .. tree_size-1
  // of that checkpoint, exact signed bytes) and `keys` (one verifier key line
  // per configured key, older keys included). FAILED_PRECONDITION when there
  // is no checkpoint or `dir` already holds an export; INTERNAL on a file
  // error.
  absl::Status Export(const std::string& dir) const;

  // Rehashes every receipt, checks every signature and stored node, and the
  // latest checkpoint: the full audit open does with full_check_on_open.
  absl::Status VerifyAll() const;

  // The verifier key lines of the signing key and of previous_verifiers.
  std::vector<std::string> VerifierKeyLines() const;
  // The signing key id, "name+hash".
  const std::string& key_id() const { return key_id_; }

 private:
  friend class LedgerTestPeer;

  Ledger(const storage::Backend& backend, NoteSigner signer, LedgerOptions options);

  const storage::Backend& backend_;
  const NoteSigner signer_;
  const LedgerOptions options_;
  const std::string key_id_;
  std::unique_ptr<base::SystemClock> owned_clock_;  // when options_.clock is null
  // The rooms, in the order they are built; each borrows only members
  // declared above it (~Ledger stops the checkpoint timer, then the writer).
  std::unique_ptr<TreeReader> tree_;
  std::unique_ptr<LogVerifier> verifier_;
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unique_ptr<LogWriter> writer_;
};

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_LEDGER_H_
