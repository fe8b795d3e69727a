// Ledger: the facade over the receipt log's rooms (ledger.h). Open builds
// and checks them; every other method forwards to the room that owns it.
#include "broker/ledger/store/ledger.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "broker/base/status_macros.h"
#include "broker/ledger/store/checkpointer.h"
#include "broker/ledger/store/log_rows.h"
#include "broker/ledger/store/log_verifier.h"
#include "broker/ledger/store/log_writer.h"
#include "broker/ledger/store/tree_reader.h"

namespace wams::ledger::store {

using wams::broker::v1::Checkpoint;
using wams::broker::v1::ConsistencyProof;
using wams::broker::v1::InclusionProof;
using wams::broker::v1::Receipt;
using wams::broker::v1::SignedReceipt;

namespace {

// The signing key's verifier first, then the earlier keys'.
std::vector<NoteVerifier> VerifiersOf(const NoteSigner& signer, const LedgerOptions& options) {
  std::vector<NoteVerifier> verifiers;
  verifiers.emplace_back(signer.name(), signer.key().PublicKey());
  for (const NoteVerifier& v : options.previous_verifiers) verifiers.push_back(v);
  return verifiers;
}

}  // namespace

Ledger::Ledger(const storage::Backend& backend, NoteSigner signer, LedgerOptions options)
    : backend_(backend),
      signer_(std::move(signer)),
      options_(std::move(options)),
      key_id_(signer_.KeyName()) {
  const base::Clock* clock = options_.clock;
  if (clock == nullptr) {
    owned_clock_ = std::make_unique<base::SystemClock>();
    clock = owned_clock_.get();
  }
  tree_ = std::make_unique<TreeReader>(backend_, options_.node_cache_min_level);
  verifier_ =
      std::make_unique<LogVerifier>(backend_, options_.origin, VerifiersOf(signer_, options_));
  checkpointer_ = std::make_unique<Checkpointer>(backend_, signer_, *tree_, options_, *clock);
  writer_ =
      std::make_unique<LogWriter>(backend_, signer_, key_id_, options_, *tree_, *checkpointer_);
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
  WAMS_RETURN_IF_ERROR(ledger->writer_->LoadState());
  WAMS_RETURN_IF_ERROR(ledger->verifier_->CheckOnOpen(ledger->checkpointer_->LatestIfAny(),
                                                      ledger->options_.full_check_on_open));
  ledger->writer_->Start();
  ledger->checkpointer_->StartTimer([w = ledger->writer_.get()] { return w->WriteHealth().ok(); });
  return ledger;
}

Ledger::~Ledger() {
  // The timer asks the writer whether it may write: stop it first.
  checkpointer_->StopTimer();
  writer_.reset();
}

absl::StatusOr<SignedReceipt> Ledger::Append(const Receipt& receipt) {
  return writer_->Append(receipt, Companion());
}

absl::StatusOr<SignedReceipt> Ledger::Append(const Receipt& receipt, Companion companion) {
  return writer_->Append(receipt, std::move(companion));
}

void Ledger::AppendAsync(const Receipt& receipt, AppendCallback done) {
  writer_->AppendAsync(receipt, Companion(), std::move(done));
}

void Ledger::AppendAsync(const Receipt& receipt, Companion companion, AppendCallback done) {
  writer_->AppendAsync(receipt, std::move(companion), std::move(done));
}

uint64_t Ledger::TreeSize() const { return writer_->TreeSize(); }

absl::Status Ledger::WriteHealth() const { return writer_->WriteHealth(); }

void Ledger::SetHealthObserver(HealthObserver observer) {
  writer_->SetHealthObserver(std::move(observer));
}

uint64_t Ledger::recoveries() const { return writer_->recoveries(); }

absl::StatusOr<SignedReceipt> Ledger::GetReceipt(uint64_t leaf_index) const {
  return ReadReceipt(backend_, leaf_index);
}

absl::StatusOr<Digest> Ledger::RootAt(uint64_t tree_size) const { return tree_->RootAt(tree_size); }

absl::StatusOr<InclusionProof> Ledger::GetInclusionProof(uint64_t leaf_index,
                                                         uint64_t tree_size) const {
  return tree_->GetInclusionProof(leaf_index, tree_size);
}

absl::StatusOr<ConsistencyProof> Ledger::GetConsistencyProof(uint64_t old_size,
                                                             uint64_t new_size) const {
  return tree_->GetConsistencyProof(old_size, new_size);
}

absl::StatusOr<Checkpoint> Ledger::MakeCheckpoint() { return checkpointer_->Make(); }

absl::StatusOr<Checkpoint> Ledger::LatestCheckpoint() const { return checkpointer_->Latest(); }

absl::StatusOr<Checkpoint> Ledger::GetCheckpoint(uint64_t tree_size) const {
  return checkpointer_->Get(tree_size);
}

absl::StatusOr<std::vector<Checkpoint>> Ledger::ListCheckpoints(uint64_t after_size,
                                                                size_t limit) const {
  return checkpointer_->List(after_size, limit);
}

absl::StatusOr<Checkpoint> Ledger::AwaitCheckpoint(uint64_t min_tree_size,
                                                   absl::Time deadline) const {
  return checkpointer_->Await(min_tree_size, deadline);
}

absl::StatusOr<QueryPage> Ledger::Query(const IndexQuery& query) const {
  return QueryIndex(backend_, query, options_.max_page_size);
}

absl::Status Ledger::VerifyAll() const { return verifier_->VerifyAll(); }

std::vector<std::string> Ledger::VerifierKeyLines() const { return verifier_->KeyLines(); }

}  // namespace wams::ledger::store
