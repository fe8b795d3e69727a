#include "broker/tools/auditor/online.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/base/secret_file.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/crypto/ed25519.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/export/export_format.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/note/note.h"
#include "broker/tools/auditor/export_verifier.h"
#include "broker/tools/auditor/online_client.h"
#include "broker/tools/auditor/witness_check.h"
#include "google/protobuf/util/json_util.h"
#include "wams/broker/v1/audit.grpc.pb.h"

namespace wams::auditor {

namespace {

namespace v1 = ::wams::broker::v1;

using Flags = OnlineFlags;
using online::Alarm;
using online::CheckExtends;
using online::Client;
using online::Error;
using online::Fail;
using online::Failure;
using online::Fetch;
using online::LoadKeys;
using online::OpenCheckpoint;
using online::Summary;
using online::Verified;

absl::Status WriteStateFile(const std::string& path, const std::string& note) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << note;
    out.flush();
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", temp));
  }
  std::error_code error;
  std::filesystem::rename(temp, path, error);
  if (error) return absl::InternalError(absl::StrCat("cannot replace ", path));
  return absl::OkStatus();
}

// A fresh private temp dir, removed on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "wams-audit-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The monitor's first step: the newest checkpoint, with every receipt of the
// log verified against it (and the root at the saved size computed), or with
// --quick only its signature. `served` is the checkpoint as the broker sent it.
std::optional<Failure> FetchLatest(const Client& client, const Flags& flags,
                                   const ledger_export::KeyRing& ring,
                                   const std::optional<Verified>& old,
                                   std::optional<Verified>& latest, v1::Checkpoint& served,
                                   std::optional<ledger::Digest>& served_prefix_root,
                                   MonitorFound& found) {
  if (flags.quick) {
    grpc::ClientContext context;
    client.Prepare(&context);
    grpc::Status status =
        client.stub().GetCheckpoint(&context, v1::GetCheckpointRequest(), &served);
    if (!status.ok()) return Error(status, "GetCheckpoint");
    absl::StatusOr<Verified> opened = OpenCheckpoint(ring, served.note());
    if (!opened.ok()) {
      return Alarm(absl::StrCat("the broker's checkpoint does not verify with the trusted keys: ",
                                opened.status().message()));
    }
    latest = *std::move(opened);
    return std::nullopt;
  }
  online::FetchRange range;
  if (!flags.trusted_witness_files.empty()) {
    // Witnesses cosign the checkpoint GetCheckpoint serves; an export's own
    // fresh checkpoint is one nobody has cosigned yet.
    grpc::ClientContext context;
    client.Prepare(&context);
    v1::Checkpoint current;
    grpc::Status status =
        client.stub().GetCheckpoint(&context, v1::GetCheckpointRequest(), &current);
    if (!status.ok()) return Error(status, "GetCheckpoint");
    range.tree_size = current.tree_size();
  }
  ScratchDir scratch;
  if (scratch.path().empty()) return Failure{false, "cannot make a temp dir"};
  const std::string dir = scratch.path() + "/export";
  if (std::optional<Failure> failed = Fetch(client, dir, &served, nullptr, range)) return failed;
  VerifyOptions options;
  options.keys = &ring;
  if (old.has_value()) options.prefix_size = old->body.tree_size;
  VerifyReport report = VerifyExport(dir, options);
  if (!report.status.ok()) {
    return Failure(
        true,
        absl::StrCat("the log the broker serves does not verify: ", report.status.message(),
                     report.first_bad_index.has_value()
                         ? absl::StrCat(" (first bad index: ", *report.first_bad_index, ")")
                         : std::string()),
        report.first_bad_index);
  }
  absl::StatusOr<std::string> note =
      ledger_export::ReadSmallFile(dir + "/" + ledger_export::kCheckpointFile);
  if (!note.ok()) return Error(note.status());
  latest = Verified{*std::move(note), report.checkpoint};
  served_prefix_root = report.prefix_root;
  found.receipts_verified = report.receipts_verified;
  return std::nullopt;
}

