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
#ifndef WAMS_BROKER_LEDGER_STORE_LEDGER_H_
#define WAMS_BROKER_LEDGER_STORE_LEDGER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/common/message_limits.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/note/note.h"
#include "broker/ledger/store/clock.h"
#include "broker/ledger/store/ledger_observer.h"
#include "broker/storage/backend.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::ledger::store {

class LedgerTestPeer;

struct LedgerOptions {
  // Origin line of checkpoints, e.g. "wams.utrecht.example/receipts".
  // Default: none; required.
  std::string origin;
  // Verifiers of earlier signing keys (key rotation): receipts and
  // checkpoints signed by them stay valid, and they appear in the export's
  // `keys` file. Default: empty.
  std::vector<NoteVerifier> previous_verifiers;
  // How often the checkpoint timer makes a checkpoint when the tree grew;
  // zero disables the timer (MakeCheckpoint() still works). Default: 1 s.
  absl::Duration checkpoint_interval = absl::Seconds(1);
  // Time source of the checkpoint timer; borrowed, must outlive the ledger.
  // Default: nullptr, meaning the system clock.
  Clock* clock = nullptr;
  // Most receipts written in one WriteBatch. Default: 1024.
  size_t max_batch = 1024;
  // When a group is about to be committed while other receipts are still
  // being signed, wait at most this long for them to join it (one fsync for
  // all instead of two). Zero commits at once. Default: 200 us.
  absl::Duration max_commit_delay = absl::Microseconds(200);
  // Largest page an index query returns. Default: 1000.
  size_t max_page_size = 1000;
  // Largest receipt accepted, in signed bytes (the deterministic Receipt
  // serialisation that is signed and hashed); a larger one is refused before
  // anything is written (limits.max_receipt_bytes). Default: 64 KiB.
  size_t max_receipt_bytes = common::kDefaultMaxReceiptBytes;
  // On open, also rehash every stored receipt and check every stored node
  // (O(n)); otherwise open checks the last checkpoint's signature and root,
  // every receipt after it, and that no receipt is missing at the end.
  // Default: false.
  bool full_check_on_open = false;
  // Tree nodes at this level and above are kept in memory once read or
  // written (they never change), so a proof reads only the lower levels from
  // RocksDB. Memory: about 80 bytes per 2^level leaves (level 8: ~0.3 bytes
  // per receipt, 30 MB at 100 M receipts). 64 disables the cache. Default: 8.
  int node_cache_min_level = 8;
  // After a failed write, when reading the tree back from disk fails too,
  // wait this long before the next try; doubles up to recovery_max_backoff.
  // (Waiting for the database itself takes no backoff here: the storage
  // resumes it, and the ledger notices at once.) Default: 100 ms.
  absl::Duration recovery_initial_backoff = absl::Milliseconds(100);
  // Default: 5 s.
  absl::Duration recovery_max_backoff = absl::Seconds(5);
  // Told of every durable group and stored checkpoint (metrics); borrowed,
  // must outlive the ledger. Default: nullptr, nobody is told.
  LedgerObserver* observer = nullptr;
};

// Which index a query reads.
enum class IndexKind {
  kCase,     // Receipt.case_id
  kSubject,  // Receipt.subject_pseudonym (raw bytes)
  kParty,    // Receipt.requester_oin or Receipt.target_oin
  kTime,     // Receipt.time in [from, to)
};

struct IndexQuery {
  IndexKind index = IndexKind::kCase;
  // The case id, pseudonym or OIN; ignored for kTime. Must be non-empty.
  std::string key;
  // kTime only: the half-open range [from, to).
  absl::Time from = absl::InfinitePast();
  absl::Time to = absl::InfiniteFuture();
  // next_page_token of the previous page; empty for the first page.
  std::string page_token;
  // Results per page, at most LedgerOptions::max_page_size. Default: 100.
  size_t page_size = 100;
  // Also read the receipts (else only leaf indexes). Default: true.
  bool with_receipts = true;
  // With receipts: the page ends before the receipt that would take the
  // page's receipts (SignedReceipt bytes) over this many bytes, but always
  // holds at least one. 0: no byte bound. Default: common::kMaxPageBytes.
  size_t max_page_bytes = common::kMaxPageBytes;
};

