#include "broker/ledger/store/log_verifier.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/store/log_rows.h"
#include "broker/storage/key_codec.h"

namespace wams::ledger::store {

using wams::broker::v1::Checkpoint;
using wams::broker::v1::SignedReceipt;
using wams::storage::DecodeBigEndian64;
using wams::storage::Family;
using wams::storage::KeyValue;
using wams::storage::LeafKey;
using wams::storage::ScanRange;

LogVerifier::LogVerifier(const storage::Backend& backend, std::string origin,
                         std::vector<NoteVerifier> verifiers)
    : backend_(backend), origin_(std::move(origin)), verifiers_(std::move(verifiers)) {}

const NoteVerifier* LogVerifier::VerifierFor(std::string_view key_id) const {
  for (const NoteVerifier& v : verifiers_) {
    if (v.KeyName() == key_id) return &v;
  }
  return nullptr;
}

std::vector<std::string> LogVerifier::KeyLines() const {
  std::vector<std::string> lines;
  for (const NoteVerifier& v : verifiers_) lines.push_back(VerifierKeyLine(v.name(), v.key()));
  return lines;
}

absl::StatusOr<Checkpoint> LogVerifier::VerifyCheckpointNote(const Checkpoint& cp) const {
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
      if (body->origin != origin_) {
        return absl::DataLossError(absl::StrCat(what, ": origin is \"", body->origin,
                                                "\", configured origin is \"", origin_, "\""));
      }
      if (body->tree_size != cp.tree_size() || DigestBytes(body->root_hash) != cp.root_hash()) {
        return absl::DataLossError(absl::StrCat(what, ": signed body (size ", body->tree_size,
                                                ", root ", DigestHex(body->root_hash),
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

absl::Status LogVerifier::CheckLeaves(const storage::Reader& snapshot, uint64_t begin, uint64_t end,
                                      bool check_nodes) const {
  if (begin >= end) return absl::OkStatus();
  NodeReader reader = StoredNodes(snapshot);
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
                "tree node (level ", n.level, ", index ", n.index, ") is ", DigestHex(*stored),
                " but receipt ", leaf, " and its stored siblings hash to ", DigestHex(n.hash)));
          }
        }
        return absl::OkStatus();
      });
  WAMS_RETURN_IF_ERROR(walked);
  if (expected < end) return absl::DataLossError(absl::StrCat("receipt ", expected, " is missing"));
  return absl::OkStatus();
}

absl::Status LogVerifier::CheckOnOpen(const std::optional<Checkpoint>& latest, bool full) const {
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));

  // The receipts must end exactly at the tree size.
  WAMS_RETURN_IF_ERROR(CheckReceiptsEndAt(*snapshot, size));

  uint64_t checked_up_to = 0;
  if (latest.has_value()) {
    WAMS_RETURN_IF_ERROR(VerifyCheckpointNote(*latest).status());
    if (latest->tree_size() > size) {
      return absl::DataLossError(absl::StrCat(
          "the store holds ", size, " receipts but the last signed checkpoint commits to ",
          latest->tree_size(), ": receipts were removed"));
    }
    WAMS_ASSIGN_OR_RETURN(Digest root,
                          wams::ledger::RootAt(StoredNodes(*snapshot), latest->tree_size()));
    if (DigestBytes(root) != latest->root_hash()) {
      absl::StatusOr<Digest> want = StoredDigest(latest->root_hash(), "checkpoint root");
      return absl::DataLossError(absl::StrCat(
          "the root at tree size ", latest->tree_size(), " recomputed from stored nodes is ",
          DigestHex(root), " but the last signed checkpoint says ",
          want.ok() ? DigestHex(*want) : std::string("(malformed)")));
    }
    checked_up_to = latest->tree_size();
  }
  // Receipts after the last checkpoint are covered by no signed root yet:
  // check each one's signature and the nodes it completed.
  WAMS_RETURN_IF_ERROR(CheckLeaves(*snapshot, full ? 0 : checked_up_to, size, true));
  return absl::OkStatus();
}

absl::Status LogVerifier::VerifyAll() const {
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));
  WAMS_RETURN_IF_ERROR(CheckLeaves(*snapshot, 0, size, true));
  NodeReader reader = StoredNodes(*snapshot);
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
          return absl::DataLossError(absl::StrCat(
              "the root at tree size ", cp.tree_size(), " recomputed from stored nodes is ",
              DigestHex(root), " but its signed checkpoint differs"));
        }
        return absl::OkStatus();
      });
}

}  // namespace wams::ledger::store
