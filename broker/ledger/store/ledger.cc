#include "broker/ledger/store/ledger.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "broker/common/deterministic_bytes.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/store/ledger_test_peer.h"
#include "broker/logging/log.h"
#include "broker/storage/key_codec.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "policy/base/status_macros.h"

namespace wams::ledger::store {
namespace {

using wams::broker::v1::Checkpoint;
using wams::broker::v1::ConsistencyProof;
using wams::broker::v1::InclusionProof;
using wams::broker::v1::Receipt;
using wams::broker::v1::SignedReceipt;
using wams::storage::AppendBigEndian64;
using wams::storage::AppendTime;
using wams::storage::CheckpointKey;
using wams::storage::DecodeBigEndian64;
using wams::storage::Family;
using wams::storage::KeyValue;
using wams::storage::kMetaTreeSize;
using wams::storage::LeafKey;
using wams::storage::NodeKey;
using wams::storage::ReadBigEndian64;
using wams::storage::ScanRange;
using wams::storage::StringPrefix;

// Receipts read per chunk when walking the whole log (checks, export).
constexpr size_t kScanChunk = 1000;

constexpr uint8_t kRoleRequester = 1;
constexpr uint8_t kRoleTarget = 2;

std::string Hex(const Digest& d) { return DigestHex(d); }

absl::StatusOr<Digest> ToDigest(std::string_view bytes, std::string_view what) {
  if (bytes.size() != 32) {
    return absl::DataLossError(
        absl::StrCat(std::string(what), " is ", bytes.size(), " bytes, not 32"));
  }
  Digest d;
  std::copy(bytes.begin(), bytes.end(), d.begin());
  return d;
}

// Reads stored subtree hashes from one snapshot.
NodeReader SnapshotReader(const storage::Reader& snapshot) {
  return [&snapshot](int level, uint64_t index) -> absl::StatusOr<Digest> {
    WAMS_ASSIGN_OR_RETURN(std::optional<std::string> value,
                          snapshot.Get(Family::kNodes, NodeKey(level, index)));
    if (!value.has_value()) {
      return absl::DataLossError(
          absl::StrCat("tree node (level ", level, ", index ", index, ") is missing"));
    }
    return ToDigest(*value, absl::StrCat("tree node (level ", level, ", index ", index, ")"));
  };
}

}  // namespace

// One receipt on its way to the disk: everything but the leaf index is
// computed on the caller's thread, so the committer only hashes nodes and
// writes.
struct Ledger::Pending {
  SignedReceipt signed_receipt;  // leaf_index filled in by the committer
  std::string value;             // SignedReceipt without leaf_index: the stored bytes
  Digest leaf_hash;
  std::string case_prefix;     // empty: not indexed
  std::string subject_prefix;  // empty: not indexed
  std::string requester_prefix;
  std::string target_prefix;
  std::optional<std::string> time_prefix;
  Companion companion;  // may be empty
  AppendCallback done;
  // Set by the committer when this receipt was left out of its group (its
  // companion touched the log); it then gets this instead of a leaf.
  absl::Status refused;
  // For LedgerOptions::observer: filled only when there is one.
  CommittedReceipt summary;
  absl::Time prepared_at;
};

Ledger::Ledger(const storage::Backend& backend, NoteSigner signer, LedgerOptions options)
    : backend_(backend),
      signer_(std::move(signer)),
      options_(std::move(options)),
      key_id_(signer_.KeyName()) {
  verifiers_.emplace_back(signer_.name(), signer_.key().PublicKey());
  for (const NoteVerifier& v : options_.previous_verifiers) verifiers_.push_back(v);
  if (options_.clock == nullptr) {
    owned_clock_ = std::make_unique<RealClock>();
    clock_ = owned_clock_.get();
  } else {
    clock_ = options_.clock;
  }
}

absl::StatusOr<std::unique_ptr<Ledger>> Ledger::Open(const storage::Backend& backend,
                                                     NoteSigner signer, LedgerOptions options) {
  if (options.origin.empty()) return absl::InvalidArgumentError("ledger origin is empty");
  if (options.origin.find('\n') != std::string::npos) {
    return absl::InvalidArgumentError("ledger origin holds a newline");
  }
  if (options.max_batch == 0) return absl::InvalidArgumentError("max_batch is 0");
  if (options.checkpoint_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("checkpoint_interval is negative");
  }
  std::unique_ptr<Ledger> ledger(new Ledger(backend, std::move(signer), std::move(options)));
  WAMS_RETURN_IF_ERROR(ledger->LoadState());
  WAMS_RETURN_IF_ERROR(ledger->CheckOnOpen(ledger->options_.full_check_on_open));
  // Two committer threads take turns: while one completes its group's
  // waiters (which forward requests and send answers), the other can already
  // write the next group. Only one writes at a time (committing_).
  for (int i = 0; i < 2; ++i) {
    ledger->committers_.emplace_back([l = ledger.get()] { l->CommitterLoop(); });
  }
  ledger->recoverer_ = std::thread([l = ledger.get()] { l->RecoveryLoop(); });
  if (ledger->options_.checkpoint_interval > absl::ZeroDuration()) {
    // The first deadline is taken now, not when the thread first runs, so a
    // clock that moves before the thread is scheduled still triggers it.
    absl::Time first = ledger->clock_->Now() + ledger->options_.checkpoint_interval;
    ledger->checkpointer_ = std::thread([l = ledger.get(), first] { l->CheckpointLoop(first); });
  }
  return ledger;
}

Ledger::~Ledger() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (checkpointer_.joinable()) checkpointer_.join();
  if (recoverer_.joinable()) recoverer_.join();
  for (std::thread& committer : committers_) committer.join();
}

