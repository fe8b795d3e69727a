#include "broker/ledger/store/checkpointer.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/base/deterministic_bytes.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/store/log_rows.h"
#include "broker/storage/key_codec.h"

namespace wams::ledger::store {

using wams::broker::v1::Checkpoint;
using wams::storage::CheckpointKey;
using wams::storage::Family;
using wams::storage::KeyValue;
using wams::storage::ScanRange;

Checkpointer::Checkpointer(const storage::Backend& backend, const NoteSigner& signer,
                           const TreeReader& tree, const LedgerOptions& options,
                           const base::Clock& clock)
    : backend_(backend), signer_(signer), tree_(tree), options_(options), clock_(clock) {}

Checkpointer::~Checkpointer() { StopTimer(); }

void Checkpointer::StartTimer(absl::AnyInvocable<bool()> may_write) {
  if (options_.checkpoint_interval <= absl::ZeroDuration()) return;
  // The first deadline is taken now, not when the thread first runs, so a
  // clock that moves before the thread is scheduled still triggers it.
  const absl::Time first = clock_.Now() + options_.checkpoint_interval;
  timer_ = std::thread([this, first, may_write = std::move(may_write)]() mutable {
    TimerLoop(first, std::move(may_write));
  });
}

void Checkpointer::StopTimer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (timer_.joinable()) timer_.join();
}

void Checkpointer::TimerLoop(absl::Time first_deadline, absl::AnyInvocable<bool()> may_write) {
  absl::Time next = first_deadline;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (clock_.AwaitWithDeadline(mu_, absl::Condition(&stopping_), next)) return;
    }
    next = std::max(next + options_.checkpoint_interval, clock_.Now());
    // An empty log has nothing to commit to; a failed write is retried on the
    // next tick; while the backend is not writable (another broker writes, or
    // the database is down) nothing is written.
    if (may_write()) (void)Make();
  }
}

absl::StatusOr<Checkpoint> Checkpointer::Make() {
  absl::MutexLock make_lock(&make_mu_);
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));
  if (size == 0) return absl::FailedPreconditionError("no checkpoint of an empty log");
  {
    absl::MutexLock lock(&mu_);
    if (latest_.has_value() && latest_->tree_size() >= size) return *latest_;
  }
  WAMS_ASSIGN_OR_RETURN(Digest root, wams::ledger::RootAt(tree_.Nodes(*snapshot), size));
  Checkpoint cp;
  cp.set_note(signer_.Sign(FormatCheckpointBody({options_.origin, size, root})));
  cp.set_tree_size(size);
  cp.set_root_hash(DigestBytes(root));
  cp.set_origin(options_.origin);
  storage::WriteBatch batch;
  batch.Put(Family::kCheckpoints, CheckpointKey(size), base::DeterministicBytes(cp));
  WAMS_RETURN_IF_ERROR(backend_.Write(batch));
  if (options_.observer != nullptr) options_.observer->OnCheckpointStored(size);
  absl::MutexLock lock(&mu_);
  latest_ = cp;
  return cp;
}

void Checkpointer::Advance(std::optional<Checkpoint> stored) {
  if (!stored.has_value()) return;
  absl::MutexLock lock(&mu_);
  // Only forward: Make() may have stored a newer one meanwhile.
  if (!latest_.has_value() || stored->tree_size() > latest_->tree_size()) {
    latest_ = std::move(stored);
  }
}

absl::StatusOr<Checkpoint> Checkpointer::Latest() const {
  absl::MutexLock lock(&mu_);
  if (!latest_.has_value()) return absl::NotFoundError("no checkpoint yet");
  return *latest_;
}

std::optional<Checkpoint> Checkpointer::LatestIfAny() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

absl::StatusOr<Checkpoint> Checkpointer::Get(uint64_t tree_size) const {
  WAMS_ASSIGN_OR_RETURN(std::optional<std::string> value,
                        backend_.Get(Family::kCheckpoints, CheckpointKey(tree_size)));
  if (!value.has_value()) {
    return absl::NotFoundError(absl::StrCat("no checkpoint at tree size ", tree_size));
  }
  Checkpoint cp;
  if (!cp.ParseFromString(*value)) {
    return absl::DataLossError(
        absl::StrCat("checkpoint at tree size ", tree_size, " does not parse"));
  }
  return cp;
}

absl::StatusOr<std::vector<Checkpoint>> Checkpointer::List(uint64_t after_size,
                                                           size_t limit) const {
  std::vector<Checkpoint> out;
  if (after_size == UINT64_MAX) return out;
  WAMS_ASSIGN_OR_RETURN(
      std::vector<KeyValue> rows,
      backend_.Scan(Family::kCheckpoints, ScanRange::From(CheckpointKey(after_size + 1), limit)));
  for (const KeyValue& row : rows) {
    Checkpoint cp;
    if (!cp.ParseFromString(row.value)) {
      return absl::DataLossError("a stored checkpoint does not parse");
    }
    out.push_back(std::move(cp));
  }
  return out;
}

absl::StatusOr<Checkpoint> Checkpointer::Await(uint64_t min_tree_size, absl::Time deadline) const {
  struct Args {
    const Checkpointer* c;
    uint64_t min;
  } args{this, min_tree_size};
  absl::MutexLock lock(&mu_);
  bool ok = mu_.AwaitWithDeadline(absl::Condition(
                                      +[](Args* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                        return a->c->latest_.has_value() &&
                                               a->c->latest_->tree_size() >= a->min;
                                      },
                                      &args),
                                  deadline);
  if (!ok) {
    return absl::DeadlineExceededError(
        absl::StrCat("no checkpoint of tree size >= ", min_tree_size, " in time"));
  }
  return *latest_;
}

}  // namespace wams::ledger::store
