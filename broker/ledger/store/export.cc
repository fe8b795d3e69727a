// Ledger::Export: the auditor export directory `wams-audit verify` reads,
// written with the shared wams::ledger_export::ExportWriter (broker/ledger/export),
// so the broker and the verifier agree on one format.
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/export/export_format.h"
#include "broker/ledger/store/cosignatures.h"
#include "broker/ledger/store/ledger.h"
#include "broker/ledger/store/log_rows.h"
#include "broker/ledger/store/log_verifier.h"
#include "broker/storage/key_codec.h"

namespace wams::ledger::store {

absl::Status Ledger::Export(const std::string& dir) const {
  // One snapshot: the receipts exported are exactly those the checkpoint
  // commits to.
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(std::optional<wams::broker::v1::Checkpoint> cp,
                        ReadLatestCheckpoint(*snapshot));
  if (!cp.has_value()) return absl::FailedPreconditionError("no checkpoint to export");

  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<wams::ledger_export::ExportWriter> writer,
                        wams::ledger_export::ExportWriter::Create(dir));
  uint64_t expected = 0;
  wams::broker::v1::SignedReceipt r;
  wams::ledger_export::ExportedReceipt line;
  WAMS_RETURN_IF_ERROR(storage::ScanAll(
      *snapshot, storage::Family::kReceipts,
      storage::ScanRange{storage::LeafKey(0), storage::LeafKey(cp->tree_size()), 1000, false},
      [&](const storage::KeyValue& row) -> absl::Status {
        if (row.key != storage::LeafKey(expected)) {
          return absl::DataLossError(absl::StrCat("receipt ", expected, " is missing"));
        }
        if (!r.ParseFromString(row.value)) {
          return absl::DataLossError(absl::StrCat("stored receipt ", expected, " does not parse"));
        }
        line.index = expected++;
        line.receipt = std::move(*r.mutable_receipt_bytes());
        line.signature = std::move(*r.mutable_signature());
        line.key_id = std::move(*r.mutable_key_id());
        return writer->AddReceipt(line);
      }));
  if (expected < cp->tree_size()) {
    return absl::DataLossError(absl::StrCat("receipt ", expected, " is missing"));
  }
  // The witnesses' cosignatures stored with it (cosignatures.h), from the
  // same snapshot, after the log's signature line.
  return writer->Finish(
      verifier_->KeyLines(),
      wams::ledger_export::CosignedNote(cp->note(), ReadCosignatures(*snapshot, cp->tree_size())));
}

}  // namespace wams::ledger::store