absl::StatusOr<uint64_t> Ledger::ReadTreeSize(const storage::Reader& reader) const {
  WAMS_ASSIGN_OR_RETURN(std::optional<std::string> value, reader.Get(Family::kMeta, kMetaTreeSize));
  if (!value.has_value()) return 0;
  absl::StatusOr<uint64_t> size = DecodeBigEndian64(*value);
  if (!size.ok()) return absl::DataLossError("stored tree size is malformed");
  return *size;
}

NodeReader Ledger::CachedReader(const storage::Reader& snapshot) const {
  return [this, &snapshot](int level, uint64_t index) -> absl::StatusOr<Digest> {
    const bool cacheable = level >= options_.node_cache_min_level && level < 64;
    const uint64_t key = (static_cast<uint64_t>(level) << 56) | index;
    if (cacheable) {
      absl::ReaderMutexLock lock(&cache_mu_);
      auto it = node_cache_.find(key);
      if (it != node_cache_.end()) return it->second;
    }
    WAMS_ASSIGN_OR_RETURN(Digest d, SnapshotReader(snapshot)(level, index));
    if (cacheable) {
      absl::MutexLock lock(&cache_mu_);
      node_cache_.emplace(key, d);
    }
    return d;
  };
}

absl::Status Ledger::LoadState() {
  // The epoch first: if it changes while reading, the next commit reloads.
  const uint64_t epoch = backend_.writer_epoch();
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));
  WAMS_RETURN_IF_ERROR(CheckTail(*snapshot, size));
  // The right edge of the tree: at each level the last complete node, which
  // is the left sibling the next appends need.
  frontier_.assign(65, std::nullopt);
  NodeReader reader = SnapshotReader(*snapshot);
  for (int level = 0; level < 64 && (size >> level) > 0; ++level) {
    const uint64_t index = (size >> level) - 1;
    WAMS_ASSIGN_OR_RETURN(Digest d, reader(level, index));
    frontier_[level] = EdgeNode{index, d};
  }
  next_index_ = size;
  loaded_epoch_.store(epoch);
  WAMS_ASSIGN_OR_RETURN(std::optional<Checkpoint> latest, ReadLatestCheckpoint(*snapshot));

  absl::MutexLock lock(&mu_);
  tree_size_ = size;
  // (When reloading after a failed write, MakeCheckpoint may have stored a
  // newer one meanwhile.)
  if (!latest_checkpoint_.has_value() ||
      (latest.has_value() && latest->tree_size() > latest_checkpoint_->tree_size())) {
    latest_checkpoint_ = std::move(latest);
  }
  return absl::OkStatus();
}

absl::Status Ledger::RefreshReadView() {
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));
  WAMS_ASSIGN_OR_RETURN(std::optional<Checkpoint> latest, ReadLatestCheckpoint(*snapshot));
  absl::MutexLock lock(&mu_);
  // Only forward: a log never shrinks.
  tree_size_ = std::max(tree_size_, size);
  if (latest.has_value() &&
      (!latest_checkpoint_.has_value() || latest->tree_size() > latest_checkpoint_->tree_size())) {
    latest_checkpoint_ = std::move(latest);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Checkpoint>> Ledger::ReadLatestCheckpoint(
    const storage::Reader& reader) const {
  ScanRange last = ScanRange::From("", 1);
  last.reverse = true;
  WAMS_ASSIGN_OR_RETURN(std::vector<KeyValue> rows, reader.Scan(Family::kCheckpoints, last));
  if (rows.empty()) return std::nullopt;
  Checkpoint cp;
  if (!cp.ParseFromString(rows.front().value)) {
    return absl::DataLossError("latest stored checkpoint does not parse");
  }
  return cp;
}

const NoteVerifier* Ledger::VerifierFor(std::string_view key_id) const {
  for (const NoteVerifier& v : verifiers_) {
    if (v.KeyName() == key_id) return &v;
  }
  return nullptr;
}

std::vector<std::string> Ledger::VerifierKeyLines() const {
  std::vector<std::string> lines;
  for (const NoteVerifier& v : verifiers_) lines.push_back(VerifierKeyLine(v.name(), v.key()));
  return lines;
}

absl::StatusOr<Checkpoint> Ledger::VerifyCheckpointNote(const Checkpoint& cp) const {
  const std::string what = absl::StrCat("checkpoint at tree size ", cp.tree_size());
  absl::StatusOr<ParsedNote> parsed = ParseNote(cp.note());
  if (!parsed.ok()) {
    return absl::DataLossError(
        absl::StrCat(what, ": note is malformed: ", parsed.status().message()));
  }
  std::vector<std::string> names;
  bool by_configured_key = false;
  for (const NoteSignature& sig : parsed->signatures) {
    std::string name = NoteKeyName(sig.name, sig.key_id);
    names.push_back(name);
    const NoteVerifier* v = VerifierFor(name);
    if (v == nullptr) continue;
    by_configured_key = true;
    if (v->VerifySignature(parsed->text, sig)) {
      absl::StatusOr<CheckpointBody> body = ParseCheckpointBody(parsed->text);
      if (!body.ok()) {
        return absl::DataLossError(
            absl::StrCat(what, ": body is malformed: ", body.status().message()));
      }
      if (body->origin != options_.origin) {
        return absl::DataLossError(absl::StrCat(what, ": origin is \"", body->origin,
                                                "\", configured origin is \"", options_.origin,
                                                "\""));
      }
      if (body->tree_size != cp.tree_size() || DigestBytes(body->root_hash) != cp.root_hash()) {
        return absl::DataLossError(absl::StrCat(what, ": signed body (size ", body->tree_size,
                                                ", root ", Hex(body->root_hash),
                                                ") differs from the stored fields"));
      }
      return cp;
    }
  }
  if (!by_configured_key) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " is signed by ", absl::StrJoin(names, ", "),
                     ", none of which is configured; add the public key to the previous keys "
                     "(or the data directory is another broker's)"));
  }
  return absl::DataLossError(
      absl::StrCat(what, ": signature does not verify with key ", absl::StrJoin(names, ", ")));
}