// The checkpoint with the broker's cosignature lines, checked against the
// trusted witnesses (--witness-key, --min-witnesses); fills result.witnesses.
std::optional<Failure> CheckCosigned(const Flags& flags, const v1::Checkpoint& served,
                                     OnlineResult& result) {
  if (flags.trusted_witness_files.empty()) return std::nullopt;
  absl::StatusOr<std::vector<TrustedWitness>> trusted =
      LoadWitnessKeys(flags.trusted_witness_files);
  if (!trusted.ok()) return Error(trusted.status());
  const std::vector<std::string> lines(served.cosignatures().begin(), served.cosignatures().end());
  result.witnesses = CheckWitnesses(ledger_export::CosignedNote(served.note(), lines), *trusted,
                                    flags.min_witnesses);
  if (!result.witnesses->ok()) return Failure{false, result.witnesses->Message()};
  return std::nullopt;
}

// The monitor's checks, filling `result.monitor` and `result.checkpoint` as
// they pass. On success returns the newest verified checkpoint (already
// saved in the state file); on failure nullopt, with the failure in `result`.
std::optional<Verified> Monitor(const Client& client, const Flags& flags, OnlineResult& result) {
  MonitorFound& found = result.monitor.emplace();
  found.quick = flags.quick;
  found.state_file = flags.state_file;
  if (flags.state_file.empty()) {
    Fail(result, Failure{false, "--state FILE is required"});
    return std::nullopt;
  }
  absl::StatusOr<ledger_export::KeyRing> ring = LoadKeys(flags);
  if (!ring.ok()) {
    Fail(result, Error(ring.status()));
    return std::nullopt;
  }

  std::optional<Verified> old;
  if (std::filesystem::exists(flags.state_file)) {
    absl::StatusOr<std::string> text = ledger_export::ReadSmallFile(flags.state_file);
    if (!text.ok()) {
      Fail(result, Error(text.status()));
      return std::nullopt;
    }
    absl::StatusOr<Verified> opened = OpenCheckpoint(*ring, *std::move(text));
    if (!opened.ok()) {
      Fail(result, Failure{false, absl::StrCat("state file ", flags.state_file, ": ",
                                               opened.status().message())});
      return std::nullopt;
    }
    old = *std::move(opened);
    found.saved = Summary(old->body);
  }

  // The newest checkpoint: with every receipt verified against it, or (quick)
  // only its signature.
  std::optional<Verified> latest;
  v1::Checkpoint served;
  std::optional<ledger::Digest> served_prefix_root;
  if (std::optional<Failure> failed =
          FetchLatest(client, flags, *ring, old, latest, served, served_prefix_root, found)) {
    Fail(result, *std::move(failed));
    return std::nullopt;
  }
  result.checkpoint = Summary(latest->body);
  result.checkpoint->cosignatures = static_cast<uint64_t>(served.cosignatures_size());

  if (old.has_value()) {
    if (std::optional<Failure> failed =
            CheckExtends(client, old->body, latest->body, served_prefix_root)) {
      Fail(result, *std::move(failed));
      return std::nullopt;
    }
  }
  // Not saved until enough witnesses vouch for it: the next run checks
  // against the last checkpoint that passed everything.
  if (std::optional<Failure> failed = CheckCosigned(flags, served, result)) {
    Fail(result, *std::move(failed));
    return std::nullopt;
  }
  found.checked = true;
  absl::Status saved = WriteStateFile(flags.state_file, latest->note);
  if (!saved.ok()) {
    Fail(result, Error(saved));
    return std::nullopt;
  }
  found.state_saved = true;
  return latest;
}

absl::StatusOr<ledger::Ed25519PrivateKey> LoadWitnessKey(const Flags& flags) {
  if (flags.witness_name.empty() || flags.witness_key_file.empty()) {
    return absl::InvalidArgumentError("--witness-name and --witness-key are required");
  }
  if (!ledger::IsValidNoteKeyName(flags.witness_name)) {
    return absl::InvalidArgumentError("--witness-name: no '+' or white space allowed");
  }
  WAMS_ASSIGN_OR_RETURN(std::string pem,
                        base::ReadPrivateFile(flags.witness_key_file, "--witness-key"));
  return ledger::Ed25519PrivateKey::FromPem(pem);
}

