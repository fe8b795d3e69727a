#include "broker/tools/auditor/online_client.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/message_limits.h"
#include "broker/base/secret_file.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/export/export_format.h"
#include "broker/ledger/merkle/merkle.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace wams::auditor::online {

namespace v1 = ::wams::broker::v1;

namespace {
std::string Str(absl::string_view s) { return std::string(s.data(), s.size()); }
}  // namespace

bool Fail(OnlineResult& result, Failure failure) {
  result.alarm = failure.alarm;
  result.error = std::move(failure.message);
  result.first_bad_index = failure.first_bad_index;
  return false;
}

Failure Error(const absl::Status& status) { return Failure{false, Str(status.message())}; }
Failure Error(const grpc::Status& status, const char* what) {
  return Failure{false,
                 absl::StrCat(what, ": the broker answered code ",
                              static_cast<int>(status.error_code()), ": ", status.error_message())};
}
Failure Alarm(std::string message) { return Failure{true, std::move(message)}; }

CheckpointSummary Summary(const ledger::CheckpointBody& body) {
  return CheckpointSummary{body.origin, body.tree_size, ledger::DigestHex(body.root_hash), {}};
}

absl::StatusOr<Client> Client::Connect(const OnlineFlags& flags) {
  grpc::SslCredentialsOptions options;
  WAMS_ASSIGN_OR_RETURN(options.pem_root_certs, base::ReadPublicFile(flags.ca_file, "--ca"));
  WAMS_ASSIGN_OR_RETURN(options.pem_cert_chain, base::ReadPublicFile(flags.cert_file, "--cert"));
  WAMS_ASSIGN_OR_RETURN(options.pem_private_key, base::ReadPrivateFile(flags.key_file, "--key"));
  Client client;
  // The broker's largest message (a page, an export chunk) must fit, or
  // one large receipt would stop fetch and monitor for good.
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(base::kClientReceiveLimitBytes);
  client.stub_ = v1::AuditService::NewStub(
      grpc::CreateCustomChannel(flags.broker, grpc::SslCredentials(options), arguments));
  client.professional_id_ = flags.professional_id;
  return client;
}

void Client::Prepare(grpc::ClientContext* context,
                     std::chrono::system_clock::duration deadline) const {
  context->set_deadline(std::chrono::system_clock::now() + deadline);
  if (!professional_id_.empty()) {
    context->AddMetadata("x-wams-professional-id", professional_id_);
  }
}

// The newest checkpoint `b` against the saved `a`: same origin, not smaller,
// the same root at the same size, the served receipts' root at the saved size
// (when known) the saved root, and the broker's consistency proof verified.
std::optional<Failure> CheckExtends(const Client& client, const ledger::CheckpointBody& a,
                                    const ledger::CheckpointBody& b,
                                    const std::optional<ledger::Digest>& served_prefix_root) {
  if (a.origin != b.origin) {
    return Alarm(absl::StrCat("origin changed from ", a.origin, " to ", b.origin));
  }
  if (b.tree_size < a.tree_size) {
    return Alarm(absl::StrCat("ROLLBACK: the log shrank from ", a.tree_size, " to ", b.tree_size,
                              " receipts; receipts were removed"));
  }
  if (b.tree_size == a.tree_size && b.root_hash != a.root_hash) {
    return Alarm(absl::StrCat("FORK: two different trees of size ", a.tree_size, ": saved root ",
                              ledger::DigestHex(a.root_hash), ", served root ",
                              ledger::DigestHex(b.root_hash)));
  }
  if (served_prefix_root.has_value() && *served_prefix_root != a.root_hash) {
    return Alarm(absl::StrCat("FORK OR REWRITE: the receipts the broker serves give root ",
                              ledger::DigestHex(*served_prefix_root), " at size ", a.tree_size,
                              ", the saved checkpoint says ", ledger::DigestHex(a.root_hash)));
  }
  if (b.tree_size == a.tree_size) return std::nullopt;
  v1::GetConsistencyProofRequest request;
  request.set_old_size(a.tree_size);
  request.set_new_size(b.tree_size);
  v1::ConsistencyProof proof;
  grpc::ClientContext context;
  client.Prepare(&context);
  grpc::Status status = client.stub().GetConsistencyProof(&context, request, &proof);
  if (!status.ok()) return Error(status, "GetConsistencyProof");
  std::vector<ledger::Digest> hashes;
  for (const std::string& h : proof.hashes()) {
    absl::StatusOr<ledger::Digest> d = ledger::DigestFromBytes(h);
    if (!d.ok()) return Alarm("the consistency proof holds a malformed hash");
    hashes.push_back(*d);
  }
  absl::Status consistent =
      ledger::VerifyConsistency(a.tree_size, b.tree_size, a.root_hash, b.root_hash, hashes);
  if (!consistent.ok()) {
    return Alarm(absl::StrCat("FORK OR REWRITE: checkpoint ", b.tree_size,
                              " does not extend the saved checkpoint ", a.tree_size, ": ",
                              consistent.message()));
  }
  return std::nullopt;
}

absl::StatusOr<ledger_export::KeyRing> LoadKeys(const OnlineFlags& flags) {
  if (flags.keys_file.empty()) {
    return absl::InvalidArgumentError(
        "--keys FILE is required: the log's published verifier keys (e.g. DIR/keys of a fetch "
        "you checked against the municipality's published keys)");
  }
  WAMS_ASSIGN_OR_RETURN(std::string text, ledger_export::ReadSmallFile(flags.keys_file));
  return ledger_export::KeyRing::Parse(text);
}