absl::StatusOr<SignedReceipt> Ledger::ReadReceipt(const storage::Reader& reader,
                                                  uint64_t leaf_index) const {
  WAMS_ASSIGN_OR_RETURN(std::optional<std::string> value,
                        reader.Get(Family::kReceipts, LeafKey(leaf_index)));
  if (!value.has_value()) {
    return absl::NotFoundError(absl::StrCat("receipt ", leaf_index, " not found"));
  }
  SignedReceipt r;
  if (!r.ParseFromString(*value)) {
    return absl::DataLossError(absl::StrCat("stored receipt ", leaf_index, " does not parse"));
  }
  r.set_leaf_index(leaf_index);
  return r;
}

absl::Status Ledger::CheckLeaves(const storage::Reader& snapshot, uint64_t begin, uint64_t end,
                                 bool check_nodes) const {
  if (begin >= end) return absl::OkStatus();
  NodeReader reader = SnapshotReader(snapshot);
  uint64_t expected = begin;
  absl::Status walked = storage::ScanAll(
      snapshot, Family::kReceipts, ScanRange{LeafKey(begin), LeafKey(end), kScanChunk, false},
      [&](const KeyValue& row) -> absl::Status {
        absl::StatusOr<uint64_t> index = DecodeBigEndian64(row.key);
        if (!index.ok() || *index != expected) {
          return absl::DataLossError(absl::StrCat("receipt ", expected, " is missing"));
        }
        SignedReceipt r;
        if (!r.ParseFromString(row.value)) {
          return absl::DataLossError(absl::StrCat("stored receipt ", expected, " does not parse"));
        }
        const NoteVerifier* v = VerifierFor(r.key_id());
        if (v == nullptr) {
          return absl::FailedPreconditionError(
              absl::StrCat("receipt ", expected, " is signed by key ", r.key_id(),
                           ", which is not configured; add its public key to the previous keys"));
        }
        if (!v->key().Verify(r.receipt_bytes(), r.signature())) {
          return absl::DataLossError(absl::StrCat(
              "receipt ", expected, ": signature does not verify with key ", r.key_id()));
        }
        const uint64_t leaf = expected++;
        if (!check_nodes) return absl::OkStatus();
        WAMS_ASSIGN_OR_RETURN(std::vector<NodeWrite> nodes,
                              NodesCompletedByAppend(reader, leaf, LeafHash(r.receipt_bytes())));
        for (const NodeWrite& n : nodes) {
          absl::StatusOr<Digest> stored = reader(n.level, n.index);
          if (!stored.ok()) return stored.status();
          if (*stored != n.hash) {
            return absl::DataLossError(absl::StrCat(
                "tree node (level ", n.level, ", index ", n.index, ") is ", Hex(*stored),
                " but receipt ", leaf, " and its stored siblings hash to ", Hex(n.hash)));
          }
        }
        return absl::OkStatus();
      });
  WAMS_RETURN_IF_ERROR(walked);
  if (expected < end) return absl::DataLossError(absl::StrCat("receipt ", expected, " is missing"));
  return absl::OkStatus();
}

absl::Status Ledger::CheckTail(const storage::Reader& snapshot, uint64_t size) const {
  ScanRange last = ScanRange::From("", 1);
  last.reverse = true;
  WAMS_ASSIGN_OR_RETURN(std::vector<KeyValue> rows, snapshot.Scan(Family::kReceipts, last));
  if (!rows.empty()) {
    absl::StatusOr<uint64_t> stored_last = DecodeBigEndian64(rows.front().key);
    if (!stored_last.ok()) return absl::DataLossError("a receipt key is malformed");
    if (size == 0 || *stored_last != size - 1) {
      return absl::DataLossError(absl::StrCat("the tree size is ", size,
                                              " but the last stored receipt is ", *stored_last));
    }
  } else if (size != 0) {
    return absl::DataLossError(
        absl::StrCat("the tree size is ", size, " but no receipt is stored"));
  }
  return absl::OkStatus();
}

