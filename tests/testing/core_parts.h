// core_parts.h: the real parts below the broker's rooms, opened from a
// BrokerConfig, for tests that drive a room (cases, exchange, audit) without
// a broker process: RocksDB in a directory, the receipt log, the subject key
// table (and the legacy global-key pseudonymizer, for tests that write a log
// as the old code did), the party registry and the policy.
//
//   absl::StatusOr<CoreParts> parts = OpenCoreParts(config, dir.File("db"), &fake_clock);
//   ASSERT_THAT(parts, IsOk());
//   cases::CaseStore store(*parts->storage);
//
// The ledger checkpoints only on demand (no timer thread).
#ifndef WAMS_TESTS_TESTING_CORE_PARTS_H_
#define WAMS_TESTS_TESTING_CORE_PARTS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "broker/base/clock.h"
#include "broker/identity/party_registry.h"
#include "broker/ledger/store/ledger.h"
#include "broker/ledger/store/pseudonymizer.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "broker/subjects/subject_key_table.h"
#include "policy/policy.h"
#include "wams/broker/v1/config.pb.h"

namespace wams::testing {

// Declared in the order they are opened, so the ledger is destroyed before
// the storage it writes to.
struct CoreParts {
  std::unique_ptr<storage::RocksDbBackend> storage;
  std::unique_ptr<ledger::store::Pseudonymizer> pseudonymizer;
  std::unique_ptr<ledger::store::Ledger> ledger;
  std::unique_ptr<subjects::SubjectKeyTable> subject_keys;
  std::unique_ptr<identity::PartyRegistry> registry;
  std::unique_ptr<policy::Policy> policy;
};

// Opens RocksDB at `db_dir` and the parts `config` describes. `clock`
// (borrowed; null: the ledger's own system clock) is the ledger's time.
absl::StatusOr<CoreParts> OpenCoreParts(const broker::v1::BrokerConfig& config,
                                        const std::string& db_dir, const base::Clock* clock);

}  // namespace wams::testing

#endif  // WAMS_TESTS_TESTING_CORE_PARTS_H_
