// checkpointer.h: the receipt log's checkpoints (C2SP tlog-checkpoint signed
// notes): making, storing (synced, never deleted) and reading them, the
// latest one in memory, and the timer thread that makes one every
// LedgerOptions::checkpoint_interval when the tree grew.
//
//   Checkpointer checkpoints(backend, signer, tree, options, clock);
//   checkpoints.Advance(latest_stored);                   // at open
//   checkpoints.StartTimer([&] { return writer.WriteHealth().ok(); });
//   WAMS_ASSIGN_OR_RETURN(Checkpoint cp, checkpoints.Make());
//   checkpoints.StopTimer();                               // before `writer` goes
//
// Thread-safe. Make() calls are serialised; the latest checkpoint is kept
// under a lock of its own, which is never held during a backend call.
#ifndef WAMS_BROKER_LEDGER_STORE_CHECKPOINTER_H_
#define WAMS_BROKER_LEDGER_STORE_CHECKPOINTER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/base/clock.h"
#include "broker/ledger/note/note.h"
#include "broker/ledger/store/ledger_options.h"
#include "broker/ledger/store/tree_reader.h"
#include "broker/storage/backend.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::ledger::store {

class Checkpointer {
 public:
  // Borrows everything; each must outlive the checkpointer. Uses
  // options.origin, .checkpoint_interval and .observer.
  Checkpointer(const storage::Backend& backend, const NoteSigner& signer, const TreeReader& tree,
               const LedgerOptions& options, const base::Clock& clock);
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;
  // Stops the timer.
  ~Checkpointer();

  // With a positive checkpoint_interval, starts the timer thread: every
  // interval (by `clock`) it makes a checkpoint when `may_write()` says the
  // log is writable. Call at most once.
  void StartTimer(absl::AnyInvocable<bool()> may_write);
  // Stops and joins the timer thread (a Make() under way completes first).
  // Idempotent.
  void StopTimer();

  // Makes, stores (synced) and returns a checkpoint of the stored tree; when
  // it has not grown since the latest one, returns that one.
  // FAILED_PRECONDITION on an empty tree.
  absl::StatusOr<wams::broker::v1::Checkpoint> Make();

  // Takes `stored` as the latest checkpoint when it is newer (a log only
  // grows): what open or a reload read from the database.
  void Advance(std::optional<wams::broker::v1::Checkpoint> stored);

  // The latest checkpoint; NOT_FOUND when none was made.
  absl::StatusOr<wams::broker::v1::Checkpoint> Latest() const;
  std::optional<wams::broker::v1::Checkpoint> LatestIfAny() const;
  // The stored checkpoint of exactly `tree_size`; NOT_FOUND when none.
  absl::StatusOr<wams::broker::v1::Checkpoint> Get(uint64_t tree_size) const;
  // Up to `limit` stored checkpoints with tree_size > after_size, oldest first.
  absl::StatusOr<std::vector<wams::broker::v1::Checkpoint>> List(uint64_t after_size,
                                                                 size_t limit) const;
  // Waits (real time) until the latest checkpoint has tree size >=
  // `min_tree_size`; DEADLINE_EXCEEDED at `deadline`.
  absl::StatusOr<wams::broker::v1::Checkpoint> Await(uint64_t min_tree_size,
                                                     absl::Time deadline) const;

 private:
  void TimerLoop(absl::Time first_deadline, absl::AnyInvocable<bool()> may_write);

  const storage::Backend& backend_;
  const NoteSigner& signer_;
  const TreeReader& tree_;
  const LedgerOptions& options_;
  const base::Clock& clock_;

  absl::Mutex make_mu_;  // serialises Make

  mutable absl::Mutex mu_;
  std::optional<wams::broker::v1::Checkpoint> latest_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  std::thread timer_;
};

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_CHECKPOINTER_H_