absl::Status Ledger::CheckOnOpen(bool full) const {
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));

  // The receipts must end exactly at the tree size.
  WAMS_RETURN_IF_ERROR(CheckTail(*snapshot, size));

  uint64_t checked_up_to = 0;
  std::optional<Checkpoint> latest;
  {
    absl::MutexLock lock(&mu_);
    latest = latest_checkpoint_;
  }
  if (latest.has_value()) {
    WAMS_RETURN_IF_ERROR(VerifyCheckpointNote(*latest).status());
    if (latest->tree_size() > size) {
      return absl::DataLossError(absl::StrCat(
          "the store holds ", size, " receipts but the last signed checkpoint commits to ",
          latest->tree_size(), ": receipts were removed"));
    }
    WAMS_ASSIGN_OR_RETURN(Digest root,
                          wams::ledger::RootAt(SnapshotReader(*snapshot), latest->tree_size()));
    if (DigestBytes(root) != latest->root_hash()) {
      absl::StatusOr<Digest> want = ToDigest(latest->root_hash(), "checkpoint root");
      return absl::DataLossError(absl::StrCat("the root at tree size ", latest->tree_size(),
                                              " recomputed from stored nodes is ", Hex(root),
                                              " but the last signed checkpoint says ",
                                              want.ok() ? Hex(*want) : std::string("(malformed)")));
    }
    checked_up_to = latest->tree_size();
  }
  // Receipts after the last checkpoint are covered by no signed root yet:
  // check each one's signature and the nodes it completed.
  WAMS_RETURN_IF_ERROR(CheckLeaves(*snapshot, full ? 0 : checked_up_to, size, true));
  return absl::OkStatus();
}

absl::Status Ledger::VerifyAll() const {
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));
  WAMS_RETURN_IF_ERROR(CheckLeaves(*snapshot, 0, size, true));
  NodeReader reader = SnapshotReader(*snapshot);
  return storage::ScanAll(
      *snapshot, Family::kCheckpoints, ScanRange::From("", kScanChunk),
      [&](const KeyValue& row) -> absl::Status {
        Checkpoint cp;
        if (!cp.ParseFromString(row.value)) {
          return absl::DataLossError("a stored checkpoint does not parse");
        }
        WAMS_RETURN_IF_ERROR(VerifyCheckpointNote(cp).status());
        if (cp.tree_size() > size) {
          return absl::DataLossError(absl::StrCat("checkpoint at tree size ", cp.tree_size(),
                                                  " is beyond the stored tree of ", size));
        }
        WAMS_ASSIGN_OR_RETURN(Digest root, wams::ledger::RootAt(reader, cp.tree_size()));
        if (DigestBytes(root) != cp.root_hash()) {
          return absl::DataLossError(absl::StrCat("the root at tree size ", cp.tree_size(),
                                                  " recomputed from stored nodes is ", Hex(root),
                                                  " but its signed checkpoint differs"));
        }
        return absl::OkStatus();
      });
}

// --- appends -----------------------------------------------------------------

absl::StatusOr<std::unique_ptr<Ledger::Pending>> Ledger::Prepare(const Receipt& receipt) const {
  if (receipt.kind() == wams::broker::v1::RECEIPT_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError("receipt.kind is unspecified");
  }
  if (receipt.outcome() == wams::broker::v1::RECEIPT_OUTCOME_UNSPECIFIED) {
    return absl::InvalidArgumentError("receipt.outcome is unspecified");
  }
  // A pseudonym is an HMAC-SHA256: anything else may be a BSN.
  if (!receipt.subject_pseudonym().empty() && receipt.subject_pseudonym().size() != 32) {
    return absl::InvalidArgumentError(
        "receipt.subject_pseudonym must be 32 bytes (HMAC-SHA256, see Pseudonymizer)");
  }
  auto p = std::make_unique<Pending>();
  if (options_.observer != nullptr) {
    p->prepared_at = absl::Now();
    p->summary.kind = receipt.kind();
    p->summary.outcome = receipt.outcome();
    p->summary.failed_rule_ids.assign(receipt.failed_rule_ids().begin(),
                                      receipt.failed_rule_ids().end());
  }
  if (!receipt.case_id().empty()) {
    WAMS_ASSIGN_OR_RETURN(p->case_prefix, StringPrefix(receipt.case_id()));
  }
  if (!receipt.subject_pseudonym().empty()) {
    WAMS_ASSIGN_OR_RETURN(p->subject_prefix, StringPrefix(receipt.subject_pseudonym()));
  }
  if (!receipt.requester_oin().empty()) {
    WAMS_ASSIGN_OR_RETURN(p->requester_prefix, StringPrefix(receipt.requester_oin()));
  }
  if (!receipt.target_oin().empty()) {
    WAMS_ASSIGN_OR_RETURN(p->target_prefix, StringPrefix(receipt.target_oin()));
  }
  if (receipt.has_time()) {
    std::string t;
    AppendTime(&t, absl::FromUnixSeconds(receipt.time().seconds()) +
                       absl::Nanoseconds(receipt.time().nanos()));
    p->time_prefix = std::move(t);
  }
  std::string bytes = common::DeterministicBytes(receipt);
  // A hard bound whatever the callers let in: one oversized receipt would
  // grow the log for good and break every reader that fetches it.
  if (bytes.size() > options_.max_receipt_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("receipt of ", bytes.size(), " bytes exceeds limits.max_receipt_bytes (",
                     options_.max_receipt_bytes, "); nothing was appended"));
  }
  p->leaf_hash = LeafHash(bytes);
  p->signed_receipt.set_signature(signer_.SignBytes(bytes));
  p->signed_receipt.set_key_id(key_id_);
  p->signed_receipt.set_receipt_bytes(std::move(bytes));
  p->value = common::DeterministicBytes(p->signed_receipt);
  return p;
}

absl::StatusOr<SignedReceipt> Ledger::Append(const Receipt& receipt) {
  return Append(receipt, Companion());
}

