#include "broker/ledger/store/log_writer.h"

#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "broker/base/logging/log.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/store/log_rows.h"
#include "broker/ledger/store/receipt_index.h"
#include "broker/storage/key_codec.h"

namespace wams::ledger::store {

using wams::broker::v1::Checkpoint;
using wams::broker::v1::Receipt;
using wams::broker::v1::SignedReceipt;
using wams::storage::Family;
using wams::storage::LeafKey;
using wams::storage::NodeKey;

LogWriter::LogWriter(const storage::Backend& backend, const NoteSigner& signer,
                     const std::string& key_id, const LedgerOptions& options, TreeReader& tree,
                     Checkpointer& checkpoints)
    : backend_(backend),
      signer_(signer),
      key_id_(key_id),
      options_(options),
      tree_(tree),
      checkpoints_(checkpoints) {}

LogWriter::~LogWriter() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (recoverer_.joinable()) recoverer_.join();
  for (std::thread& committer : committers_) committer.join();
}

void LogWriter::Start() {
  // Two committer threads take turns: while one completes its group's
  // waiters (which forward requests and send answers), the other can already
  // write the next group. Only one writes at a time (committing_).
  for (int i = 0; i < 2; ++i) committers_.emplace_back([this] { CommitterLoop(); });
  recoverer_ = std::thread([this] { RecoveryLoop(); });
}

absl::Status LogWriter::LoadState() {
  // The epoch first: if it changes while reading, the next commit reloads.
  const uint64_t epoch = backend_.writer_epoch();
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));
  WAMS_RETURN_IF_ERROR(CheckReceiptsEndAt(*snapshot, size));
  WAMS_ASSIGN_OR_RETURN(edge_, RightEdge::Read(*snapshot, size));
  next_index_ = size;
  loaded_epoch_.store(epoch);
  WAMS_ASSIGN_OR_RETURN(std::optional<Checkpoint> latest, ReadLatestCheckpoint(*snapshot));
  // (When reloading after a failed write, Make() may have stored a newer
  // one meanwhile: the checkpointer only moves forward.)
  checkpoints_.Advance(std::move(latest));
  absl::MutexLock lock(&mu_);
  tree_size_ = size;
  return absl::OkStatus();
}

absl::StatusOr<SignedReceipt> LogWriter::Append(const Receipt& receipt,
                                                ReceiptCompanion companion) {
  absl::StatusOr<std::unique_ptr<PendingReceipt>> prepared = PrepareCounted(receipt);
  if (!prepared.ok()) return prepared.status();
  (*prepared)->companion = std::move(companion);
  absl::Notification done;
  absl::StatusOr<SignedReceipt> result;
  (*prepared)->done = [&](absl::StatusOr<SignedReceipt> r) {
    result = std::move(r);
    done.Notify();
  };
  Group group;
  absl::Status failed;
  {
    absl::MutexLock lock(&mu_);
    --preparing_;
    if (stopping_) return absl::UnavailableError("the ledger is shutting down");
    if (absl::Status refused = AdmitLocked(); !refused.ok()) return refused;
    queue_.push_back(*std::move(prepared));
    // Like RocksDB's write-group leader: when no commit is running, the
    // caller writes the group itself rather than handing it to the committer
    // thread, which saves two thread wake-ups per commit at low concurrency.
    if (!committing_) group = TakeGroupLocked(&failed);
  }
  if (!group.empty()) RunGroup(group, failed);
  done.WaitForNotification();
  return result;
}

void LogWriter::AppendAsync(const Receipt& receipt, ReceiptCompanion companion,
                            ReceiptCallback done) {
  absl::StatusOr<std::unique_ptr<PendingReceipt>> p = PrepareCounted(receipt);
  if (!p.ok()) {
    done(p.status());
    return;
  }
  (*p)->companion = std::move(companion);
  (*p)->done = std::move(done);
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    --preparing_;
    if (stopping_) {
      refused = absl::UnavailableError("the ledger is shutting down");
    } else if (refused = AdmitLocked(); !refused.ok()) {
    } else {
      queue_.push_back(*std::move(p));
      return;
    }
  }
  (*p)->done(refused);
}

absl::StatusOr<std::unique_ptr<PendingReceipt>> LogWriter::PrepareCounted(const Receipt& receipt) {
  {
    absl::MutexLock lock(&mu_);
    ++preparing_;
  }
  absl::StatusOr<std::unique_ptr<PendingReceipt>> p = PrepareReceipt(
      receipt, signer_, key_id_, options_.max_receipt_bytes, options_.observer != nullptr);
  if (!p.ok()) {
    absl::MutexLock lock(&mu_);
    --preparing_;
  }
  return p;
}

