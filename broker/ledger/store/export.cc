// Ledger::Export: the auditor export directory `wams-audit verify` reads,
// written with the shared wams::audit::ExportWriter (broker/tools/audit), so
// the broker and the verifier agree on one format.
#include "broker/tools/audit/export.h"

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "broker/ledger/store/key_codec.h"
#include "broker/ledger/store/ledger.h"
#include "policy/base/status_macros.h"

namespace wams::ledger::store {

absl::Status Ledger::Export(const std::string& dir) const {
  // One snapshot: the receipts exported are exactly those the checkpoint
  // commits to.
  ScopedSnapshot snapshot(storage_);
  std::unique_ptr<rocksdb::Iterator> cps = storage_.NewIterator(Cf::kCheckpoints, snapshot.get());
  cps->SeekToLast();
  WAMS_RETURN_IF_ERROR(FromRocks(cps->status(), "read checkpoints"));
  if (!cps->Valid()) return absl::FailedPreconditionError("no checkpoint to export");
  wams::broker::v1::Checkpoint cp;
  if (!cp.ParseFromArray(cps->value().data(), static_cast<int>(cps->value().size()))) {
    return absl::DataLossError("latest stored checkpoint does not parse");
  }

  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<wams::audit::ExportWriter> writer,
                        wams::audit::ExportWriter::Create(dir));
  std::unique_ptr<rocksdb::Iterator> it = storage_.NewIterator(Cf::kReceipts, snapshot.get());
  uint64_t expected = 0;
  wams::broker::v1::SignedReceipt r;
  wams::audit::ExportedReceipt line;
  for (it->SeekToFirst(); it->Valid() && expected < cp.tree_size(); it->Next(), ++expected) {
    if (it->key() != rocksdb::Slice(LeafKey(expected))) {
      return absl::DataLossError(absl::StrCat("receipt ", expected, " is missing"));
    }
    if (!r.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("stored receipt ", expected, " does not parse"));
    }
    line.index = expected;
    line.receipt = std::move(*r.mutable_receipt_bytes());
    line.signature = std::move(*r.mutable_signature());
    line.key_id = std::move(*r.mutable_key_id());
    WAMS_RETURN_IF_ERROR(writer->AddReceipt(line));
  }
  WAMS_RETURN_IF_ERROR(FromRocks(it->status(), "read receipts"));
  if (expected < cp.tree_size()) {
    return absl::DataLossError(absl::StrCat("receipt ", expected, " is missing"));
  }
  return writer->Finish(VerifierKeyLines(), cp.note());
}

}  // namespace wams::ledger::store