absl::StatusOr<SignedReceipt> Ledger::Append(const Receipt& receipt, Companion companion) {
  absl::StatusOr<std::unique_ptr<Pending>> prepared = PrepareCounted(receipt);
  if (!prepared.ok()) return prepared.status();
  (*prepared)->companion = std::move(companion);
  absl::Notification done;
  absl::StatusOr<SignedReceipt> result;
  (*prepared)->done = [&](absl::StatusOr<SignedReceipt> r) {
    result = std::move(r);
    done.Notify();
  };
  std::vector<std::unique_ptr<Pending>> group;
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

void Ledger::AppendAsync(const Receipt& receipt, AppendCallback done) {
  AppendAsync(receipt, Companion(), std::move(done));
}

void Ledger::AppendAsync(const Receipt& receipt, Companion companion, AppendCallback done) {
  absl::StatusOr<std::unique_ptr<Pending>> p = PrepareCounted(receipt);
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

absl::StatusOr<std::unique_ptr<Ledger::Pending>> Ledger::PrepareCounted(const Receipt& receipt) {
  {
    absl::MutexLock lock(&mu_);
    ++preparing_;
  }
  absl::StatusOr<std::unique_ptr<Pending>> p = Prepare(receipt);
  if (!p.ok()) {
    absl::MutexLock lock(&mu_);
    --preparing_;
  }
  return p;
}

std::vector<std::unique_ptr<Ledger::Pending>> Ledger::TakeGroupLocked(absl::Status* failed) {
  committing_ = true;
  // Receipts being signed right now arrive within about one signature's
  // time; without this wait the first of them would commit alone and the
  // rest would wait a whole fsync for the next group.
  if (options_.max_commit_delay > absl::ZeroDuration() && preparing_ > 0) {
    mu_.AwaitWithTimeout(absl::Condition(
                             +[](Ledger* l) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                               return l->preparing_ == 0 ||
                                      l->queue_.size() >= l->options_.max_batch || l->stopping_;
                             },
                             this),
                         options_.max_commit_delay);
  }
  std::vector<std::unique_ptr<Pending>> group;
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

void Ledger::RunGroup(std::vector<std::unique_ptr<Pending>>& group, const absl::Status& failed) {
  absl::Status status = failed.ok() ? CommitGroup(group) : failed;
  {
    // The next group may start while this one's waiters are completed.
    absl::MutexLock lock(&mu_);
    committing_ = false;
  }
  for (std::unique_ptr<Pending>& p : group) {
    if (!p->refused.ok()) {
      p->done(p->refused);
    } else if (status.ok()) {
      p->done(std::move(p->signed_receipt));
    } else {
      p->done(status);
    }
  }
}

void Ledger::CommitterLoop() {
  for (;;) {
    std::vector<std::unique_ptr<Pending>> group;
    absl::Status failed;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Ledger* l) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return !l->committing_ && (!l->queue_.empty() || l->stopping_);
          },
          this));
      if (queue_.empty()) return;  // stopping, and everything queued is done
      group = TakeGroupLocked(&failed);
    }
    RunGroup(group, failed);
  }
}

void Ledger::Report(std::vector<std::unique_ptr<Pending>>& group, absl::Duration write_time) const {
  const absl::Time now = absl::Now();
  std::vector<CommittedReceipt> committed;
  committed.reserve(group.size());
  for (std::unique_ptr<Pending>& p : group) {
    if (!p->refused.ok()) continue;
    p->summary.append_latency = now - p->prepared_at;
    committed.push_back(std::move(p->summary));
  }
  options_.observer->OnGroupCommitted(write_time, committed);
}

absl::Status Ledger::CommitGroup(std::vector<std::unique_ptr<Pending>>& group) {
  // Left siblings come from the in-memory right edge, which the loop below
  // keeps current as it appends, so hashing needs no read.
  NodeReader reader = [this](int level, uint64_t index) -> absl::StatusOr<Digest> {
    if (level < 0 || level >= static_cast<int>(frontier_.size()) || !frontier_[level].has_value() ||
        frontier_[level]->index != index) {
      return absl::InternalError(
          absl::StrCat("right-edge node (level ", level, ", index ", index, ") not cached"));
    }
    return frontier_[level]->hash;
  };
  if (backend_.writer_epoch() != loaded_epoch_.load()) {
    // Another writer may have appended since the right edge was read.
    absl::MutexLock lock(&mu_);
    FailLocked("the writer epoch changed; reloading the tree");
    return failed_;
  }
  storage::WriteBatch batch;
  uint64_t index = next_index_;
  std::vector<NodeWrite> upper_nodes;  // cached once durable
  for (std::unique_ptr<Pending>& p : group) {
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
    absl::StatusOr<std::vector<NodeWrite>> completed =
        NodesCompletedByAppend(reader, index, p->leaf_hash);
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
      frontier_[n.level] = EdgeNode{n.index, n.hash};
      if (n.level >= options_.node_cache_min_level) upper_nodes.push_back(n);
    }
    auto put_index = [&](Family family, const std::string& prefix, std::string_view value) {
      std::string key = prefix;
      AppendBigEndian64(&key, index);
      batch.Put(family, std::move(key), std::string(value));
    };
    if (!p->case_prefix.empty()) put_index(Family::kIdxCase, p->case_prefix, "");
    if (!p->subject_prefix.empty()) put_index(Family::kIdxSubject, p->subject_prefix, "");
    if (p->requester_prefix == p->target_prefix) {
      if (!p->requester_prefix.empty()) {
        const char roles = static_cast<char>(kRoleRequester | kRoleTarget);
        put_index(Family::kIdxParty, p->requester_prefix, std::string_view(&roles, 1));
      }
    } else {
      const char requester = static_cast<char>(kRoleRequester);
      const char target = static_cast<char>(kRoleTarget);
      if (!p->requester_prefix.empty()) {
        put_index(Family::kIdxParty, p->requester_prefix, std::string_view(&requester, 1));
      }
      if (!p->target_prefix.empty()) {
        put_index(Family::kIdxParty, p->target_prefix, std::string_view(&target, 1));
      }
    }
    if (p->time_prefix.has_value()) put_index(Family::kIdxTime, *p->time_prefix, "");
    batch.Append(std::move(records));
    ++index;
  }
  if (index == next_index_) return absl::OkStatus();  // every receipt refused
  batch.Put(Family::kMeta, std::string(kMetaTreeSize), LeafKey(index));

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
  if (!upper_nodes.empty()) {
    absl::MutexLock cache_lock(&cache_mu_);
    for (const NodeWrite& n : upper_nodes) {
      node_cache_.emplace((static_cast<uint64_t>(n.level) << 56) | n.index, n.hash);
    }
  }
  return absl::OkStatus();
}

