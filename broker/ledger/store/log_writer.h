// log_writer.h: the receipt log's writer: the append queue, group commit
// (one storage::WriteBatch, one durable write, for every receipt queued
// while the previous one was written), and the writer's health: refusal
// after a failed write or a lost writer role, and the recovery thread that
// watches the backend and reloads the tree once it is writable again.
//
//   LogWriter writer(backend, signer, key_id, options, tree, checkpoints);
//   WAMS_RETURN_IF_ERROR(writer.LoadState());   // at open, before Start
//   writer.Start();
//   WAMS_ASSIGN_OR_RETURN(SignedReceipt r, writer.Append(receipt, nullptr));
//
// One group commits at a time, on one of two committer threads (one writes
// while the other completes the previous group's waiters) or on a caller of
// Append that finds no commit running (as RocksDB's write-group leader). The
// committing thread owns the right edge and the next leaf index; "tree size
// = last committed batch" holds because there is one writer.
//
// Implemented in log_writer.cc (appends and group commit) and
// log_writer_recovery.cc (failure, health and recovery).
//
// Thread-safe: every public method may be called from any thread.
#ifndef WAMS_BROKER_LEDGER_STORE_LOG_WRITER_H_
#define WAMS_BROKER_LEDGER_STORE_LOG_WRITER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/ledger/note/note.h"
#include "broker/ledger/store/checkpointer.h"
#include "broker/ledger/store/ledger_options.h"
#include "broker/ledger/store/pending_receipt.h"
#include "broker/ledger/store/right_edge.h"
#include "broker/ledger/store/tree_reader.h"
#include "broker/storage/backend.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::ledger::store {

class LedgerTestPeer;

// Ledger::HealthObserver (documented there).
using WriteHealthObserver = absl::AnyInvocable<void(const absl::Status&)>;

class LogWriter {
 public:
  // Borrows everything; each must outlive the writer. `checkpoints` is told
  // the latest stored checkpoint whenever the tree is (re)loaded.
  LogWriter(const storage::Backend& backend, const NoteSigner& signer, const std::string& key_id,
            const LedgerOptions& options, TreeReader& tree, Checkpointer& checkpoints);
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;
  // Commits what is queued, stops the threads. Appends made after or during
  // destruction fail with UNAVAILABLE.
  ~LogWriter();

  // Reads the tree size, the right edge and the latest checkpoint from the
  // database. Call once before Start().
  absl::Status LoadState();
  // Starts the committer and recovery threads.
  void Start();

  // Ledger::Append and Ledger::AppendAsync (codes documented there); an
  // empty `companion` writes no records.
  absl::StatusOr<wams::broker::v1::SignedReceipt> Append(const wams::broker::v1::Receipt& receipt,
                                                         ReceiptCompanion companion);
  void AppendAsync(const wams::broker::v1::Receipt& receipt, ReceiptCompanion companion,
                   ReceiptCallback done);

  // Number of durable receipts (while not the writer: what the writer wrote,
  // as last refreshed).
  uint64_t TreeSize() const;
  // Ledger::WriteHealth, Ledger::SetHealthObserver, Ledger::recoveries.
  absl::Status WriteHealth() const;
  void SetHealthObserver(WriteHealthObserver observer);
  uint64_t recoveries() const;

 private:
  friend class LedgerTestPeer;
  using Group = std::vector<std::unique_ptr<PendingReceipt>>;

  // --- log_writer.cc: appends and group commit ---
  // PrepareReceipt, counted in preparing_ (the caller decrements it when it
  // queues).
  absl::StatusOr<std::unique_ptr<PendingReceipt>> PrepareCounted(
      const wams::broker::v1::Receipt& receipt);
  // With mu_ held, no commit running and a non-empty queue: marks a commit
  // running, waits up to max_commit_delay for receipts being signed, takes
  // the next group and copies the sticky failure.
  Group TakeGroupLocked(absl::Status* failed) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Commits a group taken by TakeGroupLocked and completes its waiters.
  void RunGroup(Group& group, const absl::Status& failed);
  void CommitterLoop();
  // Writes one group; returns the status every waiter gets. The caller owns
  // the committing-thread state.
  absl::Status CommitGroup(Group& group);
  // Tells options_.observer of a durable group.
  void Report(Group& group, absl::Duration write_time) const;

  // --- log_writer_recovery.cc: failure, health and recovery ---
  // What a refused append gets: failed_, with the backend's current reason
  // while it is down.
  absl::Status RefusalLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // OK when an append may be queued; else why not (a backend that stopped
  // being writable marks the writer failed).
  absl::Status AdmitLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Marks the writer failed (with mu_ held); the recovery thread takes over.
  void FailLocked(absl::string_view reason) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Calls the observer with the current WriteHealth() when it differs from
  // what the observer saw last. Call without mu_ held.
  void NotifyHealth();
  // Returns when the writer failed (true) or is stopping (false); meanwhile
  // watches the backend's write health and writer epoch.
  bool AwaitFailure();
  // After a failed write: waits for the backend, reloads the tree, clears
  // failed_.
  void RecoveryLoop();
  // While the backend is not writable: reads the tree size and the latest
  // checkpoint another writer may have moved, for reads and proofs.
  absl::Status RefreshReadView();

  const storage::Backend& backend_;
  const NoteSigner& signer_;
  const std::string& key_id_;
  const LedgerOptions& options_;
  TreeReader& tree_;
  Checkpointer& checkpoints_;

  mutable absl::Mutex mu_;
  Group queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // One group commits at a time, on a committer thread or on a caller of
  // Append that found none running; the holder owns edge_/next_index_.
  bool committing_ ABSL_GUARDED_BY(mu_) = false;
  // Appends being signed, not yet queued.
  int preparing_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status failed_ ABSL_GUARDED_BY(mu_);  // from a failed write until recovered
  uint64_t recoveries_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t tree_size_ ABSL_GUARDED_BY(mu_) = 0;

  // Committing-thread state: enough to hash every append without a read.
  RightEdge edge_;           // only the committing thread touches it
  uint64_t next_index_ = 0;  // only the committing thread touches it
  // The backend's writer epoch the state above was read in; a commit under
  // another epoch reloads first (another writer may have appended).
  // Written by the committing thread, read by the recovery thread.
  std::atomic<uint64_t> loaded_epoch_{0};

  // Serialises observer calls, so that SetHealthObserver(nullptr) waits for
  // one under way. Taken after mu_ is released, never with it.
  absl::Mutex observer_mu_;
  WriteHealthObserver observer_ ABSL_GUARDED_BY(observer_mu_);
  std::optional<bool> observed_ok_ ABSL_GUARDED_BY(observer_mu_);

  std::vector<std::thread> committers_;
  std::thread recoverer_;
};

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_LOG_WRITER_H_
