#include "broker/services/offline_export.h"

#include "broker/ledger/store/ledger.h"
#include "broker/ledger/store/ledger_config.h"
#include "broker/storage/open_backend.h"
#include "policy/base/status_macros.h"

namespace wams::services {

absl::StatusOr<broker::v1::Checkpoint> ExportReceiptLog(const broker::v1::BrokerConfig& config,
                                                        const std::string& dir) {
  WAMS_ASSIGN_OR_RETURN(ledger::store::LedgerSetup setup,
                        ledger::store::LoadLedgerSetup(config.ledger()));
  storage::OpenOptions open_options;
  open_options.create_if_missing = false;
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Backend> backend,
                        storage::OpenBackend(storage::StorageOf(config), open_options));
  // No timer: this process makes exactly one checkpoint.
  setup.options.checkpoint_interval = absl::ZeroDuration();
  WAMS_ASSIGN_OR_RETURN(
      std::unique_ptr<ledger::store::Ledger> ledger,
      ledger::store::Ledger::Open(*backend, std::move(setup.signer), std::move(setup.options)));
  WAMS_ASSIGN_OR_RETURN(broker::v1::Checkpoint checkpoint, ledger->MakeCheckpoint());
  WAMS_RETURN_IF_ERROR(ledger->Export(dir));
  return checkpoint;
}

}  // namespace wams::services