uint64_t Ledger::TreeSize() const {
  absl::MutexLock lock(&mu_);
  return tree_size_;
}

// --- recovery from a failed write ------------------------------------------------

void Ledger::FailLocked(absl::string_view reason) {
  if (!failed_.ok()) return;
  // The storage's reasons say "; retrying" already.
  absl::ConsumeSuffix(&reason, "; retrying");
  failed_ = absl::UnavailableError(absl::StrCat("receipt log unavailable: ", reason, "; retrying"));
}

absl::Status Ledger::RefusalLocked() const {
  // While the backend is down (or not the writer) its reason is the current
  // one (it may have changed since the write failed, e.g. to "restart the
  // broker"). Its reason already ends in "retrying" or "restart the broker".
  absl::Status backend = backend_.WriteHealth();
  if (backend.ok()) return failed_;
  return absl::UnavailableError(absl::StrCat("receipt log unavailable: ", backend.message()));
}

absl::Status Ledger::AdmitLocked() {
  if (failed_.ok()) {
    // Not writable (e.g. another broker is the writer): refuse at once and
    // let the recovery thread wait for the role, like after a failed write.
    absl::Status backend = backend_.WriteHealth();
    if (backend.ok()) return backend;
    FailLocked(backend.message());
  }
  return RefusalLocked();
}

absl::Status Ledger::WriteHealth() const {
  absl::MutexLock lock(&mu_);
  return RefusalLocked();
}

uint64_t Ledger::recoveries() const {
  absl::MutexLock lock(&mu_);
  return recoveries_;
}

void Ledger::SetHealthObserver(HealthObserver observer) {
  {
    absl::MutexLock lock(&observer_mu_);
    observer_ = std::move(observer);
    observed_ok_.reset();
  }
  NotifyHealth();
}

void Ledger::NotifyHealth() {
  absl::MutexLock lock(&observer_mu_);
  if (observer_ == nullptr) return;
  // Read under observer_mu_: whichever thread calls last reports the latest
  // state, so a failure and a recovery racing cannot leave it stale.
  absl::Status health = WriteHealth();
  if (observed_ok_.has_value() && *observed_ok_ == health.ok()) return;
  observed_ok_ = health.ok();
  observer_(health);
}

bool Ledger::AwaitFailure() {
  // How often a healthy ledger looks at the backend: it may stop being
  // writable (the writer role lost) or change its writer epoch without any
  // append failing here.
  constexpr absl::Duration kWatch = absl::Milliseconds(100);
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(
                                   +[](Ledger* l) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                     return !l->failed_.ok() || l->stopping_;
                                   },
                                   this),
                               kWatch)) {
        return !stopping_;
      }
    }
    absl::Status backend = backend_.WriteHealth();
    const bool epoch_changed = backend_.writer_epoch() != loaded_epoch_.load();
    if (backend.ok() && !epoch_changed) continue;
    absl::MutexLock lock(&mu_);
    FailLocked(backend.ok() ? "the writer epoch changed; reloading the tree" : backend.message());
  }
}

void Ledger::RecoveryLoop() {
  // How long to wait for the backend between looks at stopping_.
  constexpr absl::Duration kBackendWait = absl::Milliseconds(100);
  // While not writable, how often the read view follows the writer.
  constexpr absl::Duration kReadViewRefresh = absl::Seconds(1);
  absl::Duration backoff = options_.recovery_initial_backoff;
  bool reported = false;
  bool told_restart = false;
  absl::Time next_refresh = absl::InfinitePast();
  for (;;) {
    if (!AwaitFailure()) return;
    if (!reported) {
      // Appenders learn of the failure from their own calls; the observer
      // (the health service) from here.
      reported = true;
      NotifyHealth();
    }
    // The backend resumes the database (or regains the writer role) by
    // itself; this wakes as soon as it has.
    if (!backend_.AwaitWritable(absl::Now() + kBackendWait)) {
      absl::Status backend = backend_.WriteHealth();
      if (!told_restart && absl::StrContains(backend.message(), "restart the broker")) {
        told_restart = true;  // once per failure
        logging::LogError(absl::StrCat("ledger: ", backend.message()));
      }
      if (absl::Now() >= next_refresh) {
        next_refresh = absl::Now() + kReadViewRefresh;
        // A standby serves reads and proofs of what the writer wrote; a
        // database that cannot be read now is tried again next time.
        (void)RefreshReadView();
      }
      continue;
    }
    {
      // Take over the committing-thread state (frontier_, next_index_).
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Ledger* l) ABSL_NO_THREAD_SAFETY_ANALYSIS { return !l->committing_ || l->stopping_; },
          this));
      if (stopping_) return;
      committing_ = true;
    }
    // The failed batch may or may not have reached the database, and another
    // writer may have appended meanwhile: what is there is the truth. (A
    // backend applies a batch whole or not at all.)
    absl::Status reloaded = LoadState();
    {
      absl::MutexLock lock(&mu_);
      committing_ = false;
      if (reloaded.ok()) {
        logging::LogInfo(absl::StrCat("ledger: recovered (", failed_.message(),
                                      "); accepting appends again at tree size ", tree_size_));
        failed_ = absl::OkStatus();
        ++recoveries_;
        backoff = options_.recovery_initial_backoff;
      } else {
        failed_ = absl::UnavailableError(
            absl::StrCat("receipt log unavailable: cannot read the tree back: ", reloaded.message(),
                         "; retrying"));
        logging::LogError(std::string(failed_.message()));
      }
    }
    if (reloaded.ok()) {
      reported = false;
      told_restart = false;
      next_refresh = absl::InfinitePast();
      NotifyHealth();
      continue;
    }
    absl::MutexLock lock(&mu_);
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), backoff)) return;
    backoff = std::min(backoff * 2, options_.recovery_max_backoff);
  }
}