absl::StatusOr<Verified> OpenCheckpoint(const ledger_export::KeyRing& ring, std::string note) {
  WAMS_ASSIGN_OR_RETURN(ledger_export::OpenedNote opened, ring.OpenNote(note));
  WAMS_ASSIGN_OR_RETURN(ledger::CheckpointBody body, ledger::ParseCheckpointBody(opened.text));
  return Verified{std::move(note), body};
}

namespace {

// fetch --from: the checkpoint the directory holds, which the new one must
// extend, checked with the keys the broker streams (older keys included).
struct Earlier {
  std::string note;
};

// The earlier export's checkpoint, and a writer that appends to it.
absl::StatusOr<std::pair<Earlier, std::unique_ptr<ledger_export::ExportWriter>>> OpenEarlier(
    const std::string& dir, uint64_t from_index) {
  WAMS_ASSIGN_OR_RETURN(std::string note,
                        ledger_export::ReadSmallFile(dir + "/" + ledger_export::kCheckpointFile));
  WAMS_ASSIGN_OR_RETURN(ledger::ParsedNote parsed, ledger::ParseNote(note));
  WAMS_ASSIGN_OR_RETURN(ledger::CheckpointBody body, ledger::ParseCheckpointBody(parsed.text));
  if (body.tree_size != from_index) {
    return absl::FailedPreconditionError(absl::StrCat("--from ", from_index, ": the checkpoint in ",
                                                      dir, " has size ", body.tree_size,
                                                      "; continue from there"));
  }
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<ledger_export::ExportWriter> writer,
                        ledger_export::ExportWriter::Continue(dir, from_index));
  return std::pair{Earlier{std::move(note)}, std::move(writer)};
}

// The streamed checkpoint extends the earlier one (consistency proof).
std::optional<Failure> CheckContinues(const Client& client, const Earlier& earlier,
                                      const std::vector<std::string>& keys,
                                      const std::string& new_note) {
  std::string keys_text;
  for (const std::string& key : keys) absl::StrAppend(&keys_text, key, "\n");
  absl::StatusOr<ledger_export::KeyRing> ring = ledger_export::KeyRing::Parse(keys_text);
  if (!ring.ok()) return Error(ring.status());
  absl::StatusOr<Verified> old_checkpoint = OpenCheckpoint(*ring, earlier.note);
  if (!old_checkpoint.ok()) {
    return Alarm(absl::StrCat("the earlier checkpoint does not verify with the broker's keys: ",
                              old_checkpoint.status().message()));
  }
  absl::StatusOr<Verified> new_checkpoint = OpenCheckpoint(*ring, new_note);
  if (!new_checkpoint.ok()) {
    return Alarm(absl::StrCat("the exported checkpoint does not verify: ",
                              new_checkpoint.status().message()));
  }
  return CheckExtends(client, old_checkpoint->body, new_checkpoint->body, std::nullopt);
}

}  // namespace

std::optional<Failure> Fetch(const Client& client, const std::string& dir, v1::Checkpoint* out,
                             uint64_t* receipts, const FetchRange& range) {
  std::optional<Earlier> earlier;
  std::unique_ptr<ledger_export::ExportWriter> writer;
  if (range.continuing) {
    auto opened = OpenEarlier(dir, range.from_index);
    if (!opened.ok()) return Error(opened.status());
    earlier = std::move(opened->first);
    writer = std::move(opened->second);
  } else {
    absl::StatusOr<std::unique_ptr<ledger_export::ExportWriter>> created =
        ledger_export::ExportWriter::Create(dir);
    if (!created.ok()) return Error(created.status());
    writer = *std::move(created);
  }
  grpc::ClientContext context;
  client.Prepare(&context, kExportDeadline);
  v1::ExportRequest request;
  request.set_from_index(range.continuing ? range.from_index : 0);
  request.set_tree_size(range.tree_size);
  std::unique_ptr<grpc::ClientReader<v1::ExportChunk>> reader =
      client.stub().Export(&context, request);
  std::vector<std::string> keys;
  std::optional<v1::Checkpoint> checkpoint;
  v1::ExportChunk chunk;
  std::optional<Failure> failure;
  uint64_t written = 0;
  while (reader->Read(&chunk)) {
    if (failure.has_value()) continue;  // drain, then report
    switch (chunk.part_case()) {
      case v1::ExportChunk::kKey:
        keys.push_back(chunk.key());
        break;
      case v1::ExportChunk::kReceipt: {
        const v1::SignedReceipt& r = chunk.receipt();
        absl::Status added = writer->AddReceipt(ledger_export::ExportedReceipt{
            .index = r.leaf_index(),
            .receipt = r.receipt_bytes(),
            .signature = r.signature(),
            .key_id = r.key_id(),
        });
        if (!added.ok()) failure = Error(added);
        ++written;
        break;
      }
      case v1::ExportChunk::kCheckpoint:
        checkpoint = chunk.checkpoint();
        break;
      default:
        failure = Failure{false, "the export stream holds an empty chunk"};
    }
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return Error(status, "Export");
  if (failure.has_value()) return failure;
  if (!checkpoint.has_value())
    return Failure{false, "the export stream ended without a checkpoint"};
  if (earlier.has_value()) {
    if (std::optional<Failure> failed =
            CheckContinues(client, *earlier, keys, checkpoint->note())) {
      return failed;
    }
  }
  // The checkpoint file is one signed note: the log's signature, then the
  // witnesses' cosignatures (C2SP signed-note allows several signers).
  const std::vector<std::string> cosignatures(checkpoint->cosignatures().begin(),
                                              checkpoint->cosignatures().end());
  absl::Status finished =
      writer->Finish(keys, ledger_export::CosignedNote(checkpoint->note(), cosignatures));
  if (!finished.ok()) return Error(finished);
  if (out != nullptr) *out = *std::move(checkpoint);
  if (receipts != nullptr) *receipts = written;
  return std::nullopt;
}

}  // namespace wams::auditor::online
