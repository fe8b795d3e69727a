#include "broker/tools/auditor/online_client.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/message_limits.h"
#include "broker/base/secret_file.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/export/export_format.h"
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

std::optional<Failure> Fetch(const Client& client, const std::string& dir, v1::Checkpoint* out,
                             uint64_t* receipts) {
  absl::StatusOr<std::unique_ptr<ledger_export::ExportWriter>> writer =
      ledger_export::ExportWriter::Create(dir);
  if (!writer.ok()) return Error(writer.status());
  grpc::ClientContext context;
  client.Prepare(&context, kExportDeadline);
  std::unique_ptr<grpc::ClientReader<v1::ExportChunk>> reader =
      client.stub().Export(&context, v1::ExportRequest());
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
        absl::Status added = (*writer)->AddReceipt(ledger_export::ExportedReceipt{
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
  absl::Status finished = (*writer)->Finish(keys, checkpoint->note());
  if (!finished.ok()) return Error(finished);
  if (out != nullptr) *out = *std::move(checkpoint);
  if (receipts != nullptr) *receipts = written;
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

}  // namespace wams::auditor::online