// --- reads and proofs ----------------------------------------------------------

absl::StatusOr<SignedReceipt> Ledger::GetReceipt(uint64_t leaf_index) const {
  return ReadReceipt(backend_, leaf_index);
}

absl::StatusOr<Digest> Ledger::RootAt(uint64_t tree_size) const {
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));
  if (tree_size > size) {
    return absl::OutOfRangeError(
        absl::StrCat("tree size ", tree_size, " is beyond the log's ", size));
  }
  return wams::ledger::RootAt(CachedReader(*snapshot), tree_size);
}

absl::StatusOr<InclusionProof> Ledger::GetInclusionProof(uint64_t leaf_index,
                                                         uint64_t tree_size) const {
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));
  if (tree_size > size) {
    return absl::OutOfRangeError(
        absl::StrCat("tree size ", tree_size, " is beyond the log's ", size));
  }
  if (leaf_index >= tree_size) {
    return absl::OutOfRangeError(
        absl::StrCat("leaf ", leaf_index, " is not in a tree of size ", tree_size));
  }
  WAMS_ASSIGN_OR_RETURN(
      std::vector<Digest> hashes,
      wams::ledger::InclusionProof(CachedReader(*snapshot), leaf_index, tree_size));
  InclusionProof proof;
  proof.set_leaf_index(leaf_index);
  proof.set_tree_size(tree_size);
  for (const Digest& d : hashes) proof.add_hashes(DigestBytes(d));
  return proof;
}

absl::StatusOr<ConsistencyProof> Ledger::GetConsistencyProof(uint64_t old_size,
                                                             uint64_t new_size) const {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("old size ", old_size, " is larger than new size ", new_size));
  }
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));
  if (new_size > size) {
    return absl::OutOfRangeError(
        absl::StrCat("tree size ", new_size, " is beyond the log's ", size));
  }
  WAMS_ASSIGN_OR_RETURN(
      std::vector<Digest> hashes,
      wams::ledger::ConsistencyProof(CachedReader(*snapshot), old_size, new_size));
  ConsistencyProof proof;
  proof.set_old_size(old_size);
  proof.set_new_size(new_size);
  for (const Digest& d : hashes) proof.add_hashes(DigestBytes(d));
  return proof;
}

// --- checkpoints -----------------------------------------------------------------

absl::StatusOr<Checkpoint> Ledger::MakeCheckpoint() {
  absl::MutexLock checkpoint_lock(&checkpoint_mu_);
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));
  if (size == 0) return absl::FailedPreconditionError("no checkpoint of an empty log");
  {
    absl::MutexLock lock(&mu_);
    if (latest_checkpoint_.has_value() && latest_checkpoint_->tree_size() >= size) {
      return *latest_checkpoint_;
    }
  }
  WAMS_ASSIGN_OR_RETURN(Digest root, wams::ledger::RootAt(CachedReader(*snapshot), size));
  Checkpoint cp;
  cp.set_note(signer_.Sign(FormatCheckpointBody({options_.origin, size, root})));
  cp.set_tree_size(size);
  cp.set_root_hash(DigestBytes(root));
  cp.set_origin(options_.origin);
  storage::WriteBatch batch;
  batch.Put(Family::kCheckpoints, CheckpointKey(size), common::DeterministicBytes(cp));
  WAMS_RETURN_IF_ERROR(backend_.Write(batch));
  if (options_.observer != nullptr) options_.observer->OnCheckpointStored(size);
  absl::MutexLock lock(&mu_);
  latest_checkpoint_ = cp;
  return cp;
}

absl::StatusOr<Checkpoint> Ledger::LatestCheckpoint() const {
  absl::MutexLock lock(&mu_);
  if (!latest_checkpoint_.has_value()) return absl::NotFoundError("no checkpoint yet");
  return *latest_checkpoint_;
}