struct QueryPage {
  // In log order (kTime: in time order, then log order).
  std::vector<uint64_t> leaf_indexes;
  // Parallel to leaf_indexes when IndexQuery::with_receipts.
  std::vector<wams::broker::v1::SignedReceipt> receipts;
  // Empty when this is the last page.
  std::string next_page_token;
};

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
  // absent) with wams::audit::ExportWriter (format: broker/tools/README.md):
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
  struct Pending;

  Ledger(const storage::Backend& backend, NoteSigner signer, LedgerOptions options);

  // Signs and prepares a receipt on the caller's thread.
  absl::StatusOr<std::unique_ptr<Pending>> Prepare(const wams::broker::v1::Receipt& receipt) const;
  // Prepare, counted in preparing_ (the caller decrements it when it queues).
  absl::StatusOr<std::unique_ptr<Pending>> PrepareCounted(const wams::broker::v1::Receipt& receipt);
  // With mu_ held, no commit running and a non-empty queue: marks a commit
  // running, waits up to max_commit_delay for receipts being signed, takes
  // the next group and copies the sticky failure.
  std::vector<std::unique_ptr<Pending>> TakeGroupLocked(absl::Status* failed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Commits a group taken by TakeGroupLocked and completes its waiters.
  void RunGroup(std::vector<std::unique_ptr<Pending>>& group, const absl::Status& failed);
  void CommitterLoop();
  // Tells options_.observer of a durable group.
  void Report(std::vector<std::unique_ptr<Pending>>& group, absl::Duration write_time) const;
  void CheckpointLoop(absl::Time first_deadline);
  // After a failed write: waits for the backend, reloads the tree, clears
  // failed_.
  void RecoveryLoop();
  // What a refused append gets: failed_, with the backend's current reason
  // while it is down.
  absl::Status RefusalLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // OK when an append may be queued; else why not (a backend that stopped
  // being writable marks the ledger failed).
  absl::Status AdmitLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Returns when the ledger failed (true) or is stopping (false); meanwhile
  // watches the backend's write health and writer epoch.
  bool AwaitFailure();
  // Marks the ledger failed (with mu_ held); the recovery thread takes over.
  void FailLocked(absl::string_view reason) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Calls the observer with the current WriteHealth() when it differs from
  // what the observer saw last. Call without mu_ held.
  void NotifyHealth();
  // Writes one group; returns the status every waiter gets.
  absl::Status CommitGroup(std::vector<std::unique_ptr<Pending>>& group);

  // Reads the tree size, the right edge and the latest checkpoint from the
  // database, and notes the backend's writer epoch they belong to; the
  // caller owns the committing-thread state (at open, or with committing_
  // set).
  absl::Status LoadState();
  // While the backend is not writable: reads the tree size and the latest
  // checkpoint another writer may have moved, for reads and proofs.
  absl::Status RefreshReadView();
  // The latest stored checkpoint, if any.
  absl::StatusOr<std::optional<wams::broker::v1::Checkpoint>> ReadLatestCheckpoint(
      const storage::Reader& reader) const;
  // The receipts end exactly at the tree size.
  absl::Status CheckTail(const storage::Reader& reader, uint64_t size) const;
  absl::Status CheckOnOpen(bool full) const;
  absl::Status CheckLeaves(const storage::Reader& reader, uint64_t begin, uint64_t end,
                           bool check_nodes) const;
  absl::StatusOr<wams::broker::v1::Checkpoint> VerifyCheckpointNote(
      const wams::broker::v1::Checkpoint& cp) const;
  const NoteVerifier* VerifierFor(std::string_view key_id) const;
  absl::StatusOr<wams::broker::v1::SignedReceipt> ReadReceipt(const storage::Reader& reader,
                                                              uint64_t leaf_index) const;
  absl::StatusOr<uint64_t> ReadTreeSize(const storage::Reader& reader) const;
  // Reads nodes from `reader` (a snapshot) through the upper-level node cache.
  NodeReader CachedReader(const storage::Reader& reader) const;

  const storage::Backend& backend_;
  const NoteSigner signer_;
  const LedgerOptions options_;
  const std::string key_id_;
  std::vector<NoteVerifier> verifiers_;  // signing key first; immutable after Open
  std::unique_ptr<RealClock> owned_clock_;
  Clock* clock_;

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Pending>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // One group commits at a time, on a committer thread or on a caller of
  // Append that found none running; the holder owns frontier_/next_index_.
  bool committing_ ABSL_GUARDED_BY(mu_) = false;
  // Appends being signed, not yet queued.
  int preparing_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status failed_ ABSL_GUARDED_BY(mu_);  // from a failed write until recovered
  uint64_t recoveries_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t tree_size_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<wams::broker::v1::Checkpoint> latest_checkpoint_ ABSL_GUARDED_BY(mu_);

  // Committing-thread state: the last completed node per level (the right
  // edge of the tree), enough to hash every append without a read.
  struct EdgeNode {
    uint64_t index;
    Digest hash;
  };
  std::vector<std::optional<EdgeNode>> frontier_;  // only the committing thread touches it
  uint64_t next_index_ = 0;                        // only the committing thread touches it
  // The backend's writer epoch the state above was read in; a commit under
  // another epoch reloads first (another writer may have appended).
  // Written by the committing thread, read by the recovery thread.
  std::atomic<uint64_t> loaded_epoch_{0};

  absl::Mutex checkpoint_mu_;  // serialises MakeCheckpoint

  // Immutable upper tree nodes, key (level << 56) | index.
  mutable absl::Mutex cache_mu_;
  mutable absl::flat_hash_map<uint64_t, Digest> node_cache_ ABSL_GUARDED_BY(cache_mu_);

  // Serialises observer calls, so that SetHealthObserver(nullptr) waits for
  // one under way. Taken after mu_ is released, never with it.
  absl::Mutex observer_mu_;
  HealthObserver observer_ ABSL_GUARDED_BY(observer_mu_);
  std::optional<bool> observed_ok_ ABSL_GUARDED_BY(observer_mu_);

  std::vector<std::thread> committers_;
  std::thread checkpointer_;
  std::thread recoverer_;
};

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_LEDGER_H_