bool Witness(const Client& client, const Flags& flags, OnlineResult& result) {
  result.witness = WitnessFound{flags.witness_name, false};
  absl::StatusOr<ledger::Ed25519PrivateKey> key = LoadWitnessKey(flags);
  if (!key.ok()) return Fail(result, Error(key.status()));
  std::optional<Verified> latest = Monitor(client, flags, result);
  if (!latest.has_value()) return false;
  absl::StatusOr<ledger::ParsedNote> note = ledger::ParseNote(latest->note);
  if (!note.ok()) return Fail(result, Error(note.status()));
  v1::AddCosignatureRequest request;
  request.set_tree_size(latest->body.tree_size);
  request.set_cosignature_line(
      ledger::CosignatureLine(flags.witness_name, *key, note->text,
                              static_cast<uint64_t>(absl::ToUnixSeconds(absl::Now()))));
  v1::AddCosignatureResponse response;
  grpc::ClientContext context;
  client.Prepare(&context);
  grpc::Status status = client.stub().AddCosignature(&context, request, &response);
  if (!status.ok()) return Fail(result, Error(status, "AddCosignature"));
  result.witness->cosigned = true;
  return true;
}

bool WitnessKeyLine(const Flags& flags, OnlineResult& result) {
  absl::StatusOr<ledger::Ed25519PrivateKey> key = LoadWitnessKey(flags);
  if (!key.ok()) return Fail(result, Error(key.status()));
  result.verifier_key = ledger::CosignatureVerifierKeyLine(flags.witness_name, key->PublicKey());
  return true;
}

// A receipt as a holder keeps it: a receipts.jsonl line or SignedReceipt JSON.
absl::StatusOr<v1::SignedReceipt> ReadHeldReceipt(const std::string& path) {
  WAMS_ASSIGN_OR_RETURN(std::string text, ledger_export::ReadSmallFile(path));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  ledger_export::ExportedReceipt line;
  if (ledger_export::ParseReceiptLine(text, line).ok()) {
    v1::SignedReceipt r;
    r.set_leaf_index(line.index);
    r.set_receipt_bytes(line.receipt);
    r.set_signature(line.signature);
    r.set_key_id(line.key_id);
    return r;
  }
  v1::SignedReceipt r;
  google::protobuf::util::JsonParseOptions options;
  const bool parsed = google::protobuf::util::JsonStringToMessage(text, &r, options).ok();
  if (!parsed || r.receipt_bytes().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": neither a receipts.jsonl line nor a wams.broker.v1.SignedReceipt as JSON"));
  }
  return r;
}

bool Inclusion(const Client& client, const Flags& flags, OnlineResult& result) {
  absl::StatusOr<ledger_export::KeyRing> ring = LoadKeys(flags);
  if (!ring.ok()) return Fail(result, Error(ring.status()));
  absl::StatusOr<v1::SignedReceipt> receipt = ReadHeldReceipt(flags.positional[0]);
  if (!receipt.ok()) return Fail(result, Error(receipt.status()));
  InclusionFound& found = result.inclusion.emplace();
  found.leaf_index = receipt->leaf_index();
  const ledger::NoteVerifier* verifier = ring->Find(receipt->key_id());
  if (verifier == nullptr) {
    return Fail(result, Failure{false, absl::StrCat("the receipt is signed by ", receipt->key_id(),
                                                    ", which is not in --keys")});
  }
  if (!verifier->key().Verify(receipt->receipt_bytes(), receipt->signature())) {
    return Fail(result, Failure{false, "the receipt's signature does not verify"});
  }
  found.signature_verified = true;

  // The proof against the latest checkpoint, which comes with it: a
  // requester or provider may not call GetCheckpoint. A broker from before
  // InclusionProof.checkpoint sends none; then ask for it first (auditors).
  v1::InclusionProof proof;
  {
    v1::GetInclusionProofRequest request;
    request.set_leaf_index(receipt->leaf_index());
    grpc::ClientContext context;
    client.Prepare(&context);
    grpc::Status status = client.stub().GetInclusionProof(&context, request, &proof);
    if (!status.ok()) return Fail(result, Error(status, "GetInclusionProof"));
  }
  v1::Checkpoint checkpoint = proof.checkpoint();
  if (!proof.has_checkpoint()) {
    grpc::ClientContext context;
    client.Prepare(&context);
    grpc::Status status =
        client.stub().GetCheckpoint(&context, v1::GetCheckpointRequest(), &checkpoint);
    if (!status.ok()) return Fail(result, Error(status, "GetCheckpoint"));
    v1::GetInclusionProofRequest request;
    request.set_leaf_index(receipt->leaf_index());
    request.set_tree_size(checkpoint.tree_size());
    grpc::ClientContext proof_context;
    client.Prepare(&proof_context);
    status = client.stub().GetInclusionProof(&proof_context, request, &proof);
    if (!status.ok()) return Fail(result, Error(status, "GetInclusionProof"));
  }
  absl::StatusOr<Verified> latest = OpenCheckpoint(*ring, checkpoint.note());
  if (!latest.ok()) {
    return Fail(result, Alarm(absl::StrCat("the broker's checkpoint does not verify: ",
                                           latest.status().message())));
  }
  result.checkpoint = Summary(latest->body);
  result.checkpoint->cosignatures = static_cast<uint64_t>(checkpoint.cosignatures_size());
  const uint64_t size = latest->body.tree_size;
  if (receipt->leaf_index() >= size) {
    return Fail(result, Failure{false, absl::StrCat("leaf ", receipt->leaf_index(),
                                                    " is not yet covered by the latest checkpoint "
                                                    "(size ",
                                                    size, "); try again after the next one")});
  }
  if (proof.tree_size() != size) {
    return Fail(result, Alarm(absl::StrCat("the inclusion proof is for size ", proof.tree_size(),
                                           ", its checkpoint has size ", size)));
  }
  std::vector<ledger::Digest> hashes;
  for (const std::string& h : proof.hashes()) {
    absl::StatusOr<ledger::Digest> d = ledger::DigestFromBytes(h);
    if (!d.ok()) return Fail(result, Alarm("the inclusion proof holds a malformed hash"));
    hashes.push_back(*d);
  }
  absl::Status included = ledger::VerifyInclusion(receipt->leaf_index(), size,
                                                  ledger::LeafHash(receipt->receipt_bytes()),
                                                  hashes, latest->body.root_hash);
  if (!included.ok()) {
    return Fail(result, Alarm(absl::StrCat("the receipt at leaf ", receipt->leaf_index(),
                                           " is NOT in the log of checkpoint ", size, ": ",
                                           included.message())));
  }
  found.included = true;
  found.proof_hashes = hashes.size();
  if (std::optional<Failure> failed = CheckCosigned(flags, checkpoint, result)) {
    return Fail(result, *std::move(failed));
  }
  return true;
}

