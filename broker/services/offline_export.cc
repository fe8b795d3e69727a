#include "broker/services/offline_export.h"

#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/store/ledger.h"
#include "broker/ledger/store/ledger_config.h"
#include "broker/storage/open_backend.h"

namespace wams::services {

absl::StatusOr<broker::v1::Checkpoint> ExportReceiptLog(const broker::v1::BrokerConfig& config,
                                                        const std::string& dir) {
  WAMS_ASSIGN_OR_RETURN(ledger::store::LedgerSetup setup,
                        ledger::store::LoadLedgerSetup(config.ledger()));
  storage::OpenOptions open_options;
  open_options.create_if_missing = false;
  broker::v1::StorageConfig storage_config = storage::StorageOf(config);
  if (storage_config.has_postgres()) {
    // Under a name of its own, the export takes the writer lease only when no
    // broker holds it (a broker re-takes a lease held under its own name at
    // once, which would cut off a live broker of this config).
    std::string* name = storage_config.mutable_postgres()->mutable_node_name();
    *name = absl::StrCat(name->substr(0, 57), "-export");  // node_name: at most 64
  }
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Backend> backend,
                        storage::OpenBackend(storage_config, open_options));
  // No timer: this process makes at most one checkpoint.
  setup.options.checkpoint_interval = absl::ZeroDuration();
  WAMS_ASSIGN_OR_RETURN(
      std::unique_ptr<ledger::store::Ledger> ledger,
      ledger::store::Ledger::Open(*backend, std::move(setup.signer), std::move(setup.options)));
  // A checkpoint of every stored receipt when this process may write; while
  // a live broker writes, the latest it made (at most checkpoint_interval old).
  absl::StatusOr<broker::v1::Checkpoint> made =
      ledger->WriteHealth().ok() ? ledger->MakeCheckpoint() : ledger->LatestCheckpoint();
  WAMS_ASSIGN_OR_RETURN(broker::v1::Checkpoint checkpoint, std::move(made));
  WAMS_RETURN_IF_ERROR(ledger->Export(dir));
  return checkpoint;
}

}  // namespace wams::services
