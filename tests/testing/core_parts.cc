#include "tests/testing/core_parts.h"

#include <utility>

#include "absl/time/time.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/store/ledger_config.h"

namespace wams::testing {

absl::StatusOr<CoreParts> OpenCoreParts(const broker::v1::BrokerConfig& config,
                                        const std::string& db_dir, const base::Clock* clock) {
  CoreParts parts;
  WAMS_ASSIGN_OR_RETURN(parts.storage, storage::RocksDbBackend::Open(db_dir, {}));
  WAMS_ASSIGN_OR_RETURN(ledger::store::LedgerSetup setup,
                        ledger::store::LoadLedgerSetup(config.ledger()));
  setup.options.checkpoint_interval = absl::ZeroDuration();
  if (clock != nullptr) setup.options.clock = clock;
  parts.pseudonymizer =
      std::make_unique<ledger::store::Pseudonymizer>(std::move(setup.pseudonymizer));
  WAMS_ASSIGN_OR_RETURN(parts.ledger,
                        ledger::store::Ledger::Open(*parts.storage, std::move(setup.signer),
                                                    std::move(setup.options)));
  WAMS_ASSIGN_OR_RETURN(parts.subject_keys,
                        subjects::SubjectKeyTable::Open(*parts.storage, setup.pseudonym_key,
                                                        parts.ledger->TreeSize()));
  WAMS_ASSIGN_OR_RETURN(identity::PartyRegistry registry, identity::PartyRegistry::Create(config));
  parts.registry = std::make_unique<identity::PartyRegistry>(std::move(registry));
  WAMS_ASSIGN_OR_RETURN(policy::Policy policy, policy::Policy::Create(config));
  parts.policy = std::make_unique<policy::Policy>(std::move(policy));
  return parts;
}

}  // namespace wams::testing