// A usage error (exit 2) the command line parser lets through.
OnlineResult UsageError(OnlineResult result, std::string message) {
  result.usage_error = true;
  result.error = std::move(message);
  return result;
}

}  // namespace

OnlineResult RunOnline(const std::string& command, const OnlineFlags& flags) {
  OnlineResult result;
  result.command = command;
  if (command == "witness-key") {
    WitnessKeyLine(flags, result);
    return result;
  }
  if ((command == "fetch" || command == "inclusion") && flags.positional.size() != 1) {
    return UsageError(std::move(result), command == "fetch" ? "fetch wants one DIR"
                                                            : "inclusion wants one RECEIPT_FILE");
  }
  if (command != "fetch" && command != "monitor" && command != "witness" &&
      command != "inclusion") {
    return UsageError(std::move(result), "unknown command " + command);
  }

  absl::StatusOr<Client> client = Client::Connect(flags);
  if (!client.ok()) {
    Fail(result, Error(client.status()));
    return result;
  }
  if (command == "fetch") {
    FetchFound& found = result.fetch.emplace();
    found.dir = flags.positional[0];
    online::FetchRange range{.continuing = flags.continue_fetch,
                             .from_index = flags.from_index,
                             .tree_size = flags.tree_size};
    if (flags.continue_fetch) found.from_index = flags.from_index;
    v1::Checkpoint checkpoint;
    if (std::optional<Failure> failed =
            Fetch(*client, found.dir, &checkpoint, &found.receipts, range)) {
      Fail(result, *std::move(failed));
      return result;
    }
    absl::StatusOr<ledger::Digest> root = ledger::DigestFromBytes(checkpoint.root_hash());
    result.checkpoint = CheckpointSummary{checkpoint.origin(), checkpoint.tree_size(),
                                          root.ok() ? ledger::DigestHex(*root) : "",
                                          static_cast<uint64_t>(checkpoint.cosignatures_size())};
  } else if (command == "monitor") {
    Monitor(*client, flags, result);
  } else if (command == "witness") {
    Witness(*client, flags, result);
  } else {
    Inclusion(*client, flags, result);
  }
  return result;
}

}  // namespace wams::auditor