absl::StatusOr<Checkpoint> Ledger::GetCheckpoint(uint64_t tree_size) const {
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

absl::StatusOr<std::vector<Checkpoint>> Ledger::ListCheckpoints(uint64_t after_size,
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

absl::StatusOr<Checkpoint> Ledger::AwaitCheckpoint(uint64_t min_tree_size,
                                                   absl::Time deadline) const {
  struct Args {
    const Ledger* l;
    uint64_t min;
  } args{this, min_tree_size};
  absl::MutexLock lock(&mu_);
  bool ok = mu_.AwaitWithDeadline(absl::Condition(
                                      +[](Args* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                        return a->l->latest_checkpoint_.has_value() &&
                                               a->l->latest_checkpoint_->tree_size() >= a->min;
                                      },
                                      &args),
                                  deadline);
  if (!ok) {
    return absl::DeadlineExceededError(
        absl::StrCat("no checkpoint of tree size >= ", min_tree_size, " in time"));
  }
  return *latest_checkpoint_;
}

void Ledger::CheckpointLoop(absl::Time first_deadline) {
  absl::Time next = first_deadline;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (clock_->AwaitWithDeadline(mu_, absl::Condition(&stopping_), next)) return;
    }
    next = std::max(next + options_.checkpoint_interval, clock_->Now());
    // An empty log has nothing to commit to; a failed write is retried on the
    // next tick; while the backend is not writable (another broker writes, or
    // the database is down) nothing is written.
    if (WriteHealth().ok()) (void)MakeCheckpoint();
  }
}

// --- index queries -----------------------------------------------------------------

absl::StatusOr<QueryPage> Ledger::Query(const IndexQuery& query) const {
  if (query.page_size == 0 || query.page_size > options_.max_page_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must be 1..", options_.max_page_size));
  }
  Family family = Family::kIdxCase;
  std::string prefix;
  std::string end;  // kTime: exclusive upper bound
  size_t suffix_size = 8;
  switch (query.index) {
    case IndexKind::kCase:
      family = Family::kIdxCase;
      break;
    case IndexKind::kSubject:
      family = Family::kIdxSubject;
      break;
    case IndexKind::kParty:
      family = Family::kIdxParty;
      break;
    case IndexKind::kTime:
      family = Family::kIdxTime;
      suffix_size = 16;
      break;
  }
  if (query.index == IndexKind::kTime) {
    AppendTime(&end, query.to);
  } else {
    if (query.key.empty()) return absl::InvalidArgumentError("index query key is empty");
    WAMS_ASSIGN_OR_RETURN(prefix, StringPrefix(query.key));
  }
  std::string start = prefix;
  if (!query.page_token.empty()) {
    std::string suffix;
    if (query.page_token.size() != 2 * suffix_size ||
        !absl::c_all_of(query.page_token, [](char c) { return absl::ascii_isxdigit(c); })) {
      return absl::InvalidArgumentError("page_token is malformed");
    }
    suffix = absl::HexStringToBytes(query.page_token);
    start += suffix;
    start.push_back('\0');  // suffixes are fixed-size: this sorts just after the token's key
  } else if (query.index == IndexKind::kTime) {
    AppendTime(&start, query.from);
  }

  QueryPage page;
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  // One more than a page: whether there is a next page.
  ScanRange range{start, query.index == IndexKind::kTime ? end : storage::PrefixEnd(prefix),
                  query.page_size + 1, false};
  WAMS_ASSIGN_OR_RETURN(std::vector<KeyValue> rows, snapshot->Scan(family, range));
  std::string last_suffix;
  size_t page_bytes = 0;
  for (const KeyValue& row : rows) {
    const std::string_view k = row.key;
    if (k.size() != prefix.size() + suffix_size || !k.starts_with(prefix)) break;
    if (page.leaf_indexes.size() == query.page_size) {
      page.next_page_token = absl::BytesToHexString(last_suffix);
      break;
    }
    uint64_t leaf = ReadBigEndian64(k.substr(k.size() - 8));
    if (query.with_receipts) {
      WAMS_ASSIGN_OR_RETURN(SignedReceipt r, ReadReceipt(*snapshot, leaf));
      // The page's byte bound keeps a response within what clients receive
      // (common::kClientReceiveLimitBytes), whatever the receipts' sizes.
      const size_t size = r.ByteSizeLong();
      if (query.max_page_bytes > 0 && !page.receipts.empty() &&
          page_bytes + size > query.max_page_bytes) {
        page.next_page_token = absl::BytesToHexString(last_suffix);
        break;
      }
      page_bytes += size;
      page.receipts.push_back(std::move(r));
    }
    page.leaf_indexes.push_back(leaf);
    last_suffix = std::string(k.substr(prefix.size()));
  }
  return page;
}

// --- test access ----------------------------------------------------------------

absl::Status LedgerTestPeer::FillUnsigned(Ledger& ledger, uint64_t n, size_t batch) {
  const std::string signature(64, '\0');
  for (uint64_t done = 0; done < n;) {
    std::vector<std::unique_ptr<Ledger::Pending>> group;
    for (; group.size() < batch && done < n; ++done) {
      auto p = std::make_unique<Ledger::Pending>();
      wams::broker::v1::Receipt r;
      r.set_receipt_id(absl::StrCat("fill-", done));
      r.set_kind(wams::broker::v1::RECEIPT_KIND_CASE_EVENT);
      r.set_outcome(wams::broker::v1::RECEIPT_OUTCOME_GRANTED);
      std::string bytes = r.SerializeAsString();
      p->leaf_hash = LeafHash(bytes);
      p->signed_receipt.set_receipt_bytes(std::move(bytes));
      p->signed_receipt.set_signature(signature);
      p->signed_receipt.set_key_id(ledger.key_id());
      p->value = p->signed_receipt.SerializeAsString();
      group.push_back(std::move(p));
    }
    WAMS_RETURN_IF_ERROR(ledger.CommitGroup(group));
  }
  return absl::OkStatus();
}

}  // namespace wams::ledger::store