LogWriter::Group LogWriter::TakeGroupLocked(absl::Status* failed) {
  committing_ = true;
  // Receipts being signed right now arrive within about one signature's
  // time; without this wait the first of them would commit alone and the
  // rest would wait a whole fsync for the next group.
  if (options_.max_commit_delay > absl::ZeroDuration() && preparing_ > 0) {
    mu_.AwaitWithTimeout(absl::Condition(
                             +[](LogWriter* w) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                               return w->preparing_ == 0 ||
                                      w->queue_.size() >= w->options_.max_batch || w->stopping_;
                             },
                             this),
                         options_.max_commit_delay);
  }
  Group group;
  if (queue_.size() <= options_.max_batch) {
    group.swap(queue_);
  } else {
    auto end = queue_.begin() + static_cast<std::ptrdiff_t>(options_.max_batch);
    group.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
    queue_.erase(queue_.begin(), end);
  }
  *failed = failed_;
  return group;
}

void LogWriter::RunGroup(Group& group, const absl::Status& failed) {
  absl::Status status = failed.ok() ? CommitGroup(group) : failed;
  {
    // The next group may start while this one's waiters are completed.
    absl::MutexLock lock(&mu_);
    committing_ = false;
  }
  for (std::unique_ptr<PendingReceipt>& p : group) {
    if (!p->refused.ok()) {
      p->done(p->refused);
    } else if (status.ok()) {
      p->done(std::move(p->signed_receipt));
    } else {
      p->done(status);
    }
  }
}

void LogWriter::CommitterLoop() {
  for (;;) {
    Group group;
    absl::Status failed;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](LogWriter* w) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return !w->committing_ && (!w->queue_.empty() || w->stopping_);
          },
          this));
      if (queue_.empty()) return;  // stopping, and everything queued is done
      group = TakeGroupLocked(&failed);
    }
    RunGroup(group, failed);
  }
}

void LogWriter::Report(Group& group, absl::Duration write_time) const {
  const absl::Time now = absl::Now();
  std::vector<CommittedReceipt> committed;
  committed.reserve(group.size());
  for (std::unique_ptr<PendingReceipt>& p : group) {
    if (!p->refused.ok()) continue;
    p->summary.append_latency = now - p->prepared_at;
    committed.push_back(std::move(p->summary));
  }
  options_.observer->OnGroupCommitted(write_time, committed);
}

absl::Status LogWriter::CommitGroup(Group& group) {
  if (backend_.writer_epoch() != loaded_epoch_.load()) {
    // Another writer may have appended since the right edge was read.
    absl::MutexLock lock(&mu_);
    FailLocked("the writer epoch changed; reloading the tree");
    return failed_;
  }
  storage::WriteBatch batch;
  uint64_t index = next_index_;
  std::vector<NodeWrite> upper_nodes;  // cached once durable
  for (std::unique_ptr<PendingReceipt>& p : group) {
    p->signed_receipt.set_leaf_index(index);
    storage::WriteBatch records;
    if (p->companion) {
      records = std::move(p->companion)(p->signed_receipt);
      // The log's families are the ledger's alone: a companion writing them
      // could break the tree; refuse that receipt, keep the group.
      if (records.TouchesLog()) {
        p->refused = absl::InternalError(
            "a receipt's companion records write a log family; nothing of it was appended");
        logging::LogError(absl::StrCat("ledger: ", p->refused.message()));
        continue;
      }
    }
    batch.Put(Family::kReceipts, LeafKey(index), p->value);
    // Left siblings come from the in-memory right edge, which moves with
    // every append, so hashing needs no read.
    absl::StatusOr<std::vector<NodeWrite>> completed = edge_.Append(index, p->leaf_hash);
    if (!completed.ok()) {
      // A broken invariant of the in-memory right edge; fail closed (the
      // recovery thread reloads the edge from disk).
      absl::MutexLock lock(&mu_);
      FailLocked(absl::StrCat("cannot hash leaf ", index, ": ", completed.status().message()));
      return failed_;
    }
    for (const NodeWrite& n : *completed) {
      batch.Put(Family::kNodes, NodeKey(n.level, n.index),
                std::string(reinterpret_cast<const char*>(n.hash.data()), n.hash.size()));
      if (tree_.Caches(n.level)) upper_nodes.push_back(n);
    }
    AddIndexEntries(p->index, index, batch);
    batch.Append(std::move(records));
    ++index;
  }
  if (index == next_index_) return absl::OkStatus();  // every receipt refused
  batch.Put(Family::kMeta, std::string(storage::kMetaTreeSize), LeafKey(index));

  const absl::Time write_start = absl::Now();
  absl::Status written = backend_.Write(batch);
  if (written.ok() && options_.observer != nullptr) Report(group, absl::Now() - write_start);
  absl::MutexLock lock(&mu_);
  if (!written.ok()) {
    // Whether the batch reached the disk is unknown, and the in-memory right
    // edge already moved: refuse every append until the recovery thread has
    // read back the tree size and right edge the disk holds.
    FailLocked(written.message());
    return failed_;
  }
  next_index_ = index;
  tree_size_ = index;
  tree_.Remember(upper_nodes);
  return absl::OkStatus();
}

uint64_t LogWriter::TreeSize() const {
  absl::MutexLock lock(&mu_);
  return tree_size_;
}

}  // namespace wams::ledger::store
