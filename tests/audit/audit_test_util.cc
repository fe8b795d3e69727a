#include "tests/audit/audit_test_util.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "broker/ledger/note/note.h"
#include "broker/storage/key_codec.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "rocksdb/write_batch.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::testing {

using ::wams::storage::Family;

void AppendToConfig(const BrokerFixture& broker, const std::string& text) {
  WriteFile(broker.config_path(), ReadFile(broker.config_path()) + "\n" + text + "\n");
}

int RunAuditCommand(const BrokerFixture& broker, const std::string& command,
                    const std::vector<std::string>& args, std::string* output,
                    const std::string& cert_name) {
  const std::string pki = broker.pki_dir().string();
  std::vector<std::string> argv = {AuditBinary(), command,
                                   "--broker",    absl::StrCat("127.0.0.1:", broker.port()),
                                   "--cert",      absl::StrCat(pki, "/", cert_name, ".crt"),
                                   "--key",       absl::StrCat(pki, "/", cert_name, ".key"),
                                   "--ca",        absl::StrCat(pki, "/ca.crt")};
  argv.insert(argv.end(), args.begin(), args.end());
  output->clear();  // RunCommand appends; each check must see only this run
  return RunCommand(argv, output);
}

std::unique_ptr<v1::AuditService::Stub> AuditStub(const BrokerFixture& broker,
                                                  const std::string& cert_name) {
  return v1::AuditService::NewStub(broker.Channel(cert_name));
}

void PrepareContext(grpc::ClientContext* context, const std::string& professional_id) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  if (!professional_id.empty()) context->AddMetadata("x-wams-professional-id", professional_id);
}

grpc::Status AddAuditReceipts(const BrokerFixture& broker, int n) {
  auto stub = AuditStub(broker);
  for (int i = 0; i < n; ++i) {
    grpc::ClientContext context;
    PrepareContext(&context);
    v1::ListReceiptsRequest request;
    request.mutable_time_range()->mutable_from()->set_seconds(946684800);  // 2000-01-01
    request.mutable_time_range()->mutable_to()->set_seconds(978307200);    // 2001-01-01
    v1::ListReceiptsResponse response;
    if (grpc::Status status = stub->ListReceipts(&context, request, &response); !status.ok()) {
      return status;
    }
  }
  return grpc::Status::OK;
}

uint64_t CheckpointFileSize(const std::string& path) {
  absl::StatusOr<ledger::ParsedNote> note = ledger::ParseNote(ReadFile(path));
  if (!note.ok()) return 0;
  absl::StatusOr<ledger::CheckpointBody> body = ledger::ParseCheckpointBody(note->text);
  return body.ok() ? body->tree_size : 0;
}

std::string DataDir(const BrokerFixture& broker) {
  return (broker.root() / "dev-data" / "broker").string();
}

namespace {

absl::StatusOr<std::unique_ptr<::wams::storage::RocksDbBackend>> OpenExisting(
    const std::string& dir) {
  ::wams::storage::RocksDbOptions options;
  options.create_if_missing = false;
  options.block_cache_bytes = size_t{8} << 20;
  options.write_buffer_bytes = size_t{4} << 20;
  return ::wams::storage::RocksDbBackend::Open(dir, options);
}

}  // namespace

std::string EditReceipt(const std::string& data_dir, uint64_t leaf) {
  absl::StatusOr<std::unique_ptr<::wams::storage::RocksDbBackend>> storage = OpenExisting(data_dir);
  if (!storage.ok()) return std::string(storage.status().message());
  absl::StatusOr<std::optional<std::string>> value =
      (*storage)->Get(Family::kReceipts, ::wams::storage::LeafKey(leaf));
  if (!value.ok() || !value->has_value()) return "no such receipt";
  v1::SignedReceipt signed_receipt;
  v1::Receipt receipt;
  if (!signed_receipt.ParseFromString(**value) ||
      !receipt.ParseFromString(signed_receipt.receipt_bytes())) {
    return "receipt does not parse";
  }
  receipt.set_detail("rewritten by someone with disk access");
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    receipt.SerializeToCodedStream(&coded);
  }
  signed_receipt.set_receipt_bytes(bytes);
  ::wams::storage::WriteBatch batch;
  batch.Put(Family::kReceipts, ::wams::storage::LeafKey(leaf), signed_receipt.SerializeAsString());
  absl::Status written = (*storage)->Write(batch);
  return written.ok() ? "" : std::string(written.message());
}

std::string DropReceiptsFrom(const std::string& data_dir, uint64_t size, bool drop_checkpoints) {
  absl::StatusOr<std::unique_ptr<::wams::storage::RocksDbBackend>> storage = OpenExisting(data_dir);
  if (!storage.ok()) return std::string(storage.status().message());
  ::wams::storage::WriteBatch batch;
  int dropped = 0;
  absl::Status read = ::wams::storage::ScanAll(
      **storage, Family::kReceipts,
      ::wams::storage::ScanRange::From(::wams::storage::LeafKey(size), 1000),
      [&](const ::wams::storage::KeyValue& row) {
        batch.Delete(Family::kReceipts, row.key);
        ++dropped;
        return absl::OkStatus();
      });
  if (!read.ok()) return std::string(read.message());
  if (dropped == 0) return "nothing to drop";
  batch.Put(Family::kMeta, std::string(::wams::storage::kMetaTreeSize),
            ::wams::storage::LeafKey(size));
  if (drop_checkpoints) {
    read = ::wams::storage::ScanAll(
        **storage, Family::kCheckpoints,
        ::wams::storage::ScanRange::From(::wams::storage::CheckpointKey(size + 1), 1000),
        [&](const ::wams::storage::KeyValue& row) {
          batch.Delete(Family::kCheckpoints, row.key);
          return absl::OkStatus();
        });
    if (!read.ok()) return std::string(read.message());
  }
  absl::Status written = (*storage)->Write(batch);
  return written.ok() ? "" : std::string(written.message());
}

}  // namespace wams::testing
